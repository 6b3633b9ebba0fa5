"""The fusion model's ratings blended with the single models' on held-out rows: the grid, the fit, availability."""

import numpy as np

from emma_pipeline.models.fusion_model import train_fusion_model
from emma_pipeline.models.metrics import rating_kl
from emma_pipeline.models.predictions import Predictions
from emma_pipeline.models.stacking import blend, fit_stack_weights, simplex
from emma_pipeline.models.trained import TrainedModel


def _distributions(rng, n):
    raw = rng.gamma(1.0, 1.0, (n, 5))
    return raw / raw.sum(axis=1, keepdims=True)


def test_the_grid_covers_the_simplex():
    grid = simplex(3)
    assert len(grid) == 231  # (20 + 2 choose 2) points at step 0.05
    assert all(abs(sum(w) - 1) < 1e-9 and min(w) >= 0 for w in grid)
    assert (1.0, 0.0, 0.0) in grid and (0.0, 0.0, 1.0) in grid


def test_the_weights_follow_whichever_prediction_carries_the_ratings():
    rng = np.random.default_rng(0)
    n = 400
    target, noise, other = _distributions(rng, n), _distributions(rng, n), _distributions(rng, n)
    informed = 0.9 * target + 0.1 / 5
    everywhere = np.ones(n, bool)
    rows = np.arange(n)
    # the single model knows the ratings, the fusion head is noise: nearly all weight on the single model
    weights = fit_stack_weights(noise, [(informed, everywhere), (other, everywhere)], target, rows)
    assert weights[1] >= 0.8 and weights[0] <= 0.2
    # the fusion head knows them: it keeps all the weight
    assert fit_stack_weights(informed, [(noise, everywhere), (other, everywhere)], target, rows) == (1.0, 0.0, 0.0)
    # no rated row: nothing to fit, the head keeps its own prediction
    unrated = np.full((n, 5), np.nan)
    assert fit_stack_weights(noise, [(informed, everywhere)], unrated, rows) == (1.0, 0.0)


def test_an_anchor_without_input_leaves_the_row_to_the_fusion_head():
    own = np.full((2, 5), 0.2)
    anchor = np.array([[1.0, 0, 0, 0, 0], [1.0, 0, 0, 0, 0]])
    mixed = blend(own, [(anchor, np.array([True, False]))], (0.5, 0.5))
    assert np.allclose(mixed[0], 0.5 * own[0] + 0.5 * anchor[0])
    assert np.allclose(mixed[1], own[1])  # no image, no vision prediction to lean on
    assert np.allclose(mixed.sum(axis=1), 1)


def _single(prepared, name, ratings, dim, seed):
    rng = np.random.default_rng(seed)
    n = len(prepared.asins)
    return TrainedModel(name, name, None, Predictions(available=np.ones(n, bool), ratings=ratings),
                        rng.normal(0, 1, (n, dim)))  # fmt: skip


def test_a_fusion_model_is_no_worse_on_held_out_ratings_than_the_single_model_it_reads(prepared, tiny_config, tmp_path):
    """The text model here predicts the true rating distributions; the fusion head cannot learn them from noise
    embeddings, so the fitted blend leans on the text model and the held-out KL drops to near the text model's."""
    truth = prepared.targets.ratings
    filled = np.where(np.isfinite(truth).all(axis=1, keepdims=True), truth, 0.2)
    text = _single(prepared, "text", 0.9 * filled + 0.02, 4, 0)
    vision = _single(prepared, "vision", np.full_like(filled, 0.2), 6, 1)
    model = train_fusion_model(prepared, text, vision, tiny_config, tmp_path, "attention", tasks=("ratings",))
    weights = model.info["rating_stack_weights"]
    assert set(weights) == {"fusion", "text", "vision"} and abs(sum(weights.values()) - 1) < 1e-9
    held = prepared.rows("val", "calibration")
    assert weights["text"] > 0.5
    fused = rating_kl(model.predictions.ratings[held], truth[held])
    assert fused <= rating_kl(text.predictions.ratings[held], truth[held]) + 1e-9
    assert np.allclose(model.variants["images_dropped_30"].ratings.sum(axis=1), 1, atol=1e-6)
