"""Table 1 layout as markdown, and the per-object modality weights as a histogram (modality collapse shows)."""

from __future__ import annotations

import numpy as np
import polars as pl

from emma_pipeline.reports.figures import _png, plt

TABLE1_METRICS = ("mnre_price", "mnre_mass", "f1_materials", "accuracy_category", "kl_ratings")
ROW_ORDER = ("text", "vision", "fusion_concat", "fusion_attention")


def table1_markdown(metrics: pl.DataFrame, split: str = "test") -> str:
    """Rows per model, one column per task's headline metric, ``value (baseline)``."""
    cells = metrics.filter((pl.col("split") == split) & pl.col("metric").is_in(TABLE1_METRICS))
    lines = ["| model | " + " | ".join(TABLE1_METRICS) + " |", "|---" * (len(TABLE1_METRICS) + 1) + "|"]
    for model in [m for m in ROW_ORDER if m in cells["model"].to_list()]:
        row = {r["metric"]: r for r in cells.filter(pl.col("model") == model).iter_rows(named=True)}
        values = [f"{row[m]['value']:.3f} ({row[m]['baseline']:.3f})" if m in row else "–" for m in TABLE1_METRICS]
        lines.append(f"| {model} | " + " | ".join(values) + " |")
    return "\n".join(lines) + f"\n\n_{split} split; baseline in parentheses._"


def collapsed_share(weights: np.ndarray, threshold: float = 0.95) -> float:
    """Share of objects that put more than ``threshold`` of the weight on one modality."""
    return float((weights.max(axis=1) > threshold).mean()) if len(weights) else float("nan")


def modality_weights_png(weights: np.ndarray, names: list[str]) -> bytes:
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for k, name in enumerate(names):
        ax.hist(weights[:, k], bins=30, range=(0, 1), alpha=0.6, label=f"{name} (mean {weights[:, k].mean():.2f})")
    ax.set_xlabel("modality weight per object")
    ax.set_ylabel("objects")
    ax.set_title(f"Modality attention (collapsed > 0.95: {collapsed_share(weights):.0%})")
    ax.legend()
    return _png(fig)
