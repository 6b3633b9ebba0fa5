"""From a listing's image references to what the image encoder reads, and why some have no bytes.

A remote reference fetched OK becomes its file in the content-addressed store; one never fetched (fetching
disabled, or not attempted yet) or whose fetch failed is left out and named in the listing's reason. Local files
(the embedded sample ships its images as files in the landing batch) are read where they are: they already are
files, and copying them into the store would only double the sample's images on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from emma_pipeline.images.store import ImageStore
from emma_pipeline.images.urls import is_remote

IMAGES_NOT_FETCHED = "images_not_fetched"
IMAGE_FETCH_FAILED = "image_fetch_failed"
FETCH_REASONS = (IMAGES_NOT_FETCHED, IMAGE_FETCH_FAILED)


@dataclass(frozen=True)
class ResolvedImages:
    paths: list[list[str]]  # per listing: files to embed (store files for fetched URLs, local files as given)
    keys: list[list[str]]  # per listing, per reference: what the embedding cache is keyed on
    fetch_reasons: list[str | None]  # per listing: the first unfetched reference and why (None: nothing missing)
    references: list[int]  # per listing: how many image references it has


def resolve_images(image_lists: Sequence[Sequence[str] | None], fetches: pl.DataFrame, store: ImageStore) -> ResolvedImages:
    """``fetches``: the ``image_fetches`` table (url, status, content_hash, http_status, error)."""
    by_url = {row["url"]: row for row in fetches.select("url", "status", "content_hash", "http_status", "error").iter_rows(named=True)}
    paths, keys, reasons, counts = [], [], [], []
    for refs in image_lists:
        refs = list(dict.fromkeys(refs or ()))
        listing_paths, listing_keys, missing = [], [], []
        for ref in refs:
            if not is_remote(ref):
                listing_paths.append(ref)
                listing_keys.append(ref)
                continue
            row = by_url.get(ref)
            if row is not None and row["status"] == "ok":
                listing_paths.append(store.path(row["content_hash"]))
                listing_keys.append(f"sha256:{row['content_hash']}")
            else:
                missing.append(_unfetched(ref, row))
                listing_keys.append(f"unfetched:{ref}:{row['status'] if row else 'never'}")
        paths.append(listing_paths)
        keys.append(listing_keys)
        reasons.append(_first_reason(missing))
        counts.append(len(refs))
    return ResolvedImages(paths=paths, keys=keys, fetch_reasons=reasons, references=counts)


def _unfetched(ref: str, row: dict | None) -> str:
    if row is None:
        return f"{IMAGES_NOT_FETCHED}: {ref}"
    code = f" {row['http_status']}" if row["http_status"] is not None else ""
    return f"{IMAGE_FETCH_FAILED}: {row['status']}{code} {ref}" + (f" ({row['error']})" if row["error"] else "")


def _first_reason(missing: list[str]) -> str | None:
    """A listing's fetch reason; "image_fetch_failed" wins over "not fetched" when both occur (it was tried)."""
    failed = [m for m in missing if m.startswith(IMAGE_FETCH_FAILED)]
    return (failed or missing or [None])[0]


def listing_image_reason(embed_reason: str | None, fetch_reason: str | None, n_paths: int, n_refs: int) -> str | None:
    """Combine the encoder's reason for the files it got with the fetch reason for the references it did not.

    Nothing embedded (no file, or none readable) -> the fetch reason: the listing has images, and the unfetched
    ones may be fine. All files embedded but some references unfetched -> ``partial_images: k/n embedded; <fetch
    reason>``. Some files embedded -> the encoder's ``partial_images`` reason.
    """
    if fetch_reason is None:
        return embed_reason
    if embed_reason is None:
        return f"partial_images: {n_paths}/{n_refs} embedded; {fetch_reason}" if n_paths else fetch_reason
    return embed_reason if embed_reason.startswith("partial_images") else fetch_reason


def fetch_reason_code(listing_reason: str | None) -> str | None:
    """``images_not_fetched`` / ``image_fetch_failed`` when a listing's image reason is one of those, else None."""
    if listing_reason is None:
        return None
    code = listing_reason.split(":", 1)[0]
    return code if code in FETCH_REASONS else None
