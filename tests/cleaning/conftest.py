"""Shared fixtures of the cleaning tests."""

import numpy as np
import pytest


def _aligned_pairs(n: int, n_mismatched: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Listings of 12 product kinds: text and image embeddings are two noisy views of the kind (plus an item
    detail); the first ``n_mismatched`` listings show the picture of another kind."""
    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, 12, size=n)
    latent = rng.normal(size=(12, 16))[kinds] + 0.3 * rng.normal(size=(n, 16))
    shown = latent.copy()
    for i in range(n_mismatched):
        shown[i] = latent[rng.choice(np.flatnonzero(kinds != kinds[i]))]
    text = latent @ rng.normal(size=(16, 24)) + 0.2 * rng.normal(size=(n, 24))
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    image = np.maximum(shown @ rng.normal(size=(16, 48)), 0) * rng.uniform(1, 4, size=(n, 1))  # summed pictures
    return text.astype(np.float32), image.astype(np.float32), kinds



@pytest.fixture
def aligned_pairs():
    """``aligned_pairs(n, n_mismatched, seed)``: synthetic listings whose text and image embeddings are two views
    of the same product kind, the first ``n_mismatched`` showing another kind's picture."""
    return _aligned_pairs
