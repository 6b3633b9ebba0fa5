"""The card's model section: which model versions filled which values, and their metrics from ``model_metrics``."""

from __future__ import annotations

import polars as pl

from emma_pipeline.export.coverage import attributes

METRICS_SPLIT = "test"
_KEYS = ("model", "generation", "task", "split", "metric")


def combined_metrics(frames: list[pl.DataFrame | None]) -> pl.DataFrame | None:
    """The metrics tables present (``generation_metrics`` first: every generation's models), one row per
    (model, generation, task, split, metric), the first table's row winning."""
    present = [f for f in frames if f is not None and f.height]
    if not present:
        return None
    table = pl.concat(present, how="diagonal_relaxed")
    keys = [k for k in _KEYS if k in table.columns]
    return table.unique(subset=keys, keep="first", maintain_order=True) if keys else table


def generations(frame: pl.DataFrame) -> list[int]:
    """Model generations that filled at least one value (``genN`` sources)."""
    found = set()
    for attr in attributes(frame):
        for label in frame[f"{attr}_source"].drop_nulls().unique().to_list():
            if label.startswith("gen") and label[3:].isdigit():
                found.add(int(label[3:]))
    return sorted(found)


def versions_markdown(frame: pl.DataFrame) -> str:
    """attribute | source | model version | objects, for every value a model produced or refined."""
    rows = []
    for attr in attributes(frame):
        column = f"{attr}_model_version"
        if column not in frame.columns:
            continue
        used = (frame.filter(pl.col(column).is_not_null()).group_by(f"{attr}_source", column).len()
                .sort(f"{attr}_source", column))  # fmt: skip
        rows += [(attr, s, v, n) for s, v, n in used.iter_rows()]
    if not rows:
        return "No value of this table was produced by a model."
    lines = ["| attribute | source | model version | objects |", "|---|---|---|---|"]
    lines += [f"| `{a}` | {s} | `{v}` | {n:,} |" for a, s, v, n in rows]
    return "\n".join(lines)


def metrics_markdown(metrics: pl.DataFrame | None, used: list[int]) -> str:
    """The ``model_metrics`` rows of the generations that filled values, on the test split: a table per
    generation."""
    if metrics is None:
        return "No metrics table was given (`emma export` reads `generation_metrics` and `model_metrics`)."
    table = metrics
    if "split" in table.columns and (table["split"] == METRICS_SPLIT).any():
        table = table.filter(pl.col("split") == METRICS_SPLIT)
    if "generation" in table.columns and used:
        table = table.filter(pl.col("generation").is_in(used))
    if table.height == 0:
        return "`model_metrics` has no rows for the generations that filled this table."
    if "generation" not in table.columns:
        return _pivot(table)
    parts = []
    for generation in sorted(table["generation"].unique().to_list()):
        parts.append(f"Generation {generation}:\n\n" + _pivot(table.filter(pl.col("generation") == generation)))
    return "\n\n".join(parts)


def _pivot(table: pl.DataFrame) -> str:
    """One row per (task, metric), one column per model, and the trivial baseline."""
    keys = [c for c in ("task", "metric") if c in table.columns]
    models = sorted(table["model"].unique().to_list())
    cells = {(tuple(r[k] for k in keys), r["model"]): r["value"] for r in table.iter_rows(named=True)}
    baseline = {tuple(r[k] for k in keys): r.get("baseline") for r in table.iter_rows(named=True)}
    header = [*keys, *[f"`{m}`" for m in models], "baseline"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key in sorted(baseline, key=lambda k: tuple(str(x) for x in k)):
        values = [_number(cells.get((key, m))) for m in models]
        lines.append("| " + " | ".join([*map(str, key), *values, _number(baseline[key])]) + " |")
    return "\n".join(lines)


def models_section(frame: pl.DataFrame, metrics: pl.DataFrame | None) -> str:
    used = generations(frame)
    note = (f"Values were filled by model generation{'s' if len(used) > 1 else ''} {', '.join(map(str, used))}." if used
            else "No value was filled by a model.")  # fmt: skip
    return (f"{note}\n\n{versions_markdown(frame)}\n\n### Metrics ({METRICS_SPLIT} split, from `generation_metrics` and `model_metrics`)\n\n"
            f"{metrics_markdown(metrics, used)}")  # fmt: skip


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)
