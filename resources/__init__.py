"""Configurable resources and IO managers. ``build_resources`` is the one place the environment picks them."""

from __future__ import annotations

from resources.encoders import ImageEncoderResource, TextEncoderResource
from resources.ground_truth import GroundTruth
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager
from resources.landing_zone import LandingZone

from emma_pipeline.settings import Settings


def build_resources(settings: Settings) -> dict:
    return {
        "io_manager": DuckLakeIOManager(catalog=settings.lake_catalog, data_path=settings.lake_data),
        "landing": LandingZone(root=settings.landing),
        "lake": LakeResource(catalog=settings.lake_catalog, data_path=settings.lake_data),
        "ground_truth": GroundTruth(directory=str(settings.ground_truth_dir)),
        "text_encoder": TextEncoderResource(model=settings.text_model),
        "image_encoder": ImageEncoderResource(arch=settings.image_model),
    }


__all__ = [
    "DuckLakeIOManager", "GroundTruth", "ImageEncoderResource", "LakeResource", "LandingZone", "TextEncoderResource",
    "build_resources",
]  # fmt: skip
