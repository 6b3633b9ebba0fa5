"""Pretrained text and image encoders that load offline from weights packages (or a local directory)."""

from emma_pipeline.encoders.image_encoder import ImageEncoder, has_embedding
from emma_pipeline.encoders.text_encoder import TextEncoder, resolve_text_model
from emma_pipeline.encoders.torch_imports import ensure_torchvision_importable

__all__ = ["ImageEncoder", "TextEncoder", "ensure_torchvision_importable", "has_embedding", "resolve_text_model"]
