"""MiniLM text embeddings offline, and model resolution: directory -> installed package -> hub name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from emma_pipeline.encoders.text_encoder import TextEncoder, resolve_text_model

TITLES = [
    "Stainless Steel Chef Knife, 8 inch Kitchen Knife",
    "8\" chef's knife with stainless steel blade for the kitchen",
    "Starter yoga mat gym bag with shoulder strap",
]


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return TextEncoder()


@pytest.fixture(scope="module")
def title_vectors(encoder) -> np.ndarray:
    return encoder.encode(TITLES)


def test_minilm_loads_offline_with_384_unit_norm_dims(encoder, title_vectors):
    assert encoder.name == "all-MiniLM-L6-v2"
    assert encoder.dim == 384
    assert title_vectors.shape == (3, 384)
    assert title_vectors.dtype == np.float32
    assert np.isfinite(title_vectors).all()
    np.testing.assert_allclose(np.linalg.norm(title_vectors, axis=1), 1.0, atol=1e-5)


def test_similar_titles_are_closer_than_unrelated_ones(title_vectors):
    knife_vs_knife = title_vectors[0] @ title_vectors[1]
    knife_vs_bag = title_vectors[0] @ title_vectors[2]
    assert knife_vs_knife > knife_vs_bag + 0.3


def test_encoding_is_independent_of_batch_company(encoder, title_vectors):
    alone = encoder.encode([TITLES[2]])
    np.testing.assert_allclose(alone[0], title_vectors[2], atol=1e-5)


def test_empty_input_gives_an_empty_matrix(encoder):
    assert encoder.encode([]).shape == (0, 384)


def test_missing_text_is_rejected_with_its_position(encoder):
    with pytest.raises(TypeError, match=r"texts\[1\] is NoneType"):
        encoder.encode(["a title", None])


def test_torch_thread_count_is_left_alone(encoder):
    before = torch.get_num_threads()
    encoder.encode(["a short title"])
    assert torch.get_num_threads() == before


def test_max_seq_length_truncates(encoder):
    short = TextEncoder(str(resolve_text_model("minilm")), max_seq_length=8)
    prefix = "cordless drill driver with two batteries and charger"
    tails = [prefix + " in a hard carrying case", prefix + " plus a set of sixty wood bits"]

    truncated = short.encode(tails)
    full = encoder.encode(tails)

    np.testing.assert_allclose(truncated[0], truncated[1], atol=1e-6)
    assert full[0] @ full[1] < 0.99


def test_resolution_prefers_an_explicit_directory(tmp_path):
    local = tmp_path / "minilm"
    local.mkdir()
    assert resolve_text_model(str(local)) == local


def test_known_names_resolve_to_the_installed_package():
    package_dir = resolve_text_model("all-MiniLM-L6-v2")
    assert isinstance(package_dir, Path)
    assert (package_dir / "modules.json").is_file()
    assert resolve_text_model("minilm") == package_dir
    assert resolve_text_model("sentence-transformers/all-MiniLM-L6-v2") == package_dir


def test_a_directory_spec_loads_like_the_packaged_name(encoder, title_vectors):
    from_dir = TextEncoder(str(resolve_text_model("minilm")))
    assert from_dir.name == resolve_text_model("minilm").name
    np.testing.assert_allclose(from_dir.encode(TITLES), title_vectors, atol=1e-5)


def test_unknown_spec_offline_fails_fast_with_a_clear_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a local directory nor a packaged model.*online use is off"):
        resolve_text_model("acme/secret-model")
    with pytest.raises(FileNotFoundError, match="online use is off"):
        TextEncoder(str(tmp_path / "no-such-dir")).encode(["x"])


def test_unknown_spec_is_passed_to_the_hub_only_when_online_is_allowed():
    assert resolve_text_model("acme/secret-model", allow_online=True) == "acme/secret-model"
