"""How the cleaning stage judges listings, set per deployment in definitions."""

from __future__ import annotations

from dagster import ConfigurableResource

from emma_pipeline.cleaning.filters import FilterConfig

_DEFAULTS = FilterConfig()


class CleaningResource(ConfigurableResource):
    """``require_images`` (default true, the paper's dataset): a listing without a readable image is removed
    (``no_image``, ``images_not_fetched``, ``image_fetch_failed``). False builds a text-only dataset: such
    listings stay, and the image-based filters (generic image, text-image mismatch) judge only the listings
    that have a picture."""

    require_images: bool = _DEFAULTS.require_images

    def filter_config(self) -> FilterConfig:
        return FilterConfig(require_images=self.require_images)
