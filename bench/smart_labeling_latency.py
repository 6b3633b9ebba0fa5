"""Latency figures of the Smart Labeling tool on synthetic data of the real shapes (256 embedding dimensions plus
keyword features), independent of the lake:

- ``retrain_rerank_100k_s``: fit the model on 1,000 labels, score 100k candidates, pick the 100 nearest 0.5;
- ``score_1m_s``: score 1M objects (ten 100k blocks of one matrix: the time excludes reading features);
- ``next_page_s``: the person clicks "next page" in active learning on a 100k-object catalog with 1,000 labels:
  the real app (in-process HTTP client) retrains, recomputes the live figures (5-fold CV, stop set), ranks 100k
  candidates with the near-duplicate guard and renders the page. The median of a few clicks, a page of labels
  stored between them as the browser would.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from emma_pipeline.labeling import model as lm
from emma_pipeline.labeling.features import FeatureSet

DIMENSIONS = 256
KEYWORDS = 15
_WORDS = ("basket", "mug", "knife", "lamp", "shirt", "hinge", "glass", "cable", "bottle", "box", "clear", "soft",
          "steel", "wooden", "cotton", "folding", "battery", "blade", "jar", "bag")  # fmt: skip


def _synthetic(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    d = DIMENSIONS + KEYWORDS
    x = rng.normal(size=(n, d)).astype(np.float32)
    x[:, DIMENSIONS:] = rng.random((n, KEYWORDS)) < 0.1
    w = rng.normal(size=d).astype(np.float32)
    score = x @ w + rng.normal(0, 4, n)  # not separable
    y = (score > np.quantile(score, 0.9)).astype(np.int8)  # 10 % positives
    return x, y


def retrain_and_score(seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    x, y = _synthetic(100_000, rng)
    rows = rng.choice(len(x), 1000, replace=False)
    t0 = time.perf_counter()
    fitted = lm.fit(x[rows], y[rows])
    p = fitted.predict_proba(x)
    np.argpartition(np.abs(p - 0.5), 100)[:100]
    retrain = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(10):
        fitted.predict_proba(x)
    return {"retrain_rerank_100k_s": retrain, "score_1m_s": time.perf_counter() - t0}


def _catalog(n: int, rng: np.random.Generator) -> tuple[FeatureSet, np.ndarray]:
    emb = rng.normal(size=(n, DIMENSIONS)).astype(np.float32)
    words = rng.integers(0, len(_WORDS), size=(n, 4))
    texts = [" ".join(_WORDS[j] for j in row) for row in words]
    y = ((words == 0).any(axis=1) | (emb[:, 0] > 1.5)).astype(np.int8)  # "basket" in the text, or one direction
    ids = [f"S{i:07d}" for i in range(n)]
    feats = FeatureSet(object_ids=ids, titles=texts, texts=pl.Series(texts), images=[[] for _ in ids], embedding=emb,
                       source="synthetic")  # fmt: skip
    return feats, y


def next_page(seed: int, n: int = 100_000, labels: int = 1000, clicks: int = 5) -> float:
    from starlette.testclient import TestClient

    from emma_pipeline.labeling.presets import PRESETS
    from emma_pipeline.labeling.store import LabelStore
    from emma_pipeline.labeling.web.app import create_app
    from emma_pipeline.labeling.workbench import Workbench

    rng = np.random.default_rng(seed)
    feats, y = _catalog(n, rng)
    with tempfile.TemporaryDirectory() as tmp:
        store = LabelStore(Path(tmp) / "labels.sqlite")
        preset = PRESETS["is_container"]
        store.create_property("bench-create", preset.name, preset.definition)
        for i, k in enumerate(preset.keywords):
            store.add_feature(f"bench-f{i}", preset.name, "keyword", k)
        for r in rng.choice(n, labels, replace=False):
            store.add_label(f"bench-l{r}", preset.name, feats.object_ids[r], int(y[r]), "active-learning")
        app = create_app(Workbench(store, feats, seed=seed))
        client = TestClient(app, base_url="http://127.0.0.1:8765")
        url = f"/p/{preset.name}/active-learning"
        shown = _shown(client.get(url).text, feats)
        times = []
        for click in range(clicks):
            for oid in shown[:20]:  # the person labels the page, then clicks next page
                store.add_label(f"bench-c{click}-{oid}", preset.name, oid, int(y[feats.row[oid]]), "active-learning")
            t0 = time.perf_counter()
            page = client.get(url)
            times.append(time.perf_counter() - t0)
            assert page.status_code == 200
            shown = _shown(page.text, feats)
        return float(np.median(times))


def _shown(html: str, feats: FeatureSet) -> list[str]:
    import re

    return [oid for oid in re.findall(r'data-id="([^"]+)"', html) if oid in feats.row]
