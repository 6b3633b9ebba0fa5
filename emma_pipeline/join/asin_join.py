"""The ASIN join: all source records of one ASIN become one object row, each field from the best source.

Per field, sources are tried in a fixed priority (the one whose data is most complete and structured for that
field) and the supplying source is recorded in ``provenance``; price is the median over all sources that list it
(the paper's rule); images and material strings are the union. Within one source, later ingest batches win.
Image URLs are normalized to the full-size image first (thumbnail modifiers stripped, see ``images.urls``), so
the variants of one picture that different sources list count once.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from emma_pipeline.images.urls import normalized_url_expr
from emma_pipeline.join.hijack import HijackConfig, find_hijacks
from emma_pipeline.removals import REMOVALS_SCHEMA
from emma_pipeline.sources.records import LISTING_SCHEMA

# field -> sources in order of preference
FIELD_PRIORITY: dict[str, tuple[str, ...]] = {
    "title": ("ucsd", "aspa", "image2mass"),
    "features": ("ucsd", "aspa", "image2mass"),
    "description": ("ucsd", "aspa", "image2mass"),
    "brand": ("aspa", "ucsd", "image2mass"),
    "mass_kg": ("aspa", "image2mass", "ucsd"),
    "package_weight_kg": ("aspa", "ucsd", "image2mass"),
    "dimensions_cm": ("aspa", "image2mass", "ucsd"),
    "category_path": ("ucsd", "aspa", "image2mass"),
    "product_type": ("aspa", "ucsd", "image2mass"),
    "average_rating": ("ucsd", "aspa", "image2mass"),
}
UNION_FIELDS = ("image_urls", "materials_raw")
_LIST_FIELDS = {name for name, dtype in LISTING_SCHEMA.items() if isinstance(dtype, pl.List)}
_STARS = [f"_stars_{i}" for i in range(1, 6)]


@dataclass(frozen=True)
class JoinResult:
    objects: pl.DataFrame
    removals: pl.DataFrame
    asins_in: int


def join_listings(listings: pl.DataFrame, hijack: HijackConfig = HijackConfig()) -> JoinResult:
    """``listings``: LISTING_SCHEMA rows of all sources, with a ``batch`` column (ingest batch)."""
    if "batch" not in listings.columns:
        listings = listings.with_columns(pl.lit("", dtype=pl.Utf8).alias("batch"))
    listings = _empty_lists_to_null(listings.filter(pl.col("asin").is_not_null())).with_columns(
        pl.col("image_urls").list.eval(normalized_url_expr(pl.element()))
    )
    per_source = _collapse_per_source(listings)
    hijacks = find_hijacks(per_source.select("asin", "source", "title", *(["brand"] if "brand" in per_source.columns else [])), hijack)
    kept = per_source.join(hijacks.select("asin"), on="asin", how="anti")
    objects = _merge_sources(kept)
    return JoinResult(objects=objects, removals=hijacks.select(list(REMOVALS_SCHEMA)), asins_in=listings["asin"].n_unique())


def _empty_lists_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [c for c in _LIST_FIELDS if c in frame.columns and c != "rating_hist"]
    strings = [c for c in ("title", "description", "brand", "product_type") if c in frame.columns]
    return frame.with_columns(
        [pl.when(pl.col(c).list.len() > 0).then(pl.col(c)).alias(c) for c in lists]
        + [pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c).str.strip_chars()).alias(c) for c in strings]
    )


def _collapse_per_source(listings: pl.DataFrame) -> pl.DataFrame:
    """One row per (asin, source): the latest non-null value of each field; star counts from the latest batch
    that delivered reviews for that ASIN (review files are re-delivered whole, so batches are not added up)."""
    ordered = listings.sort(["batch", "file", "line"], nulls_last=False)
    fields = [c for c in LISTING_SCHEMA if c not in ("asin", "source", "file", "line", "rating_hist")]
    meta = ordered.group_by("asin", "source", maintain_order=True).agg(
        [pl.col(c).drop_nulls().last().alias(c) for c in fields] + [pl.col("batch").max()]
    )
    stars = [pl.col("rating_hist").list.get(i, null_on_oob=True).alias(s) for i, s in enumerate(_STARS)]
    reviews = (
        ordered.filter(pl.col("rating_hist").is_not_null())
        .with_columns(stars)
        .group_by("asin", "source", "batch")
        .agg([pl.col(s).sum() for s in _STARS])
        .sort("batch")
        .group_by("asin", "source")
        .agg([pl.col(s).last() for s in _STARS])
    )
    return meta.join(reviews, on=["asin", "source"], how="left")


def _rank(field: str) -> pl.Expr:
    order = FIELD_PRIORITY[field]
    return pl.col("source").replace_strict({s: i for i, s in enumerate(order)}, default=len(order))


def _merge_sources(per_source: pl.DataFrame) -> pl.DataFrame:
    aggs: list[pl.Expr] = []
    provenance: list[pl.Expr] = []
    for field in FIELD_PRIORITY:
        ranked = pl.col(field).sort_by(_rank(field))
        has = pl.col(field).sort_by(_rank(field)).is_not_null()
        aggs.append(ranked.drop_nulls().first().alias(field))
        provenance.append(pl.col("source").sort_by(_rank(field)).filter(has).first().alias(field))
    union_rank = _rank("title")
    for field in UNION_FIELDS:
        aggs.append(pl.col(field).sort_by(union_rank).list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique(maintain_order=True).alias(field))
        provenance.append(_sources_with(field))
    aggs.append(pl.col("price_usd").median().alias("price_usd"))
    provenance.append(_sources_with("price_usd"))
    aggs += [pl.col(s).drop_nulls().sum().alias(s) for s in _STARS]
    aggs.append(pl.col(_STARS[0]).is_not_null().any().alias("_has_reviews"))
    aggs.append(pl.col("review_count").drop_nulls().max().alias("_listed_review_count"))
    provenance.append(pl.col("source").filter(pl.col(_STARS[0]).is_not_null()).first().alias("rating_hist"))
    aggs.append(pl.col("source").unique().sort().alias("sources"))
    aggs.append(pl.col("batch").max().alias("last_batch"))
    merged = per_source.group_by("asin").agg(aggs).join(
        per_source.group_by("asin").agg(provenance).select("asin", pl.struct(pl.exclude("asin")).alias("provenance")),
        on="asin",
    )
    rating_hist = pl.when(pl.col("_has_reviews")).then(pl.concat_list(_STARS).cast(pl.List(pl.Int64)))
    return merged.with_columns(
        rating_hist.alias("rating_hist"),
        pl.when(pl.col("_has_reviews"))
        .then(pl.sum_horizontal(_STARS))
        .otherwise(pl.col("_listed_review_count"))
        .cast(pl.Int64)
        .alias("review_count"),
        pl.when(pl.col("image_urls").list.len() > 0).then(pl.col("image_urls")).alias("image_urls"),
        pl.when(pl.col("materials_raw").list.len() > 0).then(pl.col("materials_raw")).alias("materials_raw"),
        _text_expr().alias("text"),
    ).select(OBJECT_COLUMNS).sort("asin")


def _sources_with(field: str) -> pl.Expr:
    """Comma-separated sources that supplied ``field``."""
    return pl.col("source").filter(pl.col(field).is_not_null()).unique().sort().str.join(",").alias(field)


def _text_expr() -> pl.Expr:
    """title + features + description: the input of the text models (paper section 3.2)."""
    return pl.concat_str(
        [pl.col("title"), pl.col("features").list.join(" "), pl.col("description")], separator="\n", ignore_nulls=True
    )


OBJECT_COLUMNS = [
    "asin", "title", "features", "description", "text", "brand", "image_urls", "mass_kg", "package_weight_kg",
    "price_usd", "dimensions_cm", "category_path", "product_type", "materials_raw", "rating_hist", "review_count",
    "average_rating", "sources", "last_batch", "provenance",
]  # fmt: skip
