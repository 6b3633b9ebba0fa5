"""The images stage: remote listing images fetched into a content-addressed store, with a status per URL."""

from emma_pipeline.images.config import FetchConfig
from emma_pipeline.images.fetcher import STATUSES, FetchOutcome, fetch_urls
from emma_pipeline.images.resolve import (
    FETCH_REASONS, IMAGE_FETCH_FAILED, IMAGES_NOT_FETCHED, ResolvedImages, fetch_reason_code, listing_image_reason,
    resolve_images,
)  # fmt: skip
from emma_pipeline.images.status import FETCH_SCHEMA, empty_fetches, pending_urls, remote_refs, update_fetches
from emma_pipeline.images.store import ImageStore, content_hash
from emma_pipeline.images.urls import is_remote, normalize_image_url, normalized_url_expr

__all__ = [
    "FETCH_REASONS", "FETCH_SCHEMA", "IMAGES_NOT_FETCHED", "IMAGE_FETCH_FAILED", "STATUSES", "FetchConfig",
    "FetchOutcome", "ImageStore", "ResolvedImages", "content_hash", "empty_fetches", "fetch_reason_code",
    "fetch_urls", "is_remote", "listing_image_reason", "normalize_image_url", "normalized_url_expr",
    "pending_urls", "remote_refs", "resolve_images", "update_fetches",
]  # fmt: skip
