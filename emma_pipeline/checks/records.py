"""Ingestion and quarantine accounting by record: every record counted in a source file is one parsed row or one
quarantine row of that file (a review row stands for the reviews it aggregates), and no (file, line) twice."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from emma_pipeline.checks.outcome import CheckOutcome, outcome


def records_accounted_for(counted: Mapping[str, int], listings: pl.DataFrame, quarantine: pl.DataFrame) -> CheckOutcome:
    """``counted``: records per file label, tallied from the raw files independently of the parsers.
    ``listings`` (file, line, rating_hist) and ``quarantine`` (file, line) as committed for the batch. Offences:
    ``files_miscounted`` (records counted != parsed + quarantined), ``files_unexpected`` (rows of a file not
    counted), ``records_twice`` (a (file, line) in two rows)."""
    # a review row aggregates its ASIN's reviews (rating_hist sums to them); any other row is one record
    per_row = pl.when(pl.col("rating_hist").is_not_null()).then(pl.col("rating_hist").list.sum()).otherwise(1)
    parsed = listings.group_by("file").agg(per_row.sum().alias("parsed"))
    held = quarantine.group_by("file").agg(pl.len().alias("quarantined"))
    found = {f: 0 for f in counted}
    for file, n in [*parsed.iter_rows(), *held.iter_rows()]:
        found[file] = found.get(file, 0) + int(n)
    keys = pl.concat([listings.select("file", "line"), quarantine.select("file", "line")]).drop_nulls()
    twice = keys.group_by("file", "line").len().filter(pl.col("len") > 1)
    return outcome(
        {"records_counted_in_files": sum(counted.values()), "parsed": int(parsed["parsed"].sum() or 0),
         "quarantined": quarantine.height},
        {"files_miscounted": {f"{f} ({n:,} counted, {found[f]:,} written)" for f, n in counted.items() if found[f] != n},
         "files_unexpected": set(found) - set(counted),
         "records_twice": {f"{f}:{line}" for f, line, _ in twice.iter_rows()}},
    )  # fmt: skip


def rows_carried_over(parts: Mapping[str, pl.DataFrame], union: pl.DataFrame, key: tuple[str, ...]) -> CheckOutcome:
    """``union`` holds every row of every part, each once: same rows per ``key`` value (nulls equal), nothing else."""
    expected = pl.concat([p.select(key) for p in parts.values()]).group_by(key).agg(pl.len().alias("n"))
    written = union.select(key).group_by(key).agg(pl.len().alias("n"))
    joined = expected.join(written, on=list(key), how="full", coalesce=True, nulls_equal=True, suffix="_written")
    diff = joined.filter(pl.col("n").fill_null(0) != pl.col("n_written").fill_null(0))
    label = lambda row: ":".join("" if v is None else str(v) for v in row)  # noqa: E731
    return outcome(
        {**{f"rows_{name}": p.height for name, p in parts.items()}, "rows_union": union.height},
        {"keys_miscounted": {label(r[: len(key)]) for r in diff.iter_rows()}},
    )
