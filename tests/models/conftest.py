"""A tiny literal dataset (24 objects with text, images, every attribute, all four splits) and tiny encoders."""

import numpy as np
import polars as pl
import pytest
from PIL import Image

from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable
from emma_pipeline.materials import load_taxonomy
from emma_pipeline.models.config import profile
from emma_pipeline.models.prepare import ModelTables, prepare

SPLITS = ["train"] * 12 + ["val"] * 4 + ["test"] * 4 + ["calibration"] * 4


@pytest.fixture(scope="session")
def tiny_tables(tmp_path_factory) -> ModelTables:
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    taxonomy = load_taxonomy().as_frame()
    plastic, metal = int(taxonomy.filter(pl.col("name") == "plastic")["id"][0]), int(taxonomy.filter(pl.col("name") == "metal")["id"][0])
    rows, materials, categories = [], [], []
    for i in range(24):
        heavy = i % 2 == 0
        paths = []
        for k in range(1 + i % 3):
            path = root / f"o{i}_{k}.png"
            Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(path)
            paths.append(str(path))
        if i == 5:
            paths = [str(root / "missing.jpg")]  # no readable image
        rows.append({"asin": f"A{i:03d}", "text": ("steel anvil heavy" if heavy else "plastic cup light") + f" item {i}",
                     "image_urls": paths, "mass_kg": 10.0 if heavy else 0.1, "price_usd": None if i == 3 else 50.0 if heavy else 5.0,
                     "package_weight_kg": 11.0 if heavy else None, "dimensions_cm": [30.0, 20.0, 10.0] if heavy else [5.0, 5.0, 5.0],
                     "rating_hist": [0, 0, 1, 2, 3] if heavy else [3, 1, 0, 0, 0], "review_count": 6 if heavy else 4})  # fmt: skip
        materials.append({"asin": f"A{i:03d}", "material_ids": [metal if heavy else plastic]})
        categories.append({"asin": f"A{i:03d}", "category_ids": [0, 1] if heavy else [2, 3], "product_type_id": 1 + i % 2})
    objects = pl.DataFrame(rows)
    tree = pl.DataFrame({"id": [0, 1, 2, 3], "name": ["Tools", "Anvils", "Kitchen", "Cups"], "parent_id": [None, 0, None, 2],
                         "depth": [0, 1, 0, 1]})  # fmt: skip
    splits = pl.DataFrame({"asin": objects["asin"], "split": SPLITS})
    return ModelTables(objects, pl.DataFrame(materials), pl.DataFrame(categories), taxonomy, tree, splits)


@pytest.fixture(scope="session")
def prepared(tiny_tables):
    return prepare(tiny_tables)


@pytest.fixture
def tiny_config():
    return profile("tiny", epochs=2, limit_batches=None, image_model="test_efficientnet")


@pytest.fixture(scope="session")
def tiny_text_backbone():
    ensure_torchvision_importable()
    from transformers import AutoTokenizer, BertConfig, BertModel

    from emma_pipeline.encoders.text_encoder import resolve_text_model

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_text_model("all-MiniLM-L6-v2")), local_files_only=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)  # fmt: skip
    return lambda: (BertModel(config), tokenizer)
