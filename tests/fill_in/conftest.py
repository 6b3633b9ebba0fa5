"""A tiny literal dataset with each attribute missing somewhere, and fake generation models over it."""

import numpy as np
import polars as pl
import pytest

from emma_pipeline.materials import load_taxonomy
from emma_pipeline.models.predictions import Predictions
from emma_pipeline.models.prepare import ModelTables, prepare
from emma_pipeline.models.trained import TrainedModel

N = 24
SPLITS = ["train"] * 12 + ["val"] * 4 + ["test"] * 4 + ["calibration"] * 4


@pytest.fixture(scope="session")
def tables() -> ModelTables:
    taxonomy = load_taxonomy()
    metal, plastic = taxonomy.id_of("metal"), taxonomy.id_of("plastic")
    rows, materials, categories = [], [], []
    for i in range(N):
        heavy, held_out = i % 2 == 0, i >= 12
        rows.append({"asin": f"A{i:03d}", "text": f"item {i}", "image_urls": [],
                     "price_usd": None if (i % 4 == 1 and not held_out) else 10.37 + i,
                     "mass_kg": None if (i % 3 == 0 and not held_out) else 0.513 + i,
                     "rating_hist": None if (i % 5 == 2 and not held_out) else [0, 0, 1, 2, i],
                     "review_count": 3 + i})  # fmt: skip
        if held_out or i % 3 != 1:
            materials.append({"asin": f"A{i:03d}", "material_ids": [metal if heavy else plastic]})
        categories.append({"asin": f"A{i:03d}", "category_ids": None if (i % 4 == 3 and not held_out) else ([0, 1] if heavy else [2, 3]),
                           "product_type_id": 1})  # fmt: skip
    tree = pl.DataFrame({"id": [0, 1, 2, 3], "name": ["Tools", "Anvils", "Kitchen", "Cups"], "parent_id": [None, 0, None, 2],
                         "depth": [0, 1, 0, 1]})  # fmt: skip
    objects = pl.DataFrame(rows)
    return ModelTables(objects, pl.DataFrame(materials), pl.DataFrame(categories, schema={"asin": pl.Utf8, "category_ids": pl.List(pl.Int64), "product_type_id": pl.Int64}),
                       taxonomy.as_frame(), tree, pl.DataFrame({"asin": objects["asin"], "split": SPLITS}))  # fmt: skip


@pytest.fixture(scope="session")
def prepared(tables):
    return prepare(tables)


def fake_model(name: str, prepared, seed: int) -> TrainedModel:
    rng = np.random.default_rng(seed)
    n, m, h = len(prepared.asins), prepared.materials.size, prepared.hierarchy
    logits = rng.normal(size=(n, h.size))
    log_probs = np.zeros_like(logits)
    for group in range(h.size + 1):
        nodes = h.children[group]
        if len(nodes):
            z = logits[:, nodes]
            log_probs[:, nodes] = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    ratings = rng.dirichlet(np.ones(5), size=n)
    p = Predictions(available=np.ones(n, bool), price=rng.uniform(5, 40, n), mass=rng.uniform(0.2, 20, n),
                    material_logits=rng.normal(-2, 2, (n, m)), category_log_probs=log_probs, ratings=ratings)  # fmt: skip
    return TrainedModel(name, "fusion", None, p, None)


@pytest.fixture(scope="session")
def models(prepared):
    return {name: fake_model(name, prepared, seed) for seed, name in enumerate(("text", "vision", "fusion_concat", "fusion_attention"))}
