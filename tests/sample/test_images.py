"""Synthetic photos: valid small JPEGs whose colours say the material and whose bytes are reproducible; twins show
re-encoded, resized, cropped or watermarked copies of one photo."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PIL import Image

from emma_pipeline.sample.images import EDITS, IMAGE_SIZE, edit_picture, render_view
from emma_pipeline.sample.materials import FAMILIES
from emma_pipeline.sample.product import make_product
from emma_pipeline.sample.world import archetypes
from emma_pipeline.sources.batch import parse_source_batch


def _product(shape: str, family: str):
    arch = next(a for a in archetypes() if a.shape == shape)
    p = make_product(random.Random(0), 0, arch, seed=0)
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


def test_every_written_image_is_a_jpeg_and_twins_show_copies_of_one_photo(with_images):
    images = with_images.landing / "images"
    files = sorted(images.glob("*.jpg"))
    assert len(files) == with_images.summary["counts"]["images_written"]
    assert all(Image.open(f).format == "JPEG" for f in files[:50])
    truth = with_images.truth
    per_listing = truth.filter(pl.col("n_images") > 0)["n_images"].mean()
    assert 2.0 <= per_listing <= 3.0
    parsed = parse_source_batch("aspa", with_images.landing, progress=False).listings
    pictures = {a: u for a, u in parsed.select("asin", "image_urls").iter_rows() if u}
    twins = truth.filter(pl.col("image_edit").is_in(["identical", *EDITS]) & pl.col("asin").is_in(list(pictures)))
    assert set(twins["image_edit"]) >= {"identical", "requality"}
    for twin in twins.iter_rows(named=True):
        main = truth.filter((pl.col("dup_group") == twin["dup_group"]) & ~pl.col("is_exact_dup")
                            & ~pl.col("is_near_dup")).row(0, named=True)
        if main["asin"] not in pictures:
            continue
        ours, theirs = (images / Path(pictures[a][0]).name for a in (twin["asin"], main["asin"]))
        assert (ours == theirs) == (twin["image_edit"] == "identical")  # one file per distinct picture
        assert Image.open(ours).format == "JPEG"


def _small(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB").resize((32, 32)), np.float32)


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_copy_has_new_bytes_but_shows_the_same_photo(edit):
    original = render_view(_product("box", "wood"), 0, seed=3)
    other_photo = render_view(_product("box", "wood"), 1, seed=4)
    copy = edit_picture(original, edit, seed=9)
    assert copy != original and Image.open(io.BytesIO(copy)).format == "JPEG"
    assert copy == edit_picture(original, edit, seed=9)  # seeded
    if edit == "crop":  # a cut-out of the photo: smaller, each side keeps at least 3/4
        w, h = Image.open(io.BytesIO(copy)).size
        assert 0.75 * IMAGE_SIZE <= min(w, h) and w * h < IMAGE_SIZE**2
    else:
        near = np.abs(_small(copy) - _small(original)).mean()
        assert near < 0.1 * np.abs(_small(other_photo) - _small(original)).mean()
