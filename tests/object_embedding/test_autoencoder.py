"""Object embedding on tiny literal data: shapes, standardization, absent blocks, save/load, recoverability."""

from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from emma_pipeline.materials import load_taxonomy
from emma_pipeline.object_embedding import AutoencoderConfig, FittedEmbedding, fit_embedding, object_blocks, recovery_report
from emma_pipeline.object_embedding.standardize import Standardizer

TINY = AutoencoderConfig(bottleneck=32, categorical_dim=8, epochs=60, batch_size=32, learning_rate=3e-3, seed=1)


def _objects(n=120, seed=0):
    rng = np.random.default_rng(seed)
    taxonomy = load_taxonomy()
    steel, oak = taxonomy.id_of("steel"), taxonomy.id_of("oak")
    kind = rng.integers(0, 2, n)  # two kinds of product whose every attribute differs
    frame = pl.DataFrame({
        "asin": [f"A{i:09d}" for i in range(n)],
        "price_usd": np.where(kind == 0, 10.0, 200.0) * rng.uniform(0.8, 1.2, n),
        "mass_kg": [None if i % 7 == 0 else float(m) for i, m in enumerate(np.where(kind == 0, 0.2, 5.0) * rng.uniform(0.8, 1.2, n))],
        "rating_hist": [[0, 0, 1, 2, 7] if k else None for k in kind],
        "material_ids": [[steel] if k == 0 else ([oak] if i % 3 else None) for i, k in enumerate(kind)],
        "category_ids": [[1, 2] if k == 0 else [1, 3] for k in kind],
        "product_type_id": (kind + 1).tolist(),
    })
    text = rng.normal(size=(n, 6)) + kind[:, None] * 3
    image = rng.normal(size=(n, 4)) - kind[:, None] * 3
    has_image = np.arange(n) % 5 != 0
    blocks = object_blocks(frame, {"text": (text, np.ones(n, bool)), "image": (image, has_image)}, taxonomy)
    return frame, blocks, kind


def test_blocks_mark_what_a_listing_does_not_state():
    frame, blocks, _ = _objects()
    assert blocks.present["mass_kg"].tolist() == [i % 7 != 0 for i in range(frame.height)]
    assert not blocks.present["ratings"][frame["rating_hist"].is_null().to_numpy()].any()
    taxonomy = load_taxonomy()
    metal = taxonomy.ids.index(taxonomy.id_of("metal"))
    assert blocks.dense["materials"][0, metal] == 1.0 or frame["material_ids"][0] is None  # ancestors are set
    np.testing.assert_allclose(blocks.dense["ratings"][blocks.present["ratings"]].sum(axis=1), 1.0, rtol=1e-6)


def test_standardized_present_values_have_zero_mean_unit_variance_and_absent_ones_are_masked():
    _, blocks, _ = _objects()
    values, mask, presence = Standardizer.fit(blocks).transform(blocks)
    assert values.shape == mask.shape and presence.shape == (len(blocks), len(blocks.dense))
    mass_col = sum(b.shape[1] for name, b in blocks.dense.items() if list(blocks.dense).index(name) < list(blocks.dense).index("mass_kg"))
    present = mask[:, mass_col] == 1
    assert values[present, mass_col].mean() == pytest.approx(0.0, abs=1e-5)
    assert values[present, mass_col].std() == pytest.approx(1.0, abs=1e-4)
    assert np.all(values[~present, mass_col] == 0.0)


def test_embedding_shape_standardization_and_save_load(tmp_path):
    _, blocks, _ = _objects()
    fitted = fit_embedding(blocks, TINY)
    z = fitted.embed(blocks)
    assert z.shape == (len(blocks), 32) and z.dtype == np.float32 and np.isfinite(z).all()
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-4)
    assert fitted.history[-1] < fitted.history[0]
    fitted.save(tmp_path / "m.pt")
    again = FittedEmbedding.load(tmp_path / "m.pt")
    np.testing.assert_allclose(again.embed(blocks), z, atol=1e-5)


def test_the_embedding_recovers_attributes_on_held_out_objects():
    _, blocks, kind = _objects(n=200)
    fitted = fit_embedding(blocks, TINY)
    rows = np.arange(len(blocks))
    report = recovery_report(fitted, blocks, rows[rows % 4 != 0], rows[rows % 4 == 0])
    assert report["category_accuracy"] == 1.0
    assert report["materials_f1"] > 0.9
    assert report["price_r2"] > 0.8 and report["mass_r2"] > 0.8
    assert report["recon_loss"] < 1.0  # below predicting the mean, which scores 1 per present entry


def test_a_text_only_query_lands_near_objects_of_its_kind_with_the_contrastive_term():
    _, blocks, kind = _objects(n=200)
    fitted = fit_embedding(blocks, replace(TINY, contrastive_weight=0.5))
    z = fitted.embed(blocks)
    partial = fitted.embed(blocks.without("image", "price_usd", "mass_kg", "materials", "ratings", "category", "product_type"))
    z_n = z / np.linalg.norm(z, axis=1, keepdims=True)
    q_n = partial / np.linalg.norm(partial, axis=1, keepdims=True)
    nearest = np.argmax(q_n @ z_n.T, axis=1)
    assert np.mean(kind[nearest] == kind) > 0.95


def _relisting(blocks, rng):
    """Another seller's listing of each object: the same text a little reworded, its own picture (one of the
    kind's, not the object's), and no price, mass, materials or reviews stated."""
    text = blocks.dense["text"] + rng.normal(scale=0.1, size=blocks.dense["text"].shape).astype(np.float32)
    second_kind = (blocks.categorical["product_type"] == 2)[:, None]  # _objects: product type = kind + 1
    image = (rng.normal(size=blocks.dense["image"].shape) - 3 * second_kind).astype(np.float32)
    return replace(blocks, dense={**blocks.dense, "text": text, "image": image}).without(
        "price_usd", "mass_kg", "materials", "ratings")


def _self_found(config, seed=0):
    _, blocks, _ = _objects(n=200)
    fitted = fit_embedding(blocks, config)
    z, q = fitted.embed(blocks), fitted.embed(_relisting(blocks, np.random.default_rng(seed)))
    z_n, q_n = z / np.linalg.norm(z, axis=1, keepdims=True), q / np.linalg.norm(q, axis=1, keepdims=True)
    return float(np.mean(np.argmax(q_n @ z_n.T, axis=1) == np.arange(len(z))))


def test_a_relisting_finds_its_own_object_when_views_keep_the_identity_block():
    """The default views hide listing-level attributes and keep the text: a re-listing that states nothing
    else, with its own picture, finds the very object (not only one of its kind), far more often than
    without the contrastive term."""
    keeps_text = _self_found(replace(TINY, contrastive_weight=1.0))
    plain = _self_found(replace(TINY, contrastive_weight=0.0))
    assert keeps_text >= 0.8 and keeps_text > plain + 0.4, (keeps_text, plain)
