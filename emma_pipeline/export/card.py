"""The dataset card: a README.md with Hugging Face YAML front matter, generic over the columns present.

``dataset_card`` is a pure function of the published frame and what the lake says about it, so the same text is
written by ``emma export`` and attached to the ``dataset`` asset's metadata. It contains nothing time-dependent:
an unchanged snapshot gives an identical card.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
import yaml

from emma_pipeline.export import card_sections as sections
from emma_pipeline.export.card_models import models_section
from emma_pipeline.export.columns import UNDESCRIBED, meaning, mix_note, source_column, type_name
from emma_pipeline.export.coverage import coverage_markdown, source_mix
from emma_pipeline.export.parquet_files import split_files
from emma_pipeline.export.published import ordered_splits

PRETTY_NAME = "EMMa objects"
MATERIALS_FILE = "materials.json"
CATEGORIES_FILE = "categories.json"
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
          (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"))  # fmt: skip


@dataclass(frozen=True)
class LakeSource:
    """Which lake state the rows came from: the snapshot read, and the snapshot that last wrote ``dataset``."""

    snapshot: int | None = None
    dataset_snapshot: int | None = None
    tables: dict[str, int] = field(default_factory=dict)  # other tables read -> the snapshot that last wrote them


def dataset_card(
    frame: pl.DataFrame,
    *,
    source: LakeSource | None = None,
    taxonomy: pl.DataFrame | None = None,
    categories: pl.DataFrame | None = None,
    metrics: pl.DataFrame | None = None,
    images: sections.ImageSummary | None = None,
    files: dict[str, list[str]] | None = None,
) -> str:
    """The card of ``frame`` (the published rows; the ``dataset`` table itself works too). ``files``: the Parquet
    files per split (default: the names ``emma export`` gives them); ``taxonomy``: ``material_taxonomy``;
    ``categories``: ``category_tree``; ``metrics``: ``model_metrics``; each optional, its section says so when
    absent."""
    files = files if files is not None else split_files(frame)
    parts = [
        front_matter(files, frame.height),
        f"# {PRETTY_NAME}\n\n{sections.summary(frame, files)}",
        sections.loading(frame, files),
        "## Lake snapshot\n\n" + sections.lake_source(source),
        "## Columns\n\n" + schema_markdown(frame),
        "## Coverage per attribute\n\n" + coverage_markdown(frame) + "\n\n" + sections.coverage_note(frame),
        "## Material taxonomy\n\n" + sections.taxonomy(taxonomy, MATERIALS_FILE),
        "## Categories\n\n" + sections.categories(categories, CATEGORIES_FILE),
        "## Images\n\n" + sections.images(frame, images),
        "## Models that filled the values\n\n" + models_section(frame, metrics),
        "## Known limitations\n\n" + sections.limitations(frame, images),
    ]
    return "\n\n".join(p.rstrip() for p in parts) + "\n"


def front_matter(files: dict[str, list[str]], rows: int) -> str:
    """YAML between ``---`` lines: the Hub's ``configs`` -> ``data_files`` (every file of every split) and tags."""
    meta = {
        "pretty_name": PRETTY_NAME,
        "tags": ["emma", "multimodal", "multi-task", "products", "materials", "synthetic-labels"],
        "task_categories": ["tabular-regression", "tabular-classification"],
        "size_categories": [size_category(rows)],
        "configs": [{
            "config_name": "default",
            "data_files": [{"split": s, "path": list(files[s])} for s in ordered_splits(list(files))],
        }],
    }  # fmt: skip
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, default_flow_style=False, allow_unicode=True) + "---"


def size_category(rows: int) -> str:
    return next((label for bound, label in _SIZES if rows < bound), "n>1B")


def schema_markdown(frame: pl.DataFrame) -> str:
    columns = frame.columns
    lines = ["| column | type | meaning | source mix |", "|---|---|---|---|"]
    for column, dtype in frame.schema.items():
        companion = source_column(column, columns)
        mix = source_mix(frame, companion) if companion else mix_note(column, columns)
        if companion and companion != f"{column}_source":
            mix += f" (follows `{companion}`)"
        lines.append(f"| `{column}` | {type_name(dtype)} | {_cell(meaning(column, columns))} | {mix} |")
    undescribed = [c for c in columns if meaning(c, columns) == UNDESCRIBED]
    if undescribed:
        lines.append(f"\nColumns without a description yet: {', '.join(f'`{c}`' for c in undescribed)}.")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
