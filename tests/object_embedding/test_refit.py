"""When a build may embed with the persisted object autoencoder instead of fitting a new one."""

from dataclasses import replace

import numpy as np

from emma_pipeline.object_embedding import AutoencoderConfig
from emma_pipeline.object_embedding.features import FeatureBlocks
from emma_pipeline.object_embedding.refit import fitted_at, refit_reason
from emma_pipeline.object_embedding.store import new_version

DAY = 86400.0
WIDTHS = {"text": 4, "price_usd": 1}
FEATURES = FeatureBlocks(["A"], {"text": np.zeros((1, 4), np.float32), "price_usd": np.zeros((1, 1), np.float32)},
                         {"text": np.ones(1, bool), "price_usd": np.ones(1, bool)}, {})  # fmt: skip
CONFIG = AutoencoderConfig()


def _reason(version="20261201T120000-abcdef12", trained=CONFIG, widths=WIDTHS, wanted=CONFIG, days=7.0, now_days=1.0):
    return refit_reason(version, trained, widths, FEATURES, wanted, days, now=fitted_at(version) + now_days * DAY)


def test_a_current_model_with_the_same_config_and_inputs_is_reused():
    assert _reason() is None
    # where it runs is not what it is; a loaded tuple comes back as a list
    assert _reason(wanted=replace(CONFIG, device="cuda")) is None
    assert _reason(trained=replace(CONFIG, identity_blocks=list(CONFIG.identity_blocks))) is None


def test_an_old_model_is_fitted_again_and_zero_days_fits_every_build():
    assert "days old" in _reason(now_days=7.0)
    assert _reason(now_days=6.9) is None
    assert "every build" in _reason(days=0)


def test_a_changed_training_config_or_input_width_fits_again():
    assert _reason(wanted=replace(CONFIG, epochs=5, view_dropout=0.2)) == "training config changed: epochs, view_dropout"
    assert "input blocks changed" in _reason(widths={"text": 8, "price_usd": 1})
    assert "input blocks changed" in _reason(widths={"text": 4})


def test_the_fit_time_is_read_from_the_version():
    before = __import__("time").time()
    assert abs(fitted_at(new_version("0d8f3a1e-aaaa-bbbb")) - before) < 5
    assert fitted_at("20261201T120000-abcdef12") == 1796126400.0
