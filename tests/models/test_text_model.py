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
