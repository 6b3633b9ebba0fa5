"""The fill-in's figures as markdown: coverage at the target precision, and generation k vs generation 1."""

from __future__ import annotations

import polars as pl

from emma_pipeline.models.report import ROW_ORDER, TABLE1_METRICS

FILLER = "fusion_attention"


def coverage_markdown(filled) -> str:
    lines = ["| attribute | synthetic share | threshold | held-out precision (support) | test precision | coverage at precision |",
             "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for attr, t in filled.tuned.thresholds.items():
        c = filled.coverage[attr]
        lines.append(f"| {attr} | {c['synthetic']:.1%} | {t.value:.3f} | {t.precision:.3f} ({t.support}/{t.tuning_rows}) | "
                     f"{filled.tuned.test_precision[attr]:.3f} | {c['synthetic_passing']:.1%} |")  # fmt: skip
    return "\n".join(lines)


def _compare(table: pl.DataFrame, generation: int, models: tuple[str, ...]) -> tuple[int, int]:
    test = table.filter((pl.col("split") == "test") & pl.col("metric").is_in(TABLE1_METRICS) & pl.col("model").is_in(models))
    first = test.filter(pl.col("generation") == 1).select("model", "metric", pl.col("value").alias("gen1"))
    later = test.filter(pl.col("generation") == generation).join(first, on=["model", "metric"])
    later = later.filter(pl.col("value").is_not_nan() & pl.col("gen1").is_not_nan())
    ge = later.with_columns(pl.when(pl.col("higher_is_better")).then(pl.col("value") >= pl.col("gen1"))
                            .otherwise(pl.col("value") <= pl.col("gen1")).alias("ge"))  # fmt: skip
    return int(ge["ge"].sum()), ge.height


def generations_summary(table: pl.DataFrame) -> dict[str, str]:
    """``gen<k>_ge_gen1``: tasks (the filler's five headline metrics, test split) where generation k is at least as
    good as generation 1; ``..._all_models`` over every model's headline metrics."""
    out = {}
    for g in sorted(set(table["generation"].to_list()) - {1}):
        k, n = _compare(table, g, (FILLER,))
        out[f"gen{g}_ge_gen1"] = f"{k}/{n}"
        k, n = _compare(table, g, ROW_ORDER)
        out[f"gen{g}_ge_gen1_all_models"] = f"{k}/{n}"
    return out


def generations_markdown(table: pl.DataFrame, split: str = "test") -> str:
    cells = table.filter((pl.col("split") == split) & pl.col("metric").is_in(TABLE1_METRICS))
    lines = ["| model | generation | " + " | ".join(TABLE1_METRICS) + " |", "|---" * (len(TABLE1_METRICS) + 2) + "|"]
    for model in ROW_ORDER:
        for g in sorted(set(cells["generation"].to_list())):
            row = {r["metric"]: r["value"] for r in cells.filter((pl.col("model") == model) & (pl.col("generation") == g)).iter_rows(named=True)}
            if row:
                lines.append(f"| {model} | {g} | " + " | ".join(f"{row[m]:.3f}" if m in row else "–" for m in TABLE1_METRICS) + " |")
    return "\n".join(lines) + f"\n\n_{split} split, original values only._"
