"""The naturally missing values the fill-in wrote, scored against the sample generator's hidden truth (evaluation
only): all synthetic values, those passing their 95 %-precision threshold (does the precision hold off the tuning
splits?), and median / mode imputation from the original values on the same objects. Ratings have no truth."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from emma_pipeline.categories import clean_path
from emma_pipeline.fill_in.config import FillInConfig

TRUTH_COLUMNS = {"price": "price_usd", "mass": "mass_kg"}


def _ratio_ok(pred: np.ndarray, true: np.ndarray, tolerance: float) -> np.ndarray:
    return np.maximum(pred / true, true / pred) <= 1 + tolerance


def _rows(attr: str, metric: str, everything: np.ndarray, passing: np.ndarray, correct: np.ndarray,
          imputation: np.ndarray) -> list[dict]:  # fmt: skip
    return [{"attribute": attr, "metric": metric, "objects": int(len(everything)), "filled": float(np.mean(everything)) if len(everything) else float("nan"),
             "imputation": float(np.mean(imputation)) if len(imputation) else float("nan"),
             "passing": int(passing.sum()), "precision_passing": float(correct[passing].mean()) if passing.any() else float("nan")}]  # fmt: skip


def evaluate_fill_in(dataset: pl.DataFrame, truth: pl.DataFrame, category_tree: pl.DataFrame, taxonomy,
                     config: FillInConfig | None = None) -> pl.DataFrame:  # fmt: skip
    config = config or FillInConfig()
    frame = dataset.join(truth.select("asin", "price_usd", "mass_kg", "category_path", "materials").rename(
        {"category_path": "true_path", "materials": "true_materials"}), on="asin", how="inner")  # fmt: skip
    out: list[dict] = []
    for attr, column in TRUTH_COLUMNS.items():
        original = frame.filter(pl.col(f"{attr}_source") == "original")[attr].to_numpy()
        synthetic = frame.filter((pl.col(f"{attr}_source") != "original") & pl.col(column).is_not_null() & (pl.col(column) > 0))
        pred, true = synthetic[attr].to_numpy(), synthetic[column].to_numpy()
        per_object = np.minimum(pred / true, true / pred)
        median = np.full(len(true), np.median(original)) if len(original) else np.full(len(true), np.nan)
        out += _rows(attr, "mnre", per_object, synthetic[f"{attr}_passes_threshold"].to_numpy(),
                     _ratio_ok(pred, true, config.regression_tolerance), np.minimum(median / true, true / median))  # fmt: skip
    names = dict(zip(category_tree["id"].to_list(), category_tree["name"].to_list()))
    original_paths = frame.filter(pl.col("category_source") == "original")["category_path"].to_list()
    mode = Counter(tuple(p) for p in original_paths).most_common(1)[0][0] if original_paths else ()
    synthetic = frame.filter((pl.col("category_source") != "original") & pl.col("true_path").is_not_null())
    accuracy, imputed, exact = [], [], []
    for path, true_path in zip(synthetic["category_path"].to_list(), synthetic["true_path"].to_list()):
        true = clean_path(true_path)
        level = lambda ids: np.mean([i < len(ids) and names.get(ids[i]) == true[i] for i in range(len(true))])  # noqa: E731
        accuracy.append(level(path))
        imputed.append(level(list(mode)))
        exact.append(all(i < len(path) and names.get(path[i]) == true[i] for i in range(len(true))))
    out += _rows("category", "accuracy", np.array(accuracy), synthetic["category_passes_threshold"].to_numpy(),
                 np.array(exact, dtype=bool), np.array(imputed))  # fmt: skip
    out += _materials(frame, taxonomy)
    return pl.DataFrame(out)


def _materials(frame: pl.DataFrame, taxonomy) -> list[dict]:
    """Precision of the listed materials: every listed node is a true material or an ancestor of one."""
    def implied(names: list[str]) -> set[int]:
        ids = {taxonomy.id_of(n) for n in names}
        return ids | {a for i in ids for a in taxonomy.ancestors(i)}

    original = frame.filter(pl.col("materials_source") == "original")["materials"].to_list()
    mode = Counter(tuple(sorted(m)) for m in original).most_common(1)[0][0] if original else ()
    synthetic = frame.filter((pl.col("materials_source") != "original") & pl.col("true_materials").is_not_null())
    correct, share, imputed = [], [], []
    for listed, true in zip(synthetic["materials"].to_list(), synthetic["true_materials"].to_list()):
        truth = implied(true)
        share.append(np.mean([m in truth for m in listed]))
        correct.append(all(m in truth for m in listed))
        imputed.append(np.mean([m in truth for m in mode]) if mode else 0.0)
    return _rows("materials", "listed_precision", np.array(share), synthetic["materials_passes_threshold"].to_numpy(),
                 np.array(correct, dtype=bool), np.array(imputed))  # fmt: skip
