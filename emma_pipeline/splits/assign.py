"""Train / val / test / calibration (paper section 3.1), stable across rebuilds.

Val and test come only from complete objects (mass, price, materials, category, more than one review, more than
one image); calibration from objects with materials. An ASIN keeps the split an earlier build gave it unless it is
no longer eligible; only new ASINs are drawn, in seeded-hash order, to bring each split up to its target size.
No val/test object may have a train object at text cosine >= ``eval_train_similarity``: such objects are demoted
to train with reason ``near_train_object``, and val/test are topped up from further candidates. Each row stores the
key of the text it was checked with (``text_key``: the embedding's input hash and the bar), so a rebuild checks
kept val/test objects only against train objects whose key is new, and in full only those whose own text changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from emma_pipeline.splits.config import SplitConfig
from emma_pipeline.splits.eligibility import check_objects, draw_order, has_materials, is_complete
from emma_pipeline.splits.near_train import demote_near_train

TRAIN, VAL, TEST, CALIBRATION = "train", "val", "test", "calibration"
SPLITS = (TRAIN, VAL, TEST, CALIBRATION)
NEAR_TRAIN = "near_train_object"
NO_LONGER_COMPLETE = "no_longer_complete"
NO_LONGER_HAS_MATERIALS = "no_longer_has_materials"
SPLIT_SCHEMA: dict[str, pl.DataType] = {
    "asin": pl.Utf8,
    "split": pl.Utf8,  # train | val | test | calibration
    "reason": pl.Utf8,  # why a held-out object or candidate went to train; null otherwise
    "text_key": pl.Utf8,  # the text (embedding input hash) and bar of this build's near-train check; null without one
}


def assign_splits(
    objects: pl.DataFrame,
    text_emb: np.ndarray | None,
    previous: pl.DataFrame | None = None,
    config: SplitConfig = SplitConfig(),
    text_keys: Sequence[str | None] | None = None,
) -> pl.DataFrame:
    """One SPLIT_SCHEMA row per object, in ``objects`` order.

    ``text_emb`` holds one row per object, aligned with ``objects``; None skips the near-train check.
    ``previous`` is the table an earlier call returned (rows of ASINs no longer among the objects are ignored).
    ``text_keys`` (aligned with ``objects``) name the text each embedding row was computed from, e.g. its input
    hash; a row whose key matches the one ``previous`` stored is not searched again against unchanged train rows.
    Without keys every row counts as changed, which gives the same splits at the cost of a full search.
    """
    check_objects(objects)
    if text_emb is not None and (text_emb.ndim != 2 or text_emb.shape[0] != objects.height):
        raise ValueError(f"text_emb has shape {text_emb.shape} for {objects.height} objects; need one row per object")
    flags = objects.select(complete=is_complete(), materials=has_materials())
    complete, materials = flags["complete"].to_numpy(), flags["materials"].to_numpy()
    split, reason, is_new = _carry_over(objects["asin"], previous, complete, materials)
    keys = _text_keys(text_keys, text_emb, objects.height, config)
    changed, was_held_out = _changed_text(objects["asin"], keys, previous)
    fresh = changed | was_held_out  # train rows no kept held-out object was checked against
    order = draw_order(objects["asin"], config.seed)
    targets = config.targets(objects.height)
    pool = order[(is_new & complete)[order]]
    unchecked = np.isin(split, (VAL, TEST)) & changed  # kept held-out objects whose text changed: checked in full
    for _ in range(config.refill_rounds + 1):
        pool = _draw_held_out(pool, split, targets, unchecked)
        if text_emb is None:
            break
        held_out = np.isin(split, (VAL, TEST))
        demoted = demote_near_train(
            text_emb, held_out, unchecked, config.eval_train_similarity, config.search_chunk, fresh
        )  # fmt: skip
        split[demoted], reason[demoted] = TRAIN, NEAR_TRAIN
        unchecked[:] = False
        fresh[:] = False  # every held-out row has now faced every train row
        if not pool.size or not demoted.any():
            break
    candidates = order[(is_new & materials & (split == TRAIN) & _is_none(reason))[order]]
    split[candidates[: max(0, targets[CALIBRATION] - int((split == CALIBRATION).sum()))]] = CALIBRATION
    return pl.DataFrame(
        {"asin": objects["asin"], "split": split.tolist(), "reason": reason.tolist(), "text_key": keys},
        schema=SPLIT_SCHEMA,
    )


def _text_keys(text_keys: Sequence[str | None] | None, text_emb: np.ndarray | None, n: int, config: SplitConfig) -> list:
    """Per object, the key its near-train check is stored under: the text's key and the similarity bar (a new
    bar re-checks everything); null without a check or without a key."""
    if text_emb is None or text_keys is None:
        return [None] * n
    if len(text_keys) != n:
        raise ValueError(f"text_keys has {len(text_keys)} entries for {n} objects; need one per object")
    bar = repr(float(config.eval_train_similarity))
    return [None if key is None else f"{key}@{bar}" for key in text_keys]


def _changed_text(asins: pl.Series, keys: list, previous: pl.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Per object: whether its key is missing or differs from the stored one (a new ASIN, new text, a new bar, or
    no earlier check), and whether it was held out last time (so never a train row the others were checked
    against)."""
    n = len(asins)
    if previous is None:
        return np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    old_key = previous["text_key"] if "text_key" in previous.columns else pl.lit(None, dtype=pl.Utf8)
    old = previous.select("asin", old_key.alias("old_key"), pl.col("split").is_in([VAL, TEST]).alias("was_held_out"))
    now = pl.DataFrame({"asin": asins, "text_key": pl.Series(keys, dtype=pl.Utf8)})
    joined = now.join(old, on="asin", how="left", maintain_order="left")
    same = (pl.col("text_key").is_not_null() & pl.col("text_key").eq(pl.col("old_key"))).fill_null(False)
    flags = joined.select(same.alias("same"), pl.col("was_held_out").fill_null(False))
    return ~flags["same"].to_numpy(), flags["was_held_out"].to_numpy()


