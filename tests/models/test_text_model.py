"""The text model trains on a tiny BERT, predicts every object, and reports metrics next to the baseline."""

import numpy as np

from emma_pipeline.models.text_model import train_text_model


def test_text_model_trains_and_predicts_every_object(prepared, tiny_config, tiny_text_backbone, tmp_path):
    model = train_text_model(prepared, tiny_config, tmp_path, backbone=tiny_text_backbone())
    n = len(prepared.asins)
    assert model.embedding.shape == (n, 16)
    p = model.predictions
    assert p.price.shape == (n,) and np.isfinite(p.price).all() and (p.price > 0).all()
    assert p.material_logits.shape == (n, 182) and p.category_log_probs.shape == (n, 4)
    assert np.allclose(p.ratings.sum(axis=1), 1.0, atol=1e-5)
    assert p.temperature > 0
    assert set(model.metrics) == {"val", "test"}
    assert {"mnre_price", "f1_materials", "accuracy_category", "kl_ratings", "ece_materials"} <= set(model.metrics["test"])
    assert (tmp_path / "checkpoints" / "last.ckpt").exists()
    logged = (tmp_path / "logs" / "version_0" / "metrics.csv").read_text()
    assert "val/mnre_mass" in logged and "train/loss" in logged


def _padded_batch(tokenizer, texts, max_len=24):
    from emma_pipeline.models.inputs import tokenize

    return tokenize(texts, tokenizer, max_len)


def test_cached_trunk_plus_top_equals_the_full_encoder(tiny_text_backbone):
    """Running the frozen bottom once (cached) and the fine-tuned top per batch gives the same pooled
    embedding as the whole backbone, padding included; a wrong mask or layer split breaks the equality."""
    import torch

    from emma_pipeline.models.inputs import cached_text_trunk
    from emma_pipeline.models.text_net import TextNet

    model, tokenizer = tiny_text_backbone()
    net = TextNet(model, None, trainable_layers=1).eval()
    assert net.cacheable and net.split == 1
    texts = ["a short one", "a much longer title about a stainless steel water bottle with a lid", None, "x y"]
    tokens = _padded_batch(tokenizer, texts)
    full = net.embed({k: torch.as_tensor(v) for k, v in tokens.items()})
    cached = cached_text_trunk(net, tokens)
    assert cached["hidden"].shape[1] == int(tokens["attention_mask"].sum(axis=1).max()) < 24  # cut to the longest
    net.inputs_are_trunk_features = True
    fast = net.embed({"hidden": torch.as_tensor(cached["hidden"]).float(), "attention_mask": torch.as_tensor(cached["attention_mask"])})
    assert torch.allclose(full, fast, atol=1e-5), (full - fast).abs().max()


def test_frozen_trunk_gets_no_gradient_and_no_dropout(tiny_text_backbone):
    import torch

    from emma_pipeline.models.text_net import TextNet, encoder_layers

    model, _ = tiny_text_backbone()
    net = TextNet(model, None, trainable_layers=1).train()
    layers = encoder_layers(model)
    assert not model.embeddings.training and not layers[0].training and layers[1].training
    assert all(not p.requires_grad for p in layers[0].parameters())
    assert all(p.requires_grad for p in layers[1].parameters())
    hidden = net.trunk_features(torch.tensor([[101, 2000, 102]]), torch.tensor([[1, 1, 1]]))
    assert not hidden.requires_grad


def test_the_trunk_is_cached_only_within_its_memory_budget(prepared, tiny_config, tiny_text_backbone, tmp_path):
    cached = train_text_model(prepared, tiny_config, tmp_path / "a", backbone=tiny_text_backbone())
    uncached = train_text_model(prepared, tiny_config.with_(trunk_cache_max_gb=0.0), tmp_path / "b", backbone=tiny_text_backbone())
    assert cached.info["cached_trunk"] and not uncached.info["cached_trunk"]
    assert np.isfinite(uncached.predictions.mass).all()
