"""Configurable resources and IO managers. ``build_resources`` is the one place the environment picks them."""

from __future__ import annotations

import os

from dagster import EnvVar

from resources.cleaning import CleaningResource
from resources.encoders import ImageEncoderResource, TextEncoderResource
from resources.folders import OutputFolders
from resources.ground_truth import GroundTruth
from resources.image_store import ImageStoreResource, default_image_store_root
from resources.label_store import LabelStoreResource
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager
from resources.landing_zone import LandingZone
from resources.models import ModelTrainingResource

from emma_pipeline.labeling.serve import label_store_path
from emma_pipeline.settings import Settings
from emma_pipeline.warehouse.storage import models_root


def build_resources(settings: Settings) -> dict:
    lake = LakeResource(catalog=settings.lake_catalog, data_path=settings.lake_data, **_s3_fields(settings))
    return {
        "io_manager": DuckLakeIOManager(lake_resource=lake),
        "landing": LandingZone(root=settings.landing),
        "lake": lake,
        "ground_truth": GroundTruth(directory=str(settings.ground_truth_dir)),
        "text_encoder": TextEncoderResource(model=settings.text_model),
        "image_encoder": ImageEncoderResource(arch=settings.image_model),
        "image_store": ImageStoreResource(root=default_image_store_root(settings.landing)),
        "cleaning": CleaningResource(require_images=settings.require_images),
        "folders": OutputFolders(reports=str(settings.reports_dir), indexes=str(settings.index_dir),
                                 object_models=str(settings.object_models_dir)),
        "label_store": LabelStoreResource(path=str(label_store_path(settings))),
        "model_training": ModelTrainingResource(
            profile=settings.model_profile, overrides=settings.model_overrides, retrain_after_days=settings.retrain_after_days,
            root=models_root(settings.lake_data, settings.models_root or None), cache_dir=str(settings.cache_dir),
        ),
    }


def _s3_fields(settings: Settings) -> dict:
    """S3 access for an s3:// lake: endpoint and style from settings, credentials only through EnvVar."""
    if not settings.lake_data.startswith("s3://"):
        return {}
    fields = {k: v for k, v in settings.s3.items() if v not in ("", None)}
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        fields.update(s3_key_id=EnvVar("AWS_ACCESS_KEY_ID"), s3_secret=EnvVar("AWS_SECRET_ACCESS_KEY"))
    return fields


__all__ = [
    "CleaningResource", "DuckLakeIOManager", "GroundTruth", "ImageEncoderResource", "ImageStoreResource", "LabelStoreResource", "LakeResource",
    "LandingZone", "ModelTrainingResource", "OutputFolders", "TextEncoderResource",
    "build_resources",
]  # fmt: skip
