"""UCSD review JSON lines aggregated to one row per ASIN: a 1..5 star histogram and the review count.

2018 reviews carry ``overall`` and ``asin``; 2023 reviews carry ``rating``, ``asin`` (the variant) and
``parent_asin``. 2023 reviews are grouped by ``parent_asin`` because 2023 metadata is keyed by it.
Ratings are rounded half up (4.5 -> 5); a rating outside 1..5 after rounding is quarantined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from emma_pipeline.sources.fields import ListingBuffer, QuarantineBuffer, check_asin
from emma_pipeline.sources.records import ParseResult


def _stars(obj: dict) -> tuple[int | None, str | None]:
    rating = obj.get("overall", obj.get("rating"))
    if rating is None:
        return None, "missing_rating"
    if isinstance(rating, str):
        try:
            rating = float(rating)
        except ValueError:
            return None, f"invalid_rating: {rating[:20]!r}"
    if isinstance(rating, bool) or not isinstance(rating, int | float) or not math.isfinite(rating):
        return None, f"invalid_rating: {str(rating)[:20]!r}"
    stars = math.floor(rating + 0.5)
    if not 1 <= stars <= 5:
        return None, f"invalid_rating: {rating!r}"
    return stars, None


def parse_review_records(
    records: Iterable[tuple[int, int | None, bytes | None, Any, str | None]], source: str, file: str
) -> ParseResult:
    """Aggregate review records (as from ``iter_json_records``); the row's ``line`` is the ASIN's first review."""
    quarantine = QuarantineBuffer(source, file)
    hists: dict[str, list[int]] = {}
    first_line: dict[str, int] = {}
    records_in = 0
    for line, offset, raw, obj, error in records:
        records_in += 1
        if error is None and not isinstance(obj, dict):
            error = "not_an_object"
        if error is None:
            asin, error = check_asin(obj.get("parent_asin") or obj.get("asin"))
        if error is None:
            stars, error = _stars(obj)
        if error is not None:
            quarantine.add(line, offset, raw, error, obj)
            continue
        hist = hists.get(asin)
        if hist is None:
            hist = hists[asin] = [0, 0, 0, 0, 0]
            first_line[asin] = line
        hist[stars - 1] += 1
    listings = ListingBuffer()
    for asin, hist in hists.items():
        listings.add({"asin": asin, "source": source, "rating_hist": hist, "review_count": sum(hist),
                      "file": file, "line": first_line[asin]})
    q = quarantine.frame()
    return ParseResult(listings.frame(), q, records_in, records_in - q.height)
