"""Find listings whose pictures do not show the product: one placeholder or logo image shared by many listings.

A picture is "shared" when listings use the same image URL, or when their image embeddings are the same
picture (a placeholder uploaded under many URLs). Sharing alone is normal: a seller's size and colour
variants often reuse one photo, and exact duplicate listings share all of theirs (the dedup stage handles
those). It becomes generic only when the listings sharing it are about unrelated things, measured as the mean
pairwise cosine of their text embeddings.

Embeddings are matched through a signature: the unit vector projected on a few fixed random directions and
rounded on a coarse grid. Pictures with the same pixels get the same signature despite the last-digit noise
of batched CPU inference, while different photos of one product do not; this keeps the stage linear in the
number of listings (no pairwise search) at any catalog size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_SIGNATURE_DIMS = 32
_SIGNATURE_GRID = 0.02  # projected components have std ~0.18; same pixels differ by < 1e-4
_SIGNATURE_SEED = 20240


@dataclass(frozen=True)
class GenericImages:
    """Per listing: whether its images are generic, and the largest unrelated group it shares a picture with."""

    flagged: np.ndarray  # bool
    group_size: np.ndarray  # int64; 0 when its pictures are not shared by an unrelated group
    group_text_similarity: np.ndarray  # float64 mean pairwise text cosine of that group; nan when none


def image_signatures(image_emb: np.ndarray, chunk: int = 65_536) -> list[bytes | None]:
    """A hashable key per row, equal for the same picture and different for different photos; None for a zero
    row (no picture). Computed in chunks: bounded memory at any catalog size."""
    directions = np.random.default_rng(_SIGNATURE_SEED).standard_normal((image_emb.shape[1], _SIGNATURE_DIMS))
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    keys: list[bytes | None] = []
    for start in range(0, len(image_emb), chunk):
        emb = np.asarray(image_emb[start : start + chunk], dtype=np.float64)
        norms = np.linalg.norm(emb, axis=1)
        cells = np.floor(emb @ directions / np.maximum(norms, 1e-12)[:, None] / _SIGNATURE_GRID).astype(np.int32)
        keys += [row.tobytes() if norm > 0 else None for row, norm in zip(cells, norms)]
    return keys


def find_generic_images(
    image_urls: Sequence[Sequence[str] | None],
    image_emb: np.ndarray,
    text_emb: np.ndarray,
    eligible: np.ndarray,
    min_listings: int,
    max_text_similarity: float,
) -> GenericImages:
    """Flag eligible listings sharing one picture (URL or embedding) with >= ``min_listings - 1`` others whose
    texts are unrelated (mean pairwise cosine of unit text embeddings < ``max_text_similarity``)."""
    n = len(image_urls)
    eligible = np.asarray(eligible, dtype=bool)
    groups: dict[tuple[str, object], list[int]] = defaultdict(list)
    for row in np.flatnonzero(eligible):
        for url in dict.fromkeys(image_urls[row] or ()):
            groups[("url", url)].append(int(row))
    rows = np.flatnonzero(eligible)  # only eligible rows: a text-only build signs nothing
    for row, signature in zip(rows, image_signatures(np.asarray(image_emb)[rows])):
        if signature is not None:
            groups[("emb", signature)].append(int(row))
    flagged = np.zeros(n, dtype=bool)
    group_size = np.zeros(n, dtype=np.int64)
    similarity = np.full(n, np.nan)
    for members in groups.values():
        members = sorted(set(members))
        if len(members) < min_listings:
            continue
        mean_cosine = _mean_pairwise_cosine(np.asarray(text_emb[members], dtype=np.float64))
        if mean_cosine >= max_text_similarity:
            continue
        larger = group_size[members] < len(members)
        flagged[members] = True
        group_size[np.array(members)[larger]] = len(members)
        similarity[np.array(members)[larger]] = mean_cosine
    return GenericImages(flagged, group_size, similarity)


def _mean_pairwise_cosine(rows: np.ndarray) -> float:
    """Mean cosine over distinct pairs of rows, in O(n) on unit rows: (|sum|^2 - n) / (n (n - 1)); zero rows
    count as unrelated to everything."""
    unit_rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    n = len(unit_rows)
    norms_sq = float((unit_rows * unit_rows).sum())
    total = unit_rows.sum(axis=0)
    return float((total @ total - norms_sq) / (n * (n - 1)))
