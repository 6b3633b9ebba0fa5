"""Synthetic photos: valid small JPEGs whose colours say the material and whose bytes are reproducible."""

from __future__ import annotations

import io
import random
from dataclasses import replace

import numpy as np
import polars as pl
from PIL import Image

from emma_pipeline.sample.images import IMAGE_SIZE, render_view
from emma_pipeline.sample.materials import FAMILIES
from emma_pipeline.sample.product import make_product
from emma_pipeline.sample.world import archetypes


def _product(shape: str, family: str):
    arch = next(a for a in archetypes() if a.shape == shape)
    p = make_product(random.Random(0), 0, arch)
    return replace(p, look=FAMILIES[family].look, props=(False,) * len(p.props))


def _object_mean(data: bytes) -> np.ndarray:
    """Mean colour of the non-background pixels."""
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float32).reshape(-1, 3)
    return pixels[pixels.min(axis=1) < 235].mean(axis=0)


def test_rendered_views_are_small_valid_jpegs_and_reproducible():
    p = _product("mug", "ceramic")
    data = render_view(p, 0, seed=5)
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.size == (IMAGE_SIZE, IMAGE_SIZE)
    assert render_view(p, 0, seed=5) == data
    assert render_view(p, 1, seed=5) != data


def test_mean_colour_distinguishes_materials():
    means = {fam: _object_mean(render_view(_product("box", fam), 0, seed=1))
             for fam in ("wood", "stainless", "rubber", "gold", "cardboard")}
    r, g, b = means["wood"]
    assert r > g > b  # brown
    assert means["rubber"].mean() < 80  # black
    assert abs(means["stainless"][0] - means["stainless"][2]) < 25 and means["stainless"].mean() > 120  # grey
    assert means["gold"][0] > 150 and means["gold"][2] < 110  # yellow
    names = list(means)
    for i, a in enumerate(names):
        for other in names[i + 1:]:
            assert np.abs(means[a] - means[other]).max() > 20, (a, other)


def test_every_written_image_is_a_jpeg_and_exact_duplicates_share_bytes(with_images):
    images = with_images.landing / "images"
    files = sorted(images.glob("*.jpg"))
    assert len(files) == with_images.summary["counts"]["images_written"]
    assert all(Image.open(f).format == "JPEG" for f in files[:50])
    truth = with_images.truth
    per_listing = truth.filter(pl.col("n_images") > 0)["n_images"].mean()
    assert 2.0 <= per_listing <= 3.0
    twins = truth.filter(pl.col("is_exact_dup"))
    assert twins.height > 0
    for twin in twins.iter_rows(named=True):
        main = truth.filter((pl.col("dup_group") == twin["dup_group"]) & ~pl.col("is_exact_dup")
                            & ~pl.col("is_near_dup")).row(0, named=True)
        assert (images / f"{twin['asin']}_0.jpg").read_bytes() == (images / f"{main['asin']}_0.jpg").read_bytes()