def _carry_over(
    asins: pl.Series, previous: pl.DataFrame | None, complete: np.ndarray, materials: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(split, reason, is_new) per object: earlier splits kept where still eligible, else train with a reason."""
    split = np.full(len(asins), TRAIN, dtype=object)
    reason = np.full(len(asins), None, dtype=object)
    if previous is None:
        return split, reason, np.ones(len(asins), dtype=bool)
    unknown = set(previous["split"].drop_nulls().unique()) - set(SPLITS)
    if unknown or previous["split"].null_count():
        raise ValueError(f"previous splits hold values outside {SPLITS}: {sorted(unknown) or [None]}")
    if previous["asin"].n_unique() != previous.height:
        raise ValueError("previous splits repeat an ASIN; pass the table assign_splits returned")
    earlier = previous.select("asin", "split", "reason")
    old = asins.to_frame().join(earlier, on="asin", how="left", maintain_order="left")
    old_split, old_reason = old["split"].to_numpy(), old["reason"].to_numpy()
    is_new = _is_none(old_split)
    keep_train = old_split == TRAIN
    split[keep_train], reason[keep_train] = TRAIN, old_reason[keep_train]
    held_out = np.isin(old_split, (VAL, TEST))
    split[held_out & complete] = old_split[held_out & complete]
    reason[held_out & ~complete] = NO_LONGER_COMPLETE
    calibration = old_split == CALIBRATION
    split[calibration & materials] = CALIBRATION
    reason[calibration & ~materials] = NO_LONGER_HAS_MATERIALS
    return split, reason, is_new


def _draw_held_out(pool: np.ndarray, split: np.ndarray, targets: dict[str, int], unchecked: np.ndarray) -> np.ndarray:
    """Move the first candidates of ``pool`` into test and val, in proportion to what each still lacks (so a pool
    too small for both targets is shared fairly); marks them unchecked and returns the rest of the pool."""
    need_test = max(0, targets[TEST] - int((split == TEST).sum()))
    need_val = max(0, targets[VAL] - int((split == VAL).sum()))
    taken = pool[: need_test + need_val]
    n_test = round(taken.size * need_test / (need_test + need_val)) if taken.size else 0
    split[taken[:n_test]], split[taken[n_test:]] = TEST, VAL
    unchecked[taken] = True
    return pool[taken.size :]


def _is_none(values: np.ndarray) -> np.ndarray:
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))
