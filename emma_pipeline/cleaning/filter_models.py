"""The learned filters between rebuilds: their fitted models saved as one immutable version, and the earlier
scores of unchanged listings, so a new batch is scored with the saved models and only its own listings are.

The version name is stored in the one-row ``dedup_versions`` table (committed with the cleaning outputs, as the
dedup index's is); so is a fingerprint of the configuration the models were fitted with: when it changes, the
models are fitted again and every listing is scored again. Thresholds are not part of it: decisions are taken
again from the scores on every run, so a changed threshold applies to every listing at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import polars as pl
from sklearn.pipeline import Pipeline

from emma_pipeline.cleaning.dedup_versions import MODELS_CONFIG, MODELS_VERSION, committed_versions
from emma_pipeline.cleaning.filters import FilterConfig, KnownScores
from emma_pipeline.cleaning.fingerprint import fingerprint
from emma_pipeline.cleaning.text_image_match import TextImageMatcher
from emma_pipeline.cleaning.versioned_folder import version_folder, write_version

_NON_PHYSICAL, _MATCHER = "non_physical.joblib", "matcher"


@dataclass(frozen=True)
class FilterModels:
    non_physical: Pipeline | None  # None: too few seeds, rules decide (fitting is tried again next run)
    matcher: TextImageMatcher | None  # None: too few objects to learn from (tried again next run)


def model_fingerprint(config: FilterConfig) -> str:
    """What the fitted models depend on: everything but the removal thresholds."""
    return fingerprint((config.non_physical_min_seeds, config.non_physical_regularization, config.mismatch_folds,
                        config.mismatch_min_listings, config.matcher, config.seed))  # fmt: skip


def save_filter_models(models: FilterModels, directory: str | Path, keep: list[str]) -> str:
    def write(folder: Path) -> None:
        if models.non_physical is not None:
            joblib.dump(models.non_physical, folder / _NON_PHYSICAL)
        if models.matcher is not None:
            models.matcher.save(folder / _MATCHER)

    return write_version(directory, write, keep)


def load_filter_models(directory: str | Path, version: str) -> FilterModels:
    """The models saved as ``version``; FileNotFoundError when it is not there."""
    folder = version_folder(directory, version, "saved filter models")
    non_physical = joblib.load(folder / _NON_PHYSICAL) if (folder / _NON_PHYSICAL).exists() else None
    matcher = TextImageMatcher.load(folder / _MATCHER) if (folder / _MATCHER).exists() else None
    return FilterModels(non_physical, matcher)


def known_scores(asins: list[str], row_hashes: list[str], previous_state: pl.DataFrame | None,
                 previous_scores: pl.DataFrame | None) -> KnownScores:  # fmt: skip
    """Earlier scores of the listings in ``asins`` whose ``row_hash`` (a per-ASIN column of ``dedup_state``) is the
    one they were scored on; meaningful only with the models ``dedup_versions`` names (``previous_filter_models``)."""
    n = len(asins)
    if previous_state is None or previous_scores is None or "row_hash" not in previous_state.columns:
        return KnownScores(np.full(n, np.nan), np.full(n, np.nan))
    current = pl.DataFrame({"asin": asins, "row_hash": row_hashes, "_i": range(n)}, schema_overrides={"asin": pl.Utf8})
    same = current.join(previous_state.select("asin", "row_hash"), on=["asin", "row_hash"], how="inner")
    scores = same.join(previous_scores, on="asin", how="left").sort("_i")
    known = [np.full(n, np.nan) for _ in range(2)]
    for array, column in zip(known, ("non_physical_probability", "text_image_agreement")):
        values = scores[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
        array[scores["_i"].to_numpy()] = values
    return KnownScores(*known)


def row_hashes(objects: pl.DataFrame, hashes: pl.DataFrame) -> list[str]:
    """Per row of ``objects``: one hash of the joined row and of its inputs' hashes (``hashes``: asin,
    text_hash, image_hash, image_reason aligned with ``objects``); equal hashes mean equal filter inputs."""
    row = objects.select(pl.struct(sorted(objects.columns)).hash(seed=0).alias("_row"))
    both = pl.concat([row, hashes.select(pl.struct("text_hash", "image_hash", "image_reason").hash(seed=1).alias("_in"))],
                     how="horizontal")  # fmt: skip
    return both.select(pl.struct("_row", "_in").hash(seed=2).cast(pl.Utf8))["_row"].to_list()


@dataclass(frozen=True)
class PreviousModels:
    models: FilterModels | None  # None: fit again and score every listing
    version: str | None
    note: str


def previous_filter_models(versions: pl.DataFrame | None, directory: str | Path, config: FilterConfig) -> PreviousModels:
    """The models the committed ``dedup_versions`` row names, if they were fitted with ``config``'s model settings."""
    row, missing = committed_versions(versions)
    if row is None or row[MODELS_VERSION] is None:
        why = missing or "dedup_versions names no filter models"
        return PreviousModels(None, None, f"{why}: fitting the filter models and scoring every listing")
    version = row[MODELS_VERSION]
    if row[MODELS_CONFIG] != model_fingerprint(config):
        return PreviousModels(None, None, "filter model settings changed: fitting again and scoring every listing")
    try:
        return PreviousModels(load_filter_models(directory, version), version, f"scoring with filter models {version}")
    except FileNotFoundError as gone:
        return PreviousModels(None, None, f"{gone}: fitting again and scoring every listing")
