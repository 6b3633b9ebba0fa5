"""Tiny literal catalogs for the labeling tests: two kinds of objects whose embeddings separate cleanly."""

import numpy as np
import polars as pl
import pytest

from emma_pipeline.labeling.features import FeatureSet
from emma_pipeline.labeling.store import LabelStore

SCRIPT_TITLE = "<script>alert('x')</script> Evil Basket"


def tiny_features(n_per_kind: int = 20, seed: int = 0, images: list[list[str]] | None = None) -> FeatureSet:
    """Baskets (containers) and knives, 8-d embeddings around two centres (noise in every dimension, so distinct
    objects are not near-duplicates); object 0's title holds a script tag."""
    rng = np.random.default_rng(seed)
    ids, titles, texts, vecs = [], [], [], []
    for i in range(n_per_kind):
        ids.append(f"B{i:04d}")
        titles.append(SCRIPT_TITLE if i == 0 else f"Wicker Basket {i}")
        texts.append(f"woven storage basket number {i} holds toys")
        vecs.append(rng.normal([2.0] + [0.0] * 7, 0.6))
        ids.append(f"K{i:04d}")
        titles.append(f"Chef Knife {i}")
        texts.append(f"sharp steel knife number {i} with a blade")
        vecs.append(rng.normal([-2.0] + [0.0] * 7, 0.6))
    return FeatureSet(object_ids=ids, titles=titles, texts=pl.Series(texts), images=images or [[] for _ in ids],
                      embedding=np.array(vecs, dtype=np.float32), source="tiny literal")  # fmt: skip


@pytest.fixture
def features() -> FeatureSet:
    return tiny_features()


@pytest.fixture
def store(tmp_path) -> LabelStore:
    s = LabelStore(tmp_path / "labels.sqlite")
    s.create_property("req-create-0001", "is_container", "holds things")
    return s
