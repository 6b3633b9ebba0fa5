"""Near-duplicate listings: the same product sold under several ASINs (paper appendix, "Filtering and Data
Cleaning"): "Any two entries for which either of the two embedding types were too close" are duplicates, and
of each group only "the entry with the most attributes filled in" is kept.

Two listings are duplicates when they share a normalized text or a picture (``exact_duplicates``), or when
each is among the other's ``k`` nearest neighbours (the chaining guard, see ``duplicate_groups``) and
their text cosine >= ``text_threshold``, or their image cosine >= ``image_threshold``, or their titles of one
brand share most words (``title_overlap``) at text cosine >= ``title_text_threshold``. Groups are the
connected components. Listings without text never match on text, all-zero image rows never on image.

Incremental runs pass ``index``: the text and image indexes of the objects kept by earlier runs, updated in
place and returned (persist them with ``dedup_store``). The semantics keep the best object seen so far:

- Each new group is compared with earlier kept objects by embedding (the indexes keep no titles, so the
  title rule works within a run) and joins the single most similar one that is a duplicate of any of its
  members. Two earlier kept objects are never merged: an earlier run judged them distinct, and a new
  listing resembling both does not overturn that.
- The earlier object stays kept and the new listings are removed, unless the new group's best listing has
  strictly more attributes; then the new one is kept, the earlier one appears in ``removals`` (and in
  ``replaced``) with the new one as its kept twin, and leaves the indexes. Ties keep the earlier object, so a
  re-delivered copy never churns the catalogue.
- An ASIN delivered again (a changed listing) is first taken out of the indexes and judged afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.cleaning.ann_index import VectorIndex
from emma_pipeline.cleaning.completeness import attribute_counts, preference_rank
from emma_pipeline.cleaning.dedup_config import DedupConfig
from emma_pipeline.cleaning.dedup_report import GroupPlan, report_frames
from emma_pipeline.cleaning.dedup_state import DedupIndex
from emma_pipeline.cleaning.duplicate_groups import (
    UnionFind,
    earlier_matches,
    mutual_pairs,
    neighbour_rows,
    representatives,
)
from emma_pipeline.cleaning.exact_duplicates import image_keys, key_groups, text_keys
from emma_pipeline.cleaning.title_overlap import title_overlap


@dataclass(frozen=True)
class DedupResult:
    kept: pl.DataFrame  # the input objects minus the removed ones, in input order
    groups: pl.DataFrame  # group_id, asin, kept_asin, is_kept, similarity, matched_by
    removals: pl.DataFrame  # REMOVALS_SCHEMA rows, stage "dedup"
    replaced: list[str]  # earlier kept ASINs replaced by a better new twin: drop them from the stored objects
    index: DedupIndex  # text and image indexes of every object kept so far


def find_duplicates(
    objects: pl.DataFrame,
    text_emb: np.ndarray,
    image_emb: np.ndarray,
    config: DedupConfig = DedupConfig(),
    index: DedupIndex | None = None,
) -> DedupResult:
    """Group duplicate listings and keep the most complete one per group (rows of the embeddings align with
    ``objects`` rows; image rows are summed image features, any scale)."""
    _check_inputs(objects, text_emb, image_emb)
    text_index, image_index = index or (
        VectorIndex.create(text_emb.shape[1], config.index_params),
        VectorIndex.create(image_emb.shape[1], config.index_params),
    )
    asins = objects["asin"].to_list()
    for vector_index in (text_index, image_index):
        vector_index.delete([asin for asin in asins if vector_index.contains(asin)])
    rank, attributes = preference_rank(objects), attribute_counts(objects)
    keys = {"text": text_keys(objects), "image": image_keys(image_emb)}
    exact = {name: key_groups(found, config.max_exact_group) for name, found in keys.items()}
    valid = {  # rows that take part in matching on each embedding
        "text": _has_key(keys["text"]) & ~exact["text"].generic & _usable(text_emb),
        "image": _has_key(keys["image"]) & ~exact["image"].generic & _usable(image_emb),
    }
    sets = UnionFind(len(asins))
    sets.union_rows(exact["text"].groups + exact["image"].groups)
    exact_labels = sets.labels()
    row_of = {asin: row for row, asin in enumerate(asins)}
    titles, brands = ([None] * len(asins) if c not in objects.columns else objects[c].to_list()
                      for c in ("title", "brand"))
    earlier: dict[int, tuple[str, float]] = {}  # row -> (most similar earlier kept ASIN, cosine)
    searches = (("text", text_emb, text_index, config.text_threshold),
                ("image", image_emb, image_index, config.image_threshold))  # fmt: skip
    for modality, emb, vector_index, threshold in searches:
        reps = representatives(exact_labels, rank, valid[modality])
        rep_vectors = emb if len(reps) == len(emb) else emb[reps]  # no copy of millions of rows when all count
        vector_index.add([asins[r] for r in reps], rep_vectors, attributes[reps])
        found, sims = vector_index.search(rep_vectors, config.k + 1)  # +1: each finds itself
        del rep_vectors
        neighbours = neighbour_rows(found, row_of)
        floor = min(threshold, config.title_text_threshold) if modality == "text" else threshold
        pairs, cosines = mutual_pairs(reps, neighbours, sims, floor)
        duplicate = cosines >= threshold
        if modality == "text":
            duplicate |= title_overlap(pairs, titles, brands) >= config.title_threshold
        for a, b in pairs[duplicate].tolist():
            sets.union(a, b)
        for row, (asin, sim) in earlier_matches(reps, found, neighbours, sims, threshold).items():
            if row not in earlier or sim > earlier[row][1]:
                earlier[row] = (asin, sim)
    plans = _plan_groups(sets.labels(), rank, attributes, earlier, (text_index, image_index))
    groups, removals = report_frames(plans, asins, (titles, brands), keys, valid, (text_emb, image_emb),
                                     (text_index, image_index), config)
    removed_new = [asins[row] for plan in plans for row in plan.rows if row != plan.kept_row]
    replaced = [plan.earlier for plan in plans if plan.earlier is not None and plan.kept_row is not None]
    for vector_index in (text_index, image_index):
        vector_index.delete([asin for asin in removed_new + replaced if vector_index.contains(asin)])
    kept = objects.filter(~pl.col("asin").is_in(removed_new))
    return DedupResult(kept, groups, removals, replaced, DedupIndex(text_index, image_index))


def _plan_groups(
    labels: np.ndarray,
    rank: np.ndarray,
    attributes: np.ndarray,
    earlier: dict[int, tuple[str, float]],
    indexes: DedupIndex,
) -> list[GroupPlan]:
    """One plan per duplicate group: its new rows, the earlier kept object it joins, and which one is kept."""
    _, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    by_earlier: dict[str | None, list[np.ndarray]] = {}
    for rows in np.split(np.argsort(inverse, kind="stable"), np.cumsum(sizes)[:-1]):
        hits = [earlier[row] for row in rows.tolist() if row in earlier]
        if len(rows) > 1 or hits:
            joined = min(hits, key=lambda hit: (-hit[1], hit[0]))[0] if hits else None
            by_earlier.setdefault(joined, []).append(rows)
    plans = [GroupPlan(rows.tolist(), int(rows[np.argmin(rank[rows])])) for rows in by_earlier.pop(None, [])]
    for earlier_asin, sets_of_rows in by_earlier.items():
        rows = np.concatenate(sets_of_rows)
        best_row = int(rows[np.argmin(rank[rows])])
        earlier_attributes = _stored_score(earlier_asin, indexes)
        new_wins = attributes[best_row] > earlier_attributes
        plans.append(GroupPlan(rows.tolist(), best_row if new_wins else None, earlier_asin, earlier_attributes,
                               int(attributes[best_row])))
    return plans


def _stored_score(asin: str, indexes: DedupIndex) -> int:
    holder = next(vector_index for vector_index in indexes if vector_index.contains(asin))
    return int(holder.scores([asin])[0])


def _has_key(keys: list) -> np.ndarray:
    return np.array([key is not None for key in keys], dtype=bool)


def _usable(emb: np.ndarray) -> np.ndarray:
    """Rows with a finite, non-zero embedding (a failed encoder row never matches anything)."""
    squared_norms = np.einsum("ij,ij->i", emb, emb)  # nan or inf when a row is not finite
    return np.isfinite(squared_norms) & (squared_norms > 0)


def _check_inputs(objects: pl.DataFrame, text_emb: np.ndarray, image_emb: np.ndarray) -> None:
    if "asin" not in objects.columns:
        raise ValueError("objects need an 'asin' column")
    if text_emb.ndim != 2 or image_emb.ndim != 2 or not len(text_emb) == len(image_emb) == objects.height:
        raise ValueError(
            f"embeddings must be 2-d with one row per object: {objects.height} objects, text {text_emb.shape}, "
            f"image {image_emb.shape}"
        )
    if objects["asin"].null_count() or objects["asin"].n_unique() != objects.height:
        raise ValueError("objects must have one row per ASIN (non-null, unique), as the ASIN join produces")
