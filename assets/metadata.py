"""Metadata helpers shared by assets: images as markdown, counters as tables."""

from __future__ import annotations

import base64
from pathlib import Path

import polars as pl
from dagster import MetadataValue


def png_markdown(png: bytes, title: str) -> MetadataValue:
    """An image the Dagster UI renders inline in the materialization's metadata."""
    return MetadataValue.md(f"![{title}](data:image/png;base64,{base64.b64encode(png).decode()})")


def save_png(png: bytes, directory: Path, name: str) -> MetadataValue:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(png)
    return MetadataValue.path(str(path))


def counts_markdown(frame: pl.DataFrame, column: str, top: int = 20) -> MetadataValue:
    """``column`` value counts as a small markdown table (e.g. quarantine reasons)."""
    if frame.is_empty():
        return MetadataValue.md("_none_")
    counts = frame.group_by(column).len().sort("len", descending=True).head(top)
    lines = [f"| {column} | rows |", "| --- | --- |"]
    lines += [f"| {value} | {n} |" for value, n in counts.iter_rows()]
    return MetadataValue.md("\n".join(lines))
