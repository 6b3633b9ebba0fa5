"""Where fitted object-embedding models live: one file per version beside the lake, named by the version the
``object_embeddings`` table records, so whoever reads the table loads exactly the model that wrote it."""

from __future__ import annotations

import re
import time
from pathlib import Path

from emma_pipeline.warehouse.storage import storage_path

_VERSION = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-z]{8}$")


def new_version(run_id: str) -> str:
    """A sortable, unique version: UTC time of the fit plus the start of the run id."""
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{run_id.replace('-', '')[:8].lower()}"


def model_path(folder: Path, version: str) -> Path:
    """The model file of ``version`` in ``folder`` (``Settings.object_models_dir``)."""
    if not _VERSION.match(version):
        raise ValueError(f"not an object-embedding model version: {version!r}")
    return storage_path(folder) / f"{version}.pt"
