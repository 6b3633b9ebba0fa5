"""The dedup stage's outputs: one ``groups`` row per listing of a duplicate group and one removals row per
listing removed, each saying how it resembles the kept one.

``matched_by`` and ``similarity`` compare the listing directly with the kept one: an exact key (similarity
1.0), else the embedding whose cosine clears its threshold by most, else the title rule (similarity = the
text cosine). When none holds, the listing joined through a chain of duplicates (A ~ B ~ C): the row shows the
embedding closest to its threshold, below it, or nulls when the two share no embedding at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.cleaning.dedup_config import DedupConfig
from emma_pipeline.cleaning.dedup_state import DedupIndex
from emma_pipeline.cleaning.title_overlap import normalized_brand, title_words, word_jaccard
from emma_pipeline.removals import removals_frame

GROUPS_SCHEMA: dict[str, pl.DataType] = {
    "group_id": pl.Int64, "asin": pl.Utf8, "kept_asin": pl.Utf8, "is_kept": pl.Boolean, "similarity": pl.Float64,
    "matched_by": pl.Utf8,  # exact_text | exact_image | text | image | title; null on the kept row
}  # fmt: skip
_MODALITIES = ("text", "image")


@dataclass(frozen=True)
class GroupPlan:
    rows: list[int]  # rows of this run in the group
    kept_row: int | None  # None: the earlier kept object stays kept
    earlier: str | None = None  # the earlier kept ASIN the group joined
    earlier_attributes: int | None = None
    new_attributes: int | None = None


@dataclass(frozen=True)
class _Side:
    keys: tuple[object | None, object | None]  # (text key, image key); None = no usable key
    vectors: tuple[np.ndarray | None, np.ndarray | None]  # (text, image); None = no usable embedding
    title: frozenset[str]  # empty for earlier kept objects (the indexes keep no titles)
    brand: str = ""


@dataclass(frozen=True)
class _Match:
    matched_by: str | None
    similarity: float | None
    detail: str


def report_frames(
    plans: Sequence[GroupPlan],
    asins: Sequence[str],
    titles_brands: tuple[Sequence[str | None], Sequence[str | None]],
    keys: dict[str, list],
    valid: dict[str, np.ndarray],
    embeddings: tuple[np.ndarray, np.ndarray],
    indexes: DedupIndex,
    config: DedupConfig,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(groups, removals); group ids number the groups in order of their kept ASIN."""

    def new_side(row: int) -> _Side:
        usable = [bool(valid[m][row]) for m in _MODALITIES]
        return _Side(
            tuple(keys[m][row] if ok else None for m, ok in zip(_MODALITIES, usable)),
            tuple(emb[row] if ok else None for emb, ok in zip(embeddings, usable)),
            title_words(titles_brands[0][row]),
            normalized_brand(titles_brands[1][row]),
        )

    def earlier_side(asin: str) -> _Side:
        vectors = tuple(ix.vectors([asin])[0] if ix.contains(asin) else None for ix in indexes)
        return _Side((None, None), vectors, frozenset())

    kept_of = [asins[p.kept_row] if p.kept_row is not None else p.earlier for p in plans]
    group_rows, removal_rows = [], []
    for group_id, plan_number in enumerate(sorted(range(len(plans)), key=kept_of.__getitem__)):
        plan, kept = plans[plan_number], kept_of[plan_number]
        kept_side = new_side(plan.kept_row) if plan.kept_row is not None else earlier_side(kept)
        group_rows.append((group_id, kept, kept, True, 1.0, None))
        members = [(asins[row], new_side(row)) for row in plan.rows if row != plan.kept_row]
        if plan.earlier is not None and plan.kept_row is not None:
            members.append((plan.earlier, earlier_side(plan.earlier)))
        for asin, side in sorted(members, key=lambda member: member[0]):
            match = _match(side, kept_side, kept, config)
            group_rows.append((group_id, asin, kept, False, match.similarity, match.matched_by))
            detail = match.detail
            if asin == plan.earlier:
                detail = (f"previously kept; replaced by {kept} with more attributes "
                          f"({plan.new_attributes} > {plan.earlier_attributes}); {detail}")
            reason = "exact_duplicate" if match.matched_by in ("exact_text", "exact_image") else "near_duplicate"
            removal_rows.append(
                {"asin": asin, "stage": "dedup", "reason": reason, "detail": detail, "kept_twin": kept}
            )
    groups = pl.DataFrame(group_rows, schema=GROUPS_SCHEMA, orient="row")
    return groups, removals_frame(removal_rows)


def _match(side: _Side, kept_side: _Side, kept: str, config: DedupConfig) -> _Match:
    if side.keys[0] is not None and side.keys[0] == kept_side.keys[0]:
        return _Match("exact_text", 1.0, f"same normalized title, features and description as {kept}")
    if side.keys[1] is not None and side.keys[1] == kept_side.keys[1]:
        return _Match("exact_image", 1.0, f"same picture as {kept}")
    thresholds = (config.text_threshold, config.image_threshold)
    cosines = [
        (_cosine(vector, kept_vector) - threshold, modality, _cosine(vector, kept_vector), threshold)
        for modality, vector, kept_vector, threshold in zip(_MODALITIES, side.vectors, kept_side.vectors, thresholds)
        if vector is not None and kept_vector is not None
    ]
    margin, modality, cosine, threshold = max(cosines, default=(None, None, None, None))
    if cosines and margin >= 0:
        return _Match(modality, cosine, f"{modality} cosine {cosine:.4f} >= {threshold} with {kept}")
    text = next((c for _, m, c, _ in cosines if m == "text"), None)
    other_brand = side.brand and kept_side.brand and side.brand != kept_side.brand
    overlap = 0.0 if other_brand else word_jaccard(side.title, kept_side.title)
    if text is not None and text >= config.title_text_threshold and overlap >= config.title_threshold:
        return _Match("title", text, f"titles share {overlap:.0%} of their words, text cosine {text:.4f} "
                                     f">= {config.title_text_threshold} with {kept}")
    if not cosines:
        return _Match(None, None, f"in one duplicate group with {kept} through other listings (no embedding in "
                                  "common)")
    return _Match(modality, cosine, f"{modality} cosine {cosine:.4f} with {kept}, joined through a chain of "
                                    "duplicates")


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
