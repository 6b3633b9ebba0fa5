"""What is chosen on held-out rows, never on the test split: the material F1 threshold and the best epoch."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from emma_pipeline.models.calibration import fit_prior_weight, fit_threshold
from emma_pipeline.models.data import MultiTaskData, target_arrays
from emma_pipeline.models.metrics import material_f1, rating_kl
from emma_pipeline.models.tasks import TaskConfig
from emma_pipeline.models.text_model import build_heads
from emma_pipeline.models.training import fit
from emma_pipeline.models.trained import calibrated
from emma_pipeline.models.baselines import baseline_predictions
from emma_pipeline.models.predictions import Predictions


def test_threshold_follows_the_ranking_when_probabilities_stay_below_one_half():
    # every object's true node has probability 0.3, every other counted node 0.1: at 0.5 nothing is predicted
    prob = np.array([[0.3, 0.1, 0.1], [0.1, 0.3, 0.1], [0.1, 0.1, 0.3]])
    target, mask = np.eye(3), np.ones((3, 3))
    assert material_f1(prob, target, mask) == 0.0
    chosen = fit_threshold(prob, target, mask)
    assert 0.1 < chosen <= 0.3
    assert material_f1(prob, target, mask, chosen) == 1.0


def test_threshold_is_one_half_without_labels_and_calibrated_predictions_carry_it(prepared):
    assert fit_threshold(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3))) == 0.5
    train = prepared.targets.subset(prepared.rows("train"))
    base = calibrated(baseline_predictions(train, prepared.hierarchy, len(prepared.asins)), prepared)
    assert 0.0 < base.material_threshold < 1.0


def _peaked(rng, n, target=None):
    """Distributions that put 0.9 on one star: the target's likeliest star for half the rows (when given), a
    random star otherwise: informative but overconfident."""
    star = rng.integers(0, 5, n)
    if target is not None:
        star = np.where(rng.random(n) < 0.5, target.argmax(axis=1), star)
    out = np.full((n, 5), 0.025)
    out[np.arange(n), star] = 0.9
    return out


def test_rating_prior_weight_is_zero_for_exact_predictions_and_shrinks_noisy_ones():
    rng = np.random.default_rng(0)
    target = rng.dirichlet(np.ones(5) * 2, size=200)
    prior = target.mean(axis=0)
    assert fit_prior_weight(target, prior, target) == 0.0
    noisy = _peaked(rng, 200, target)
    w = fit_prior_weight(noisy, prior, target)
    mixed = rating_kl((1 - w) * noisy + w * prior, target)
    assert 0.0 < w < 1.0
    assert mixed < min(rating_kl(noisy, target), rating_kl(np.tile(prior, (200, 1)), target))
    unrated = np.full((3, 5), np.nan)
    assert fit_prior_weight(noisy[:3], prior, unrated) == 0.0


def test_rating_shrinkage_is_fitted_on_held_out_rows_never_on_test(prepared):
    """Changing the test split's rating targets leaves the fitted weight alone; changing the held-out ones moves it."""
    rng = np.random.default_rng(1)
    n = len(prepared.asins)
    noisy = Predictions(available=np.ones(n, dtype=bool), ratings=_peaked(rng, n))
    w = calibrated(noisy, prepared).rating_prior_weight
    assert 0.0 < w <= 1.0

    def with_ratings(rows, values):
        ratings = prepared.targets.ratings.copy()
        ratings[rows] = values
        return replace(prepared, targets=replace(prepared.targets, ratings=ratings))

    test = prepared.rows("test")
    assert calibrated(noisy, with_ratings(test, noisy.ratings[test])).rating_prior_weight == w
    held = prepared.rows("val", "calibration")
    assert calibrated(noisy, with_ratings(held, noisy.ratings[held])).rating_prior_weight == 0.0


class Tabular(torch.nn.Module):
    def __init__(self, heads):
        super().__init__()
        self.heads = heads

    def forward(self, batch):
        return self.heads(batch["x"]), {}


def test_fit_loads_back_the_epoch_with_the_lowest_val_loss(prepared, tiny_config, tmp_path: Path):
    n = len(prepared.asins)
    x = np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32)
    net = Tabular(build_heads(4, TaskConfig("mass", "text", ("mass",), ("text",)), prepared, tiny_config))
    data = MultiTaskData({"x": x, **target_arrays(prepared.targets)}, prepared.rows("train"), prepared.rows("val"), 4)
    module = fit(net, data, ("mass",), prepared.hierarchy, tiny_config.with_(epochs=3), tmp_path, freeze_epochs=0)
    best = sorted((tmp_path / "checkpoints").glob("epoch=*.ckpt"))
    assert len(best) == 1 and module.best_epoch in range(3)
    saved = torch.load(best[0], map_location="cpu", weights_only=False)["state_dict"]
    assert all(torch.equal(saved[k], v) for k, v in module.state_dict().items())
    assert f"epoch={module.best_epoch}-" in best[0].name


def test_training_stops_once_val_loss_stops_improving(prepared, tiny_config, tmp_path: Path):
    """With nothing to learn (zero learning rates) the val loss never improves after the first epoch: patience 2
    ends the run after 3 epochs of 10; patience 0 runs them all."""
    n = len(prepared.asins)
    x = np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32)
    frozen = tiny_config.with_(epochs=10, lr_head=0.0, lr_encoder=0.0, warmup_fraction=0.0)
    ran = {}
    for patience in (2, 0):
        net = Tabular(build_heads(4, TaskConfig("mass", "text", ("mass",), ("text",)), prepared, tiny_config))
        data = MultiTaskData({"x": x, **target_arrays(prepared.targets)}, prepared.rows("train"), prepared.rows("val"), 4)
        module = fit(net, data, ("mass",), prepared.hierarchy, frozen.with_(early_stopping_patience=patience),
                     tmp_path / str(patience), freeze_epochs=0)  # fmt: skip
        ran[patience] = module.trainer.current_epoch
        assert module.best_epoch == 0
    assert ran == {2: 3, 0: 10}


def test_held_out_choices_survive_the_artifact_and_an_older_artifact_loads_with_defaults():
    from emma_pipeline.models.artifacts import _predictions_arrays, _predictions_from

    p = Predictions(available=np.ones(2, dtype=bool), ratings=np.full((2, 5), 0.2), temperature=2.0,
                    material_threshold=0.3, rating_prior_weight=0.4)  # fmt: skip
    arrays = _predictions_arrays("p.", p)
    back = _predictions_from(arrays, "p.")
    assert (back.temperature, back.material_threshold, back.rating_prior_weight) == (2.0, 0.3, 0.4)
    assert isinstance(back.rating_prior_weight, float)
    older = _predictions_from({k: v for k, v in arrays.items() if k != "p.rating_prior_weight"}, "p.")
    assert older.rating_prior_weight == 0.0
