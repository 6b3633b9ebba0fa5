"""The table-wide half of the cleaning state: one row (table ``dedup_versions``) naming the dedup index version and
the filter models version the committed decisions were made on, and fingerprints of the configs they were made with.

These values are the same for every ASIN, so they are not columns of the per-ASIN ``dedup_state``: every batch
saves a new index version, and a column of it on every row made every row differ, so each batch rewrote the whole
table. Apart, a batch rewrites only the ``dedup_state`` rows of the ASINs it touched, plus this one row. Both are
committed in one lake transaction with the other cleaning outputs and read back from one snapshot, so the row
always names the index and models of the decisions beside it.
"""

from __future__ import annotations

import polars as pl

KEY, KEY_VALUE = "key", "cleaning"  # the one row's key: the lake updates tables by key
INDEX_VERSION = "index_version"  # the dedup index version the decisions were made on
DEDUP_CONFIG = "dedup_config"  # fingerprint of the DedupConfig the decisions were made with
MODELS_VERSION = "filter_models"  # the saved filter models version the scores were made with
MODELS_CONFIG = "filter_config"  # fingerprint of the filter model settings they were fitted with
VERSIONS_SCHEMA = {KEY: pl.Utf8, INDEX_VERSION: pl.Utf8, DEDUP_CONFIG: pl.Utf8, MODELS_VERSION: pl.Utf8,
                   MODELS_CONFIG: pl.Utf8}  # fmt: skip
_TABLE_WIDE = (INDEX_VERSION, DEDUP_CONFIG, MODELS_VERSION, MODELS_CONFIG)


def versions_row(index_version: str, dedup_config: str, models_version: str | None, models_config: str) -> pl.DataFrame:
    """The one row to commit with the cleaning outputs."""
    values = [KEY_VALUE, index_version, dedup_config, models_version, models_config]
    return pl.DataFrame([dict(zip(VERSIONS_SCHEMA, values))], schema=VERSIONS_SCHEMA)


def committed_versions(versions: pl.DataFrame | None) -> tuple[dict[str, str | None] | None, str]:
    """The committed row as a dict, or None and why there is none to go on (for the run log)."""
    if versions is None:
        return None, "no dedup_versions table"
    if versions.height != 1:
        return None, f"dedup_versions holds {versions.height:,} rows, not one"
    row = versions.row(0, named=True)
    return {name: row.get(name) for name in _TABLE_WIDE}, ""


def is_old_layout(state: pl.DataFrame | None) -> bool:
    """``dedup_state`` as written before ``dedup_versions``: the table-wide values repeated on every row. Such a
    lake has no versions table; its next run judges every listing once and writes the new layout."""
    return state is not None and INDEX_VERSION in state.columns
