"""Real listings as a model's training set: parsed with the project's own source parsers (UCSD meta, the 2020
product table, catalog-like records), one row per ASIN, targets read from the parsed columns (mass, price,
materials mapped onto the taxonomy), and a seeded random split by ASIN. Nothing here looks at one source's
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
SHARES = {"train": 0.7, "val": 0.1, "calibration": 0.1, "test": 0.1}


def read_listings(files: Iterable[tuple[str, Path]], root: Path | None = None) -> pl.DataFrame:
    """(format, path) pairs → one frame of listings that have a title, with a ``text`` column (title, features,
    description, as in the objects table) and ``origin`` (the file's top folder under ``root``, else its parent
    folder). First listing per ASIN wins."""
    frames = []
    for kind, path in files:
        listings = PARSERS[kind](path).listings
        if listings.height == 0:
            continue
        origin = Path(path).relative_to(root).parts[0] if root else Path(path).parent.name
        frames.append(listings.select(*COLUMNS).with_columns(pl.lit(origin).alias("origin")))
    if not frames:
        return pl.DataFrame()
    frame = pl.concat(frames, how="vertical_relaxed").filter(pl.col("title").str.len_chars() > 0)
    text = pl.concat_str([pl.col("title"), pl.col("features").list.join(" "), pl.col("description")], separator="\n",
                         ignore_nulls=True)  # fmt: skip
    return frame.unique("asin", keep="first", maintain_order=True).with_columns(text.alias("text")).sort("asin")


def prepared_from_listings(frame: pl.DataFrame, seed: int = 0) -> Prepared:
    """A ``Prepared`` for mass, price and materials (no category tree, no ratings: those targets stay unknown)."""
    taxonomy = load_taxonomy()
    materials = MaterialIndex.from_taxonomy(taxonomy.as_frame())
    mapper = default_mapper()
    labels = [list(mapper.map(raw, context=title).node_ids) or None if raw else None
              for raw, title in zip(frame["materials_raw"].to_list(), frame["title"].to_list())]  # fmt: skip
    target, mask = material_targets(labels, materials)
    n = frame.height
    hierarchy = CategoryHierarchy(node_ids=np.array([0]), parent=np.array([-1]), depth=np.array([0]))
    targets = Targets(
        price=frame["price_usd"].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float32),
        mass=frame["mass_kg"].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float32),
        materials=target, materials_mask=mask, category=np.full((n, 1), -1, dtype=np.int64),
        ratings=np.full((n, 5), np.nan, dtype=np.float32), review_count=np.zeros(n, dtype=np.float32),
    )  # fmt: skip
    draw = np.random.default_rng(seed).random(n)
    edges = np.cumsum(list(SHARES.values()))
    split = np.array(list(SHARES))[np.minimum(np.searchsorted(edges, draw, side="right"), len(SHARES) - 1)]
    return Prepared(frame["asin"].to_list(), frame, split, targets, hierarchy, materials)
