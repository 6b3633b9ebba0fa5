"""Persist the dedup stage's (text, image) index pair as one atomic version, so an incremental run can check
newly arriving listings against every object kept so far without rebuilding anything."""

from __future__ import annotations

from pathlib import Path

from emma_pipeline.cleaning.ann_index import VectorIndex
from emma_pipeline.cleaning.versioned_folder import commit_version, current_version

_NAMES = ("text", "image")


def save_dedup_index(index: tuple[VectorIndex, VectorIndex], directory: str | Path) -> None:
    """Both indexes in one new version of ``directory``: a killed run never pairs a new text index with an old
    image index."""

    def write(folder: Path) -> None:
        for name, vector_index in zip(_NAMES, index):
            vector_index.write_folder(folder / name)

    commit_version(directory, write)


def load_dedup_index(directory: str | Path) -> tuple[VectorIndex, VectorIndex]:
    """The pair last saved with ``save_dedup_index``; FileNotFoundError when none was."""
    folder = current_version(directory, "saved dedup index")
    text, image = (VectorIndex.read_folder(folder / name) for name in _NAMES)
    return text, image
