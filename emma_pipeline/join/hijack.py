"""The paper's hijack heuristic: one ASIN whose sources describe different products is discarded.

Sellers sometimes reuse an ASIN (and its reviews) for another product; sources collected at different times then
disagree. We compare the titles every pair of sources gives for the ASIN; if any pair shares too few content
words, the sources are not describing the same product and the ASIN is removed with the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import polars as pl

from emma_pipeline.join.title_similarity import title_similarity
from emma_pipeline.removals import removals_frame


@dataclass(frozen=True)
class HijackConfig:
    # Overlap coefficient below which two titles are taken for different products. On the embedded sample, titles
    # of one product across sources overlap >= 0.5 (rewording, truncation) while hijacked pairs overlap <= 0.15.
    min_title_similarity: float = 0.3


def find_hijacks(titles: pl.DataFrame, config: HijackConfig = HijackConfig()) -> pl.DataFrame:
    """``titles``: one row per (asin, source) with ``title``. Returns removal rows (REMOVALS_SCHEMA)."""
    multi = (
        titles.filter(pl.col("title").is_not_null())
        .group_by("asin")
        .agg(pl.col("source"), pl.col("title"))
        .filter(pl.col("source").list.len() > 1)
    )
    rows = []
    for asin, sources, source_titles in multi.iter_rows():
        worst = min(
            ((title_similarity(ta, tb), sa, sb, ta, tb) for (sa, ta), (sb, tb) in combinations(zip(sources, source_titles), 2)),
            key=lambda t: t[0],
        )
        score, sa, sb, ta, tb = worst
        if score < config.min_title_similarity:
            rows.append(
                {
                    "asin": asin,
                    "stage": "join",
                    "reason": "hijacked",
                    "detail": f"{sa} and {sb} describe different products (title overlap {score:.2f}): "
                    f"{ta[:80]!r} vs {tb[:80]!r}",
                }
            )
    return removals_frame(rows).sort("asin")
