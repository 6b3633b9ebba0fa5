"""The paper's Table 3 for one property: a uniform test set, labeled apart from the actively chosen training labels.

The test labels come from the person's ``test-set`` mode (a uniform random sample, never trained on) when there are
at least ``MIN_TEST_LABELS`` of them; on the embedded sample, where the generator's hidden truth knows every
object's properties, a uniform sample of objects not in the training labels is labeled from that truth instead
(a simulated careful labeler), and the row says which.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from emma_pipeline.labeling import model as lm

MIN_TEST_LABELS = 20
TRUTH_SAMPLE = 1000
TEST_MODE = "test-set"


def test_labels(history: pl.DataFrame, smart: pl.DataFrame, truth: pl.DataFrame | None, prop: str,
                seed: int = 0) -> tuple[pl.DataFrame, str]:  # fmt: skip
    """(object_id, value) test labels and where they came from."""
    current = history.filter(pl.col("is_current") & pl.col("value").is_not_null())
    held_out = current.filter(pl.col("mode") == TEST_MODE).select("object_id", pl.col("value").cast(pl.Int8))
    if held_out.height >= MIN_TEST_LABELS or truth is None or prop not in truth.columns:
        return held_out, "test-set labels"
    trained = set(current.filter(pl.col("mode") != TEST_MODE)["object_id"].to_list())
    pool = smart.select("object_id").filter(~pl.col("object_id").is_in(list(trained)))
    pool = pool.join(truth.select(pl.col("asin").alias("object_id"), pl.col(prop).cast(pl.Int8).alias("value")),
                     on="object_id", how="inner").unique("object_id", keep="first").sort("object_id")  # fmt: skip
    rows = np.random.default_rng(seed).permutation(pool.height)[:TRUTH_SAMPLE]
    return pool[rows.tolist()], "sample ground truth (simulated labeler, uniform sample)"


def evaluate(smart: pl.DataFrame, tests: pl.DataFrame, history: pl.DataFrame, prop: str, source: str) -> pl.DataFrame:
    """One row: sizes (train/test, positives), precision, recall, f1, accuracy, errors at probability 0.5."""
    scored = tests.join(smart.select("object_id", "probability", "model_version"), on="object_id", how="inner")
    current = history.filter(pl.col("is_current") & pl.col("value").is_not_null() & (pl.col("mode") != TEST_MODE))
    metrics = lm.binary_metrics(scored["value"].to_numpy(), scored["probability"].to_numpy()) if scored.height else \
        {"precision": None, "recall": None, "f1": None, "accuracy": None, "errors": None}  # fmt: skip
    return pl.DataFrame([{
        "property": prop, "test_source": source, "n_train": current.height,
        "n_train_positive": int(current["value"].sum() or 0), "n_test": scored.height,
        "n_test_positive": int(scored["value"].sum() or 0) if scored.height else 0,
        **{k: (None if v is None else float(v)) for k, v in metrics.items()},
        "model_version": smart["model_version"][0] if smart.height else None,
    }], schema_overrides={"precision": pl.Float64, "recall": pl.Float64, "f1": pl.Float64, "accuracy": pl.Float64,
                          "errors": pl.Float64, "model_version": pl.Utf8})  # fmt: skip
