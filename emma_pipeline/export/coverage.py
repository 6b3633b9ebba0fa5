"""Where the values come from: the source mix of a column and the coverage of each attribute.

Generic over the frame: any column with an ``<attr>_source`` companion is an attribute; ``<attr>_passes_threshold``
is used when present. Fractions are of all rows of the frame.
"""

from __future__ import annotations

import polars as pl

from emma_pipeline.fill_in.schema import ORIGINAL, SOURCES

NO_SOURCE = "none"


def attributes(frame: pl.DataFrame) -> list[str]:
    """Columns that have an ``<attr>_source`` companion, in frame order."""
    return [c for c in frame.columns if f"{c}_source" in frame.columns]


def source_counts(frame: pl.DataFrame, source: str) -> dict[str, int]:
    """Rows per source label (known labels first in SOURCES order, then others sorted, then ``none`` for null)."""
    counts = dict(frame.group_by(pl.col(source).fill_null(NO_SOURCE)).len().iter_rows())
    order = [s for s in SOURCES if s in counts] + sorted(k for k in counts if k not in SOURCES and k != NO_SOURCE)
    return {k: int(counts[k]) for k in order + ([NO_SOURCE] if NO_SOURCE in counts else [])}


def source_mix(frame: pl.DataFrame, source: str) -> str:
    """``original 61.0 %, gen2 39.0 %``."""
    if frame.height == 0:
        return "no rows"
    return ", ".join(f"{k} {_pct(v, frame.height)}" for k, v in source_counts(frame, source).items())


def coverage(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per attribute: rows, original, synthetic (any model generation), per-generation counts, rows
    without a value, synthetic rows passing the 95 %-precision threshold, and usable = original + passing."""
    rows = []
    for attr in attributes(frame):
        counts = source_counts(frame, f"{attr}_source")
        synthetic = frame.filter(pl.col(f"{attr}_source").is_not_null() & (pl.col(f"{attr}_source") != ORIGINAL))
        passing = None
        if f"{attr}_passes_threshold" in frame.columns:
            passing = int(synthetic[f"{attr}_passes_threshold"].fill_null(False).sum())
        original = counts.get(ORIGINAL, 0)
        rows.append({
            "attribute": attr, "rows": frame.height, "original": original, "synthetic": synthetic.height,
            **{f"{s}": counts.get(s, 0) for s in SOURCES if s != ORIGINAL},
            "no_value": int(frame[attr].null_count()), "synthetic_passing": passing,
            "usable": original + passing if passing is not None else None,
        })  # fmt: skip
    schema = {"attribute": pl.Utf8, "rows": pl.Int64, "original": pl.Int64, "synthetic": pl.Int64,
              **{s: pl.Int64 for s in SOURCES if s != ORIGINAL}, "no_value": pl.Int64,
              "synthetic_passing": pl.Int64, "usable": pl.Int64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def coverage_markdown(frame: pl.DataFrame) -> str:
    table = coverage(frame)
    if table.height == 0:
        return "No column of this table has a `<attr>_source` companion: every value is as stated by the sources."
    generations = [s for s in SOURCES if s != ORIGINAL and table[s].sum() > 0]
    header = ["attribute", "original", "synthetic", *generations, "synthetic passing threshold", "original + passing",
              "no value"]  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.iter_rows(named=True):
        n = row["rows"]
        passing = "n/a" if row["synthetic_passing"] is None else f"{row['synthetic_passing']:,} ({_pct(row['synthetic_passing'], row['synthetic'])} of synthetic)"
        usable = "n/a" if row["usable"] is None else _count(row["usable"], n)
        cells = [f"`{row['attribute']}`", _count(row["original"], n), _count(row["synthetic"], n),
                 *[_count(row[g], n) for g in generations], passing, usable, _count(row["no_value"], n)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _count(k: int, n: int) -> str:
    return f"{k:,} ({_pct(k, n)})"


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f} %" if n else "n/a"
