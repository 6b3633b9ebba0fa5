"""Mask-and-recover figures as one markdown table."""

from __future__ import annotations

import polars as pl

from emma_pipeline.fill_in.masking import NOT_AT_RANDOM


def recover_markdown(table: pl.DataFrame) -> str:
    lines = ["| scenario | generation | attribute | hidden | metric | filled | imputation | better |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in table.iter_rows(named=True):
        what = f"{r['scenario']} ({NOT_AT_RANDOM[r['attribute']]})" if r["scenario"] == "not_at_random" else r["scenario"]
        lines.append(f"| {what} | {r['generation']} | {r['attribute']} | {r['hidden']} | {r['metric']} | {r['filled']:.3f} | "
                     f"{r['imputation']:.3f} | {'yes' if r['beats_imputation'] else 'no'} |")  # fmt: skip
    return "\n".join(lines)
