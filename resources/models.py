"""Model training settings as a resource: the compute profile, overrides, and where artifacts live."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import ConfigurableResource

from emma_pipeline.models.config import ModelConfig, profile


class ModelTrainingResource(ConfigurableResource):
    """``profile``: cpu (the sample on 2 cores), tiny (tests) or gpu (DDP, mixed precision). ``overrides``: a JSON
    object of ModelConfig fields, e.g. ``{"devices": 4, "batch_size": 256}`` — compute is configuration."""

    profile: str = "cpu"
    overrides: str = "{}"
    root: str  # artifact root (local folder or s3:// prefix)
    cache_dir: str  # local work folder for remote roots
    # A build whose objects changed scores the new and changed ones with the current models (the rest keep their
    # predictions) until a model is this many days old, then trains again; 0 trains whenever the inputs changed.
    retrain_after_days: float = 7.0

    def config(self, **extra) -> ModelConfig:
        try:
            overrides = json.loads(self.overrides or "{}")
        except json.JSONDecodeError as error:
            raise ValueError(f"model overrides (EMMA_MODEL_OVERRIDES) are not a JSON object: {error}") from None
        if not isinstance(overrides, dict):
            raise ValueError(f"model overrides (EMMA_MODEL_OVERRIDES) must be a JSON object, got {self.overrides!r}")
        return profile(self.profile, **{**overrides, **extra})

    def cache(self) -> Path:
        return Path(self.cache_dir)
