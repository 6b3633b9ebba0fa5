"""Each object's images by content hash: the sha256 of the bytes, the name they have in the image store.

A remote reference is known by the ``content_hash`` its successful fetch recorded in ``image_fetches`` (the bytes
live in the content-addressed store); a local file (the embedded sample ships its pictures as files of the landing
batch) is hashed from its bytes. A reference with no bytes (never fetched, fetch failed, file gone) is left out
of the list and counted, never guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import fsspec
import polars as pl

from emma_pipeline.images.store import ImageStore
from emma_pipeline.images.urls import is_remote

_CHUNK = 1 << 20


@dataclass
class ImageHashes:
    hashes: list[list[str]]  # per object: sha256 of each image with bytes, listing order, no repeats
    sources: dict[str, str] = field(default_factory=dict)  # sha256 -> a path or URL holding those bytes
    missing: dict[str, int] = field(default_factory=dict)  # why a reference has no bytes -> how many

    @property
    def referenced(self) -> int:
        return len(self.sources)


def hash_images(image_lists: Sequence[Sequence[str] | None], fetches: pl.DataFrame | None, store: ImageStore) -> ImageHashes:
    """``fetches``: the ``image_fetches`` table (url, status, content_hash), or None when the lake has none."""
    fetched = {}
    if fetches is not None and fetches.height:
        ok = fetches.filter((pl.col("status") == "ok") & pl.col("content_hash").is_not_null())
        fetched = dict(ok.select("url", "content_hash").iter_rows())
    result, local = ImageHashes(hashes=[]), {}
    for refs in image_lists:
        digests = []
        for ref in dict.fromkeys(refs or ()):
            digest = _digest(ref, fetched, local, result)
            if digest is not None and digest not in digests:
                digests.append(digest)
                result.sources.setdefault(digest, ref if not is_remote(ref) else store.path(digest))
        result.hashes.append(digests)
    return result


def _digest(ref: str, fetched: dict[str, str], local: dict[str, str | None], result: ImageHashes) -> str | None:
    if is_remote(ref):
        if ref in fetched:
            return fetched[ref]
        _count(result, "remote image not fetched (or its fetch failed)")
        return None
    if ref not in local:
        local[ref] = file_sha256(ref)
    if local[ref] is None:
        _count(result, "local image file missing")
    return local[ref]


def _count(result: ImageHashes, reason: str) -> None:
    result.missing[reason] = result.missing.get(reason, 0) + 1


def file_sha256(path: str) -> str | None:
    """sha256 of a file's bytes (a path or fsspec URL), or None when it does not exist."""
    digest = hashlib.sha256()
    try:
        with fsspec.open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def copy_images(sources: dict[str, str], out: Path) -> int:
    """Copy each image into ``out/images/<aa>/<sha256>`` (the store's layout); returns how many were written."""
    written = 0
    for digest, source in sorted(sources.items()):
        target = out / "images" / digest[:2] / digest
        if target.exists() and target.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with fsspec.open(source, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"image {source} no longer has sha256 {digest}: its bytes changed since it was hashed")
        partial = target.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(target)
        written += 1
    return written
