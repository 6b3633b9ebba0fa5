"""Compute is configuration: EMMA_MODEL_PROFILE and EMMA_MODEL_OVERRIDES reach the Lightning trainer's config."""

import pytest

from emma_pipeline.settings import load_settings
from resources import build_resources


def _config(tmp_path, **env):
    settings = load_settings({"EMMA_HOME": str(tmp_path), **env})
    return build_resources(settings)["model_training"].config()


def test_profile_and_overrides_set_the_trainer_fields(tmp_path):
    config = _config(tmp_path, EMMA_MODEL_PROFILE="gpu",
                     EMMA_MODEL_OVERRIDES='{"devices": 4, "precision": "bf16-mixed", "batch_size": 256}')
    assert (config.accelerator, config.devices, config.strategy) == ("gpu", 4, "ddp")
    assert (config.precision, config.batch_size) == ("bf16-mixed", 256)
    assert _config(tmp_path).accelerator == "cpu"


@pytest.mark.parametrize("overrides, message", [('{"devics": 2}', "unknown model config field"),
                                                ("devices=2", "not a JSON object"), ("[2]", "must be a JSON object")])
def test_bad_overrides_are_named(tmp_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        _config(tmp_path, EMMA_MODEL_OVERRIDES=overrides)
