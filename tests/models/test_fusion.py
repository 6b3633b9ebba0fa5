"""Fusion: both mergers train; attention weights cover the present modalities only; KL-to-uniform is log k − H."""

import math

import numpy as np
import pytest
import torch

from emma_pipeline.models.fusion_model import fusion_arrays, train_fusion_model
from emma_pipeline.models.fusion_net import FusionNet, kl_to_uniform
from emma_pipeline.models.heads import TaskHeads
from emma_pipeline.models.predictions import Predictions
from emma_pipeline.models.trained import TrainedModel


def test_kl_to_uniform_is_zero_for_uniform_and_log_k_for_collapsed():
    present = torch.ones(2, 2)
    assert kl_to_uniform(torch.tensor([[0.5, 0.5]]), present[:1]).item() == 0.0
    assert kl_to_uniform(torch.tensor([[1.0, 0.0]]), present[:1]).item() == pytest.approx(math.log(2))
    # a missing modality is not part of the uniform target: all weight on the only present one is no penalty
    assert abs(kl_to_uniform(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.0]])).item()) < 1e-6


def test_the_kl_hinge_leaves_balanced_weights_alone_and_pushes_back_collapse():
    present = torch.ones(1, 3)
    budget = kl_to_uniform(torch.tensor([[0.8, 0.1, 0.1]]), present).item()
    assert 0 < budget < math.log(3)
    # within the budget: no penalty and no gradient, so training is exactly that of lambda = 0
    scores = torch.tensor([[0.3, 0.0, -0.2]], requires_grad=True)
    kl_to_uniform(torch.softmax(scores, dim=1), present, free_max_weight=0.8).backward()
    assert torch.equal(scores.grad, torch.zeros_like(scores))
    collapsed = torch.tensor([[0.99, 0.005, 0.005]])
    assert kl_to_uniform(collapsed, present, 0.8).item() == pytest.approx(kl_to_uniform(collapsed, present).item() - budget, abs=1e-5)
    # two present modalities: the budget is that of (0.8, 0.2)
    two = torch.tensor([[1.0, 1.0, 0.0]])
    assert kl_to_uniform(torch.tensor([[0.8, 0.2, 0.0]]), two, 0.8).item() == pytest.approx(0.0, abs=1e-6)

    def train(lam: float) -> float:
        """A task that rewards all weight on modality 0 (−log w0), with the hinge penalty: the first weight."""
        s = torch.zeros(1, 3, requires_grad=True)
        opt = torch.optim.SGD([s], lr=0.5)
        for _ in range(400):
            w = torch.softmax(s, dim=1)
            loss = -w[0, 0].log() + lam * kl_to_uniform(w, present, free_max_weight=0.8)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return torch.softmax(s, dim=1)[0, 0].item()

    assert train(0.0) > 0.97
    assert train(5.0) < 0.9


def test_attention_gives_a_missing_modality_zero_weight():
    net = FusionNet(lambda w: TaskHeads(w, ("mass",), 3, 2), {"text": 4, "image": 6, "tabular": 2}, "attention", width=8).eval()
    batch = {"text": torch.randn(3, 4), "image": torch.randn(3, 6), "image_present": torch.tensor([1.0, 0.0, 1.0]),
             "tabular": torch.randn(3, 2)}  # fmt: skip
    _, extras = net(batch)
    w = extras["modality_weights"]
    assert torch.allclose(w.sum(dim=1), torch.ones(3)) and w[1, 1] == 0 and (w[0] > 0).all()
    changed = dict(batch, image=torch.randn(3, 6) * 100)
    assert torch.allclose(net(changed)[0]["mass"][1], net(batch)[0]["mass"][1])  # a hidden image cannot leak


def _fake_encoder_model(prepared, name, dim, seed):
    rng = np.random.default_rng(seed)
    n = len(prepared.asins)
    heavy = np.array([i % 2 == 0 for i in range(n)], dtype=float)[:, None]
    available = np.array([a != "A005" for a in prepared.asins])
    return TrainedModel(name, name, None, Predictions(available=available), heavy + rng.normal(0, 0.1, (n, dim)))


def test_everything_inputs_exclude_the_target(prepared):
    text, vision = _fake_encoder_model(prepared, "text", 4, 0), _fake_encoder_model(prepared, "vision", 6, 1)
    with_mass = fusion_arrays(prepared, text, vision, ("text", "image", "mass", "price"))
    without = fusion_arrays(prepared, text, vision, ("text", "image", "price"))
    assert with_mass["tabular"].shape[1] == without["tabular"].shape[1] + 2  # value + mask
    assert with_mass["image_present"][prepared.asins.index("A005")] == 0
    assert (with_mass["image"][prepared.asins.index("A005")] == 0).all()


def test_fusion_trains_both_mergers_and_writes_modality_weights(prepared, tiny_config, tmp_path):
    text, vision = _fake_encoder_model(prepared, "text", 4, 0), _fake_encoder_model(prepared, "vision", 6, 1)
    for merger in ("concat", "attention"):
        model = train_fusion_model(prepared, text, vision, tiny_config, tmp_path / merger, merger, tasks=("mass", "materials"))
        assert model.name == f"fusion_{merger}" and set(model.predictions.tasks) == {"mass", "materials"}
        assert "images_dropped_30" in model.variants
        weights = model.predictions.modality_weights
        if merger == "attention":
            assert weights.shape == (len(prepared.asins), 3) and np.allclose(weights.sum(axis=1), 1, atol=1e-5)
        else:
            assert weights is None


def test_a_model_depends_on_its_seed_not_on_what_ran_before(prepared, tiny_config, tmp_path):
    """Two trainings with one config give the same predictions even when random numbers were drawn between them
    (the networks' initial weights used to come from whatever state the global generator was left in)."""
    text, vision = _fake_encoder_model(prepared, "text", 4, 0), _fake_encoder_model(prepared, "vision", 6, 1)
    first = train_fusion_model(prepared, text, vision, tiny_config, tmp_path / "a", "attention", tasks=("mass",))
    torch.rand(1000)
    again = train_fusion_model(prepared, text, vision, tiny_config, tmp_path / "b", "attention", tasks=("mass",))
    assert np.array_equal(first.predictions.mass, again.predictions.mass)
    other = train_fusion_model(prepared, text, vision, tiny_config.with_(seed=tiny_config.seed + 1), tmp_path / "c",
                               "attention", tasks=("mass",))  # fmt: skip
    assert not np.array_equal(first.predictions.mass, other.predictions.mass)
