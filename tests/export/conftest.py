"""A tiny literal lake that follows the fill-in contract: six objects over four splits, one value of each kind
(original, gen1, gen2, below threshold), local image files and one fetched remote image."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

from emma_pipeline.fill_in.schema import ATTRIBUTES, dataset_schema
from emma_pipeline.images.store import ImageStore
from emma_pipeline.warehouse.lake import Lake, LakeConfig

TAXONOMY = pl.DataFrame({"id": [0, 1, 2, 3], "name": ["metal", "steel", "aluminum", "plastic"],
                         "parent_id": [None, 0, 0, None], "depth": [0, 1, 1, 0], "is_leaf": [False, True, True, True],
                         "path": ["metal", "metal > steel", "metal > aluminum", "plastic"]})  # fmt: skip
CATEGORIES = pl.DataFrame({"id": [1, 2], "name": ["Kitchen", "Mugs"], "parent_id": [None, 1], "depth": [0, 1]})
REMOTE = "https://img.example/images/I/remote.jpg"


def _row(asin: str, split: str, **synthetic) -> dict:
    """A fully original object; ``synthetic`` maps attribute -> (source, confidence, passes)."""
    row = {"asin": asin, "split": split, "price": 10.0, "mass": 0.25, "materials": [1], "materials_probs": [1.0, 1.0, 0.0, 0.0],
           "category": 2, "category_path": [1, 2], "category_probs": [1.0, 1.0], "ratings": [0.0, 0.0, 0.1, 0.2, 0.7]}  # fmt: skip
    for attr in ATTRIBUTES:
        source, confidence, passes = synthetic.get(attr, ("original", None, True))
        version = None if source == "original" else f"fusion_{source}_v1"
        row.update({f"{attr}_source": source, f"{attr}_confidence": confidence, f"{attr}_model_version": version,
                    f"{attr}_passes_threshold": passes})  # fmt: skip
    return row


def dataset_frame() -> pl.DataFrame:
    rows = [
        _row("A0000000003", "train", materials=("gen2", 0.91, True)),
        _row("A0000000001", "train", price=("gen2", 0.97, True), mass=("gen1", 0.30, False)),
        _row("A0000000002", "train"),
        _row("B0000000001", "val"),
        _row("C0000000001", "test", ratings=("gen2", 0.55, False)),
        _row("D0000000001", "calibration", category=("gen2", 0.80, True)),
    ]
    return pl.DataFrame(rows, schema=dataset_schema())


def metrics_frame() -> pl.DataFrame:
    rows = [(m, g, "fusion", "attention", t, s, metric, v, b, hib)
            for m, g in (("fusion_attention", 1), ("fusion_attention_gen2", 2), ("text", 3))
            for t, metric, v, b, hib in (("mass", "mnre_mass", 0.4 / g, 0.9, False), ("category", "accuracy_category", 0.5 + g / 10, 0.2, True))
            for s in ("val", "test")]  # fmt: skip
    return pl.DataFrame(rows, schema=["model", "generation", "modality", "merger", "task", "split", "metric", "value",
                                      "baseline", "higher_is_better"], orient="row")  # fmt: skip


@pytest.fixture
def tiny_lake(tmp_path):
    """(lake, image store, {asin: [sha256, ...]}) with every table the export reads."""
    images = tmp_path / "landing" / "batch-0001" / "images"
    images.mkdir(parents=True)
    local = {}
    for name in ("a", "b", "c"):
        (images / f"{name}.jpg").write_bytes(f"jpeg bytes {name}".encode())
        local[name] = str(images / f"{name}.jpg")
    store = ImageStore(str(tmp_path / "landing" / "_images"))
    remote_hash = store.put(b"remote jpeg")
    urls = {"A0000000001": [local["a"], local["b"], local["a"]], "A0000000002": [REMOTE], "A0000000003": [local["c"]],
            "B0000000001": ["https://img.example/never-fetched.jpg"], "C0000000001": None, "D0000000001": [local["b"]],
            "Z0000000009": [local["c"]]}  # fmt: skip  (Z: an object not in dataset)
    objects = pl.DataFrame({"asin": list(urls), "title": [f"Mug {a}" for a in urls], "brand": ["Acme"] * len(urls),
                            "image_urls": list(urls.values()), "text": ["x"] * len(urls)})  # fmt: skip
    fetches = pl.DataFrame({"url": [REMOTE, "https://img.example/failed.jpg"], "status": ["ok", "http_error"],
                            "content_hash": [remote_hash, None], "http_status": [200, 404], "error": [None, "404"]})  # fmt: skip
    lake = Lake(LakeConfig.under(tmp_path))
    lake.write_tables({"objects": objects, "image_fetches": fetches, "material_taxonomy": TAXONOMY,
                       "category_tree": CATEGORIES, "model_metrics": metrics_frame()})  # fmt: skip
    lake.write_table("dataset", dataset_frame())
    sha = {n: hashlib.sha256(f"jpeg bytes {n}".encode()).hexdigest() for n in local}
    expected = {"A0000000001": [sha["a"], sha["b"]], "A0000000002": [remote_hash], "A0000000003": [sha["c"]],
                "B0000000001": [], "C0000000001": [], "D0000000001": [sha["b"]]}  # fmt: skip
    return lake, store, expected
