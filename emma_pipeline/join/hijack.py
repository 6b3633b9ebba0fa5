"""The paper's hijack heuristic: one ASIN whose sources describe different products is discarded.

Sellers sometimes reuse an ASIN (and its reviews) for another product; sources collected at different times then
disagree. We compare what every pair of sources gives for the ASIN. The pair describes different products when
its titles share too few content words, or when the two sources name different brands and the titles do not
share most of their words either: another maker's product of the same kind ("Vorex Insulated Water Bottle
24 oz" vs "Kelora BPA Free Water Bottle") shares the product words, but not the brand. Brands compare
normalized (case, spaces and punctuation ignored; one containing the other, "Vorex" vs "Vorex Home", agrees),
and placeholder brands ("Generic", "Unbranded") say nothing. The ASIN is removed with the evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

import polars as pl

from emma_pipeline.join.title_similarity import title_similarity
from emma_pipeline.removals import removals_frame

_PLACEHOLDER_BRANDS = frozenset({"", "generic", "unbranded", "unknown", "nobrand", "na", "none", "doesnotapply",
                                 "notapplicable", "various", "other"})


@dataclass(frozen=True)
class HijackConfig:
    # Overlap coefficient below which two titles are taken for different products. Titles of one product across
    # sources overlap >= 0.5 after rewording and truncation; different products of unrelated kinds <= 0.17.
    min_title_similarity: float = 0.3
    # Sources naming different brands are taken for different products unless their titles overlap at least this.
    # Another maker's product of the same kind overlaps 0.2-0.67 (median 0.33 on the seed-7 sample); 0.7 keeps a
    # re-worded title of one product whose brand was spelled two ways (overlap ~1) safe.
    min_title_similarity_brands_differ: float = 0.7


def normalized_brand(brand: str | None) -> str:
    """Lowercase letters and digits only: "Amazon Basics" == "AmazonBasics" == "AMAZON BASICS"; '' if unknown."""
    return re.sub(r"[^0-9a-z]+", "", brand.lower()) if brand else ""


def brands_differ(a: str | None, b: str | None) -> bool:
    """Both brands known, real (not a placeholder) and neither contains the other."""
    na, nb = normalized_brand(a), normalized_brand(b)
    if na in _PLACEHOLDER_BRANDS or nb in _PLACEHOLDER_BRANDS:
        return False
    return na not in nb and nb not in na


def _verdict(a: tuple, b: tuple, config: HijackConfig) -> tuple[float, str] | None:
    """(title overlap, why) when sources ``a`` and ``b`` (source, title, brand) describe different products."""
    score = title_similarity(a[1], b[1])
    if score < config.min_title_similarity:
        return score, f"title overlap {score:.2f}"
    if score < config.min_title_similarity_brands_differ and brands_differ(a[2], b[2]):
        return score, f"brands {a[2]!r} vs {b[2]!r}, title overlap {score:.2f}"
    return None


def find_hijacks(titles: pl.DataFrame, config: HijackConfig = HijackConfig()) -> pl.DataFrame:
    """``titles``: one row per (asin, source) with ``title`` and optionally ``brand``. Returns removal rows
    (REMOVALS_SCHEMA)."""
    if "brand" not in titles.columns:
        titles = titles.with_columns(pl.lit(None, dtype=pl.Utf8).alias("brand"))
    multi = (
        titles.filter(pl.col("title").is_not_null())
        .group_by("asin")
        .agg(pl.col("source"), pl.col("title"), pl.col("brand"))
        .filter(pl.col("source").list.len() > 1)
    )
    rows = []
    for asin, sources, source_titles, brands in multi.iter_rows():
        found = [(v, a, b) for a, b in combinations(zip(sources, source_titles, brands), 2)
                 if (v := _verdict(a, b, config))]
        if found:
            (score, why), a, b = min(found, key=lambda f: f[0][0])
            rows.append({"asin": asin, "stage": "join", "reason": "hijacked",
                         "detail": f"{a[0]} and {b[0]} describe different products ({why}): "
                                   f"{a[1][:80]!r} vs {b[1][:80]!r}"})
    return removals_frame(rows).sort("asin")
