"""Persist the dedup stage's (text, image) index pair as one immutable version, so an incremental run can check
newly arriving listings against every object kept so far without rebuilding anything.

The version name is stored in the one-row ``dedup_versions`` table, committed in one lake transaction with the
decisions made on that index (``dedup_state`` and the other cleaning outputs); the next run loads exactly that
version. A run that dies after saving an index but before committing its outputs thus leaves the previous
decisions paired with the previous index (the orphan version is swept by the next save).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from emma_pipeline.cleaning.ann_index import VectorIndex
from emma_pipeline.cleaning.dedup_state import STATE_SCHEMA, DedupIndex, DedupState
from emma_pipeline.cleaning.dedup_versions import DEDUP_CONFIG, INDEX_VERSION, committed_versions, is_old_layout
from emma_pipeline.cleaning.versioned_folder import version_folder, write_version

_NAMES = ("text", "image")


def save_dedup_index(index: DedupIndex, directory: str | Path, keep: Iterable[str] = ()) -> str:
    """Both indexes in one new version of ``directory``; returns its name. Versions other than ``keep`` (the one
    the committed ``dedup_versions`` names) are swept."""

    def write(folder: Path) -> None:
        for name, vector_index in zip(_NAMES, index):
            vector_index.write_folder(folder / name)

    return write_version(directory, write, keep)


def load_dedup_index(directory: str | Path, version: str) -> DedupIndex:
    """The pair saved as ``version``; FileNotFoundError when it is not there."""
    folder = version_folder(directory, version, "saved dedup index")
    text, image = (VectorIndex.read_folder(folder / name) for name in _NAMES)
    return DedupIndex(text, image)


@dataclass(frozen=True)
class PreviousDedup:
    """What the last committed cleaning run left for an incremental one; state None means a full run."""

    state: DedupState | None  # with the index its decisions were made on
    version: str | None  # the index version the committed dedup_versions names
    note: str  # why it is a full or an incremental run, for the run log


def load_previous_dedup(
    state: pl.DataFrame | None, versions: pl.DataFrame | None, groups: pl.DataFrame | None,
    removals: pl.DataFrame | None, directory: str | Path, config: str | None = None,
) -> PreviousDedup:
    """The committed decisions (tables read from one lake snapshot) with exactly the index version
    ``dedup_versions`` names. With ``config`` (the fingerprint of today's DedupConfig), decisions made with another
    config are not kept: a changed threshold re-judges every listing. A lake from before ``dedup_versions``
    (the versions on every ``dedup_state`` row) is judged again once, not read in the old layout."""
    if state is None or groups is None or removals is None:
        return PreviousDedup(None, None, "no earlier dedup decisions: judging every listing")
    row, missing = committed_versions(versions)
    if row is None and is_old_layout(state):
        return PreviousDedup(None, None, "dedup_state is in the layout from before dedup_versions (versions on every "
                             "row): judging every listing once, the next runs are incremental again")  # fmt: skip
    if row is None:
        return PreviousDedup(None, None, f"{missing}: judging every listing")
    if config is not None and row[DEDUP_CONFIG] != config:
        return PreviousDedup(None, None, "the dedup config changed since the last decisions: judging every listing")
    version = row[INDEX_VERSION]
    if version is None:
        return PreviousDedup(None, None, "dedup_versions names no index version: judging every listing")
    try:
        index = load_dedup_index(directory, version)
    except FileNotFoundError as gone:
        return PreviousDedup(None, None, f"{gone}: judging every listing")
    previous = DedupState(state.select(list(STATE_SCHEMA)), groups, removals.filter(pl.col("stage") == "dedup"), index)
    return PreviousDedup(previous, version, f"judging new or changed listings against index {version}")
