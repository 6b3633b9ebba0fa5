"""Real listings as a model's training set: parsed with the project's own source parsers (UCSD meta, the 2020
product table, catalog-like records), one row per ASIN, targets read from the parsed columns (mass, price,
materials mapped onto the taxonomy, the star histogram of the ASIN's reviews), and a seeded random split by ASIN. Nothing here looks at one source's
wording: the parsers already normalize every format into the same listing columns."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

from emma_pipeline.materials.mapper import default_mapper
from emma_pipeline.materials.taxonomy import load_taxonomy
from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.targets import MaterialIndex, Targets, material_targets
from emma_pipeline.sources.aspa import parse_aspa_file
from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.ucsd import parse_ucsd_file

PARSERS = {"ucsd": parse_ucsd_file, "image2mass": parse_image2mass_file, "aspa": parse_aspa_file}
COLUMNS = ("asin", "title", "features", "description", "mass_kg", "price_usd", "materials_raw")
RATING_COLUMNS = (("rating_hist", pl.List(pl.Int64)), ("review_count", pl.Int64))
SHARES = {"train": 0.7, "val": 0.1, "calibration": 0.1, "test": 0.1}


def read_listings(files: Iterable[tuple[str, Path]], root: Path | None = None) -> pl.DataFrame:
    """(format, path) pairs → one frame of listings that have a title, with a ``text`` column (title, features,
    description, as in the objects table), ``origin`` (the file's top folder under ``root``, else its parent
    folder), and ``rating_hist`` / ``review_count`` from the review records of the same ASIN in any of the files
    (review files carry no title, so they give no listing rows of their own). First listing per ASIN wins, and
    first histogram per ASIN."""
    frames = []
    for kind, path in files:
        listings = PARSERS[kind](path).listings
        if listings.height == 0:
            continue
        origin = Path(path).relative_to(root).parts[0] if root else Path(path).parent.name
        ratings = [pl.col(c).cast(t) if c in listings.columns else pl.lit(None, dtype=t).alias(c) for c, t in RATING_COLUMNS]
        frames.append(listings.select(*COLUMNS, *ratings).with_columns(pl.lit(origin).alias("origin")))
    if not frames:
        return pl.DataFrame()
    everything = pl.concat(frames, how="vertical_relaxed")
    reviewed = everything.filter(pl.col("rating_hist").is_not_null() & (pl.col("review_count") > 0))
    reviewed = reviewed.unique("asin", keep="first", maintain_order=True).select("asin", *(c for c, _ in RATING_COLUMNS))
    frame = everything.filter(pl.col("title").str.len_chars() > 0).drop(*(c for c, _ in RATING_COLUMNS))
    text = pl.concat_str([pl.col("title"), pl.col("features").list.join(" "), pl.col("description")], separator="\n",
                         ignore_nulls=True)  # fmt: skip
    frame = frame.unique("asin", keep="first", maintain_order=True).with_columns(text.alias("text"))
    return frame.join(reviewed, on="asin", how="left").sort("asin")


def prepared_from_listings(frame: pl.DataFrame, seed: int = 0) -> Prepared:
    """A ``Prepared`` for mass, price, materials and, where ``frame`` has ``rating_hist``, the star distribution
    (no category tree: those targets stay unknown)."""
    taxonomy = load_taxonomy()
    materials = MaterialIndex.from_taxonomy(taxonomy.as_frame())
    mapper = default_mapper()
    labels = [list(mapper.map(raw, context=title).node_ids) or None if raw else None
              for raw, title in zip(frame["materials_raw"].to_list(), frame["title"].to_list())]  # fmt: skip
    target, mask = material_targets(labels, materials)
    n = frame.height
    hists = frame["rating_hist"].to_list() if "rating_hist" in frame.columns else [None] * n
    hist = np.array([h if h is not None and len(h) == 5 and sum(h) > 0 else [np.nan] * 5 for h in hists],
                    dtype=np.float64).reshape(n, 5)  # fmt: skip
    counts = np.nansum(hist, axis=1)
    hierarchy = CategoryHierarchy(node_ids=np.array([0]), parent=np.array([-1]), depth=np.array([0]))
    targets = Targets(
        price=frame["price_usd"].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float32),
        mass=frame["mass_kg"].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float32),
        materials=target, materials_mask=mask, category=np.full((n, 1), -1, dtype=np.int64),
        ratings=(hist / np.where(counts > 0, counts, 1)[:, None]).astype(np.float32),
        review_count=counts.astype(np.float32),
    )  # fmt: skip
    draw = np.random.default_rng(seed).random(n)
    edges = np.cumsum(list(SHARES.values()))
    split = np.array(list(SHARES))[np.minimum(np.searchsorted(edges, draw, side="right"), len(SHARES) - 1)]
    return Prepared(frame["asin"].to_list(), frame, split, targets, hierarchy, materials)
