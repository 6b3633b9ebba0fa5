"""One key per object for what a model reads of it, so a later batch re-scores only the objects whose inputs
changed: the text for the text model, the image files for the vision model, and for a fusion model the
upstream embeddings plus every raw attribute it may take as an input (before scaling, whose statistics are the
stored model's and do not move)."""

from __future__ import annotations

import hashlib
import os

import numpy as np

from emma_pipeline.models.prepare import Prepared


def row_keys(*columns) -> np.ndarray:
    """(n,) uint64: a hash of each row across ``columns`` (numpy arrays, row-aligned, or lists of plain values)."""
    n = len(columns[0])
    digests = [hashlib.blake2b(digest_size=8) for _ in range(n)]
    for column in columns:
        if isinstance(column, np.ndarray) and column.dtype != object:
            flat = np.ascontiguousarray(column.reshape(n, -1))
            for digest, row in zip(digests, flat, strict=True):
                digest.update(row.tobytes())
        else:
            for digest, value in zip(digests, column, strict=True):
                digest.update(repr(value).encode())
        for digest in digests:
            digest.update(b"\x1f")
    return np.frombuffer(b"".join(d.digest() for d in digests), dtype=np.uint64).copy()


def text_keys(prepared: Prepared) -> np.ndarray:
    return row_keys(prepared.objects["text"].to_list())


def image_keys(prepared: Prepared) -> np.ndarray:
    """The image references with each local file's size and mtime: a picture replaced under its path, or one
    that became readable, is scored again."""
    return row_keys([[file_state(p) for p in paths or []] for paths in prepared.objects["image_urls"].to_list()])


def file_state(path: str) -> str:
    """``path|size|mtime`` of a local file; the path alone when it is remote or missing."""
    try:
        stat = os.stat(path)
    except (OSError, TypeError, ValueError):
        return f"{path}"
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def fusion_keys(features: Prepared, text_embedding: np.ndarray | None, image_embedding: np.ndarray | None,
                image_available: np.ndarray | None) -> np.ndarray:  # fmt: skip
    n = len(features.asins)
    objects, t = features.objects, features.targets
    scalar = [objects[c].to_list() if c in objects.columns else [None] * n
              for c in ("price_usd", "mass_kg", "package_weight_kg", "dimensions_cm", "product_type_id")]  # fmt: skip
    embeddings = [e for e in (text_embedding, image_embedding, image_available) if e is not None]
    return row_keys(*embeddings, *scalar, t.materials * t.materials_mask, t.materials_mask, np.nan_to_num(t.ratings, nan=-1.0),
                    t.review_count, t.category)  # fmt: skip
