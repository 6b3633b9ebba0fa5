"""The normalized listing record every source parser emits, and the quarantine record for what it cannot parse.

One row of ``LISTING_SCHEMA`` is one record of one source file (a UCSD metadata line, an image2mass CSV row, an
ASPA catalog item, ...). Units are normalized at parse time: kilograms, US dollars, centimetres. Review files
are aggregated per ASIN into rows that carry only ``asin``, ``rating_hist`` and ``review_count``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

LISTING_SCHEMA: dict[str, pl.DataType] = {
    "asin": pl.Utf8,
    "source": pl.Utf8,  # the ingestion source: ucsd | image2mass | aspa (the file column tells the format)
    "title": pl.Utf8,
    "features": pl.List(pl.Utf8),  # bullet points, in listing order
    "description": pl.Utf8,
    "brand": pl.Utf8,
    "image_urls": pl.List(pl.Utf8),  # http(s) URLs or absolute local paths (relative refs resolved by the parser)
    "mass_kg": pl.Float64,  # item weight
    "package_weight_kg": pl.Float64,  # shipping / package weight
    "price_usd": pl.Float64,
    "dimensions_cm": pl.List(pl.Float64),  # as listed (usually L x W x H); item dimensions, else package
    "category_path": pl.List(pl.Utf8),  # root first
    "product_type": pl.Utf8,
    "materials_raw": pl.List(pl.Utf8),  # seller material strings, unmapped
    "rating_hist": pl.List(pl.Int64),  # counts of 1..5 star reviews (len 5) or null
    "review_count": pl.Int64,
    "average_rating": pl.Float64,
    "file": pl.Utf8,  # source file the record came from
    "line": pl.Int64,  # 1-based line (JSON lines/CSV data row) or record index (JSON arrays)
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8,
    "file": pl.Utf8,
    "line": pl.Int64,  # 1-based line or record index
    "offset": pl.Int64,  # byte offset of the record in the (decompressed) file, when known
    "raw": pl.Utf8,  # the raw text, truncated to RAW_TEXT_LIMIT characters
    "reason": pl.Utf8,
}

RAW_TEXT_LIMIT = 4000


def empty_listings() -> pl.DataFrame:
    return pl.DataFrame(schema=LISTING_SCHEMA)


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def listings_frame(rows: list[dict]) -> pl.DataFrame:
    """Rows (dicts with any subset of LISTING_SCHEMA keys) to a frame with exactly LISTING_SCHEMA."""
    if not rows:
        return empty_listings()
    return pl.DataFrame([{k: r.get(k) for k in LISTING_SCHEMA} for r in rows], schema=LISTING_SCHEMA)


def quarantine_frame(rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return empty_quarantine()
    out = []
    for r in rows:
        row = {k: r.get(k) for k in QUARANTINE_SCHEMA}
        if row["raw"] is not None:
            row["raw"] = row["raw"][:RAW_TEXT_LIMIT]
        out.append(row)
    return pl.DataFrame(out, schema=QUARANTINE_SCHEMA)


@dataclass
class ParseResult:
    """What a parser returns for one file.

    ``records_in`` counts input records (lines, rows, array items); every one of them is either parsed
    (``records_ok``) or quarantined, so ``records_in == records_ok + quarantine.height`` always holds.
    ``listings`` can be shorter than ``records_ok`` only for review files, which aggregate per ASIN.
    """

    listings: pl.DataFrame = field(default_factory=empty_listings)
    quarantine: pl.DataFrame = field(default_factory=empty_quarantine)
    records_in: int = 0
    records_ok: int = 0

    def __post_init__(self) -> None:
        if self.records_in != self.records_ok + self.quarantine.height:
            raise ValueError(
                f"parser accounting broken: {self.records_in} in != {self.records_ok} ok + "
                f"{self.quarantine.height} quarantined"
            )

    @staticmethod
    def concat(results: list[ParseResult]) -> ParseResult:
        if not results:
            return ParseResult()
        return ParseResult(
            listings=pl.concat([r.listings for r in results], how="vertical"),
            quarantine=pl.concat([r.quarantine for r in results], how="vertical"),
            records_in=sum(r.records_in for r in results),
            records_ok=sum(r.records_ok for r in results),
        )
