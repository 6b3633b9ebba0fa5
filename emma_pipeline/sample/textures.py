"""Material textures for the synthetic photos: colour and surface pattern say what an object is made of.

Wood is brown with grain stripes, metal a grey gradient with a highlight, fabric a woven noise, glass light
and see-through, plastic a saturated flat colour, leather brown and blotchy, paper tan, ceramic white and
glossy, rubber black and matte, gold yellow metallic. Each function returns an (S, S, 3) float array 0..255.
"""

from __future__ import annotations

import numpy as np


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    ax = np.linspace(0.0, 1.0, size, dtype=np.float32)
    return np.meshgrid(ax, ax)  # x, y


def _coarse_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth blotches: low-resolution noise repeated up to full size."""
    small = rng.normal(0, 1, (cells, cells)).astype(np.float32)
    reps = -(-size // cells)
    return np.kron(small, np.ones((reps, reps), np.float32))[:size, :size]


def _fill(rgb: np.ndarray, size: int) -> np.ndarray:
    return np.broadcast_to(rgb, (size, size, 3)).astype(np.float32)


def _shade(base: np.ndarray, factor: np.ndarray) -> np.ndarray:
    return base * factor[..., None]


def texture(kind: str, rgb: tuple[int, int, int], size: int, rng: np.random.Generator) -> np.ndarray:
    base = _fill(np.asarray(rgb, np.float32), size)
    x, y = _grid(size)
    noise = rng.normal(0, 1, (size, size)).astype(np.float32)
    if kind == "wood":
        warp = _coarse_noise(rng, size, 8) * 0.6
        grain = np.sin((y * rng.uniform(25, 45) + warp + x * rng.uniform(-3, 3)) * np.pi)
        return _shade(base, 0.92 + 0.12 * grain + 0.03 * noise)
    if kind == "metal":
        sweep = 0.8 + 0.35 * np.exp(-((x - rng.uniform(0.3, 0.6)) ** 2) / 0.01) + 0.15 * (1 - y)
        return np.minimum(_shade(base, sweep + 0.02 * noise), 255)
    if kind == "fabric":
        weave = np.where((np.arange(size)[None, :] % 3 == 0) | (np.arange(size)[:, None] % 3 == 0), 0.85, 1.0)
        return _shade(base, weave + 0.07 * noise)
    if kind == "leather":
        return _shade(base, 0.95 + 0.08 * _coarse_noise(rng, size, 24) + 0.05 * noise)
    if kind == "glass":
        tint = 0.25 * base + 0.75 * 235
        return np.minimum(tint + 25 * np.exp(-((x - 0.35) ** 2) / 0.004)[..., None], 255)
    if kind == "ceramic":
        gloss = 1.0 + 0.08 * np.exp(-(((x - 0.35) ** 2) + (y - 0.3) ** 2) / 0.02)
        return np.minimum(_shade(base, gloss * (0.97 + 0.01 * noise)), 255)
    if kind == "paper":
        return _shade(base, 0.98 + 0.03 * noise + 0.02 * np.sin(y * 120))
    if kind == "stone":
        speckle = np.where(rng.random((size, size)) < 0.08, 0.7, 1.0)
        veins = 1 - 0.15 * np.exp(-(np.sin((x + y) * 9 + _coarse_noise(rng, size, 6)) ** 2) / 0.01)
        return _shade(base, speckle * veins + 0.03 * noise)
    if kind == "rubber":
        return base + 6 * noise[..., None]
    if kind == "foam":
        pastel = 0.6 * base + 0.4 * 245
        return _shade(pastel, np.where(rng.random((size, size)) < 0.15, 0.88, 1.0))
    if kind in ("food", "liquid"):
        return _shade(base, 0.9 + 0.12 * _coarse_noise(rng, size, 10) * (kind == "food") + 0.1 * (1 - y))
    if kind == "electronic":
        return base + 4 * noise[..., None]
    # plastic, card: saturated flat colour with a soft highlight
    return np.minimum(_shade(base, 1.0 + 0.18 * np.exp(-((x - 0.3) ** 2) / 0.01) + 0.015 * noise), 255)
