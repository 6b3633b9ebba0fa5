"""The image store and how it is filled, as one configurable resource (set per deployment in definitions)."""

from __future__ import annotations

from dagster import ConfigurableResource

from emma_pipeline.images import FetchConfig, ImageStore

_DEFAULTS = FetchConfig()


class ImageStoreResource(ConfigurableResource):
    """``root``: the content-addressed store (a folder or fsspec URL; by default ``_images`` under the landing
    root, which the landing sensor skips). The other fields configure fetching (see ``FetchConfig``):
    ``fetch_enabled`` false requests nothing, so listings with only remote images are marked
    ``images_not_fetched``."""

    root: str
    fetch_enabled: bool = _DEFAULTS.enabled
    concurrency: int = _DEFAULTS.concurrency
    per_host_rate: float = _DEFAULTS.per_host_rate
    connect_timeout: float = _DEFAULTS.connect_timeout
    read_timeout: float = _DEFAULTS.read_timeout
    total_timeout: float = _DEFAULTS.total_timeout
    max_bytes: int = _DEFAULTS.max_bytes
    retries: int = _DEFAULTS.retries
    backoff_seconds: float = _DEFAULTS.backoff_seconds

    def store(self) -> ImageStore:
        return ImageStore(self.root)

    def fetch_config(self) -> FetchConfig:
        return FetchConfig(
            enabled=self.fetch_enabled, concurrency=self.concurrency, per_host_rate=self.per_host_rate,
            connect_timeout=self.connect_timeout, read_timeout=self.read_timeout, total_timeout=self.total_timeout,
            max_bytes=self.max_bytes, retries=self.retries, backoff_seconds=self.backoff_seconds,
        )  # fmt: skip


def default_image_store_root(landing: str) -> str:
    return landing.rstrip("/") + "/_images"
