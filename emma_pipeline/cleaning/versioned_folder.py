"""Atomic versions of an on-disk folder: a reader sees the previous version or the new one, never half of one.

Each save writes a new ``v-<uuid>`` folder (under a hidden ``.partial`` name until complete), then replaces
the one-line ``CURRENT`` pointer file with ``os.replace``, the only step that switches versions. A run
killed at any point leaves the previous version current; the next save sweeps the leftovers.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

CURRENT = "CURRENT"


def commit_version(directory: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(folder)`` on a fresh folder and make it the current version; returns that folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    version = f"v-{uuid.uuid4().hex}"
    partial = directory / f".{version}.partial"
    partial.mkdir()
    write(partial)
    partial.rename(directory / version)
    pointer = directory / f".{CURRENT}.{version}.tmp"
    pointer.write_text(version)
    pointer.replace(directory / CURRENT)
    for stale in directory.iterdir():
        if stale.name not in (version, CURRENT) and stale.name.startswith(("v-", ".v-", f".{CURRENT}.")):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return directory / version


def current_version(directory: str | Path, what: str = "saved version") -> Path:
    """The folder ``CURRENT`` points to; FileNotFoundError naming ``what`` when nothing was saved."""
    directory = Path(directory)
    pointer = directory / CURRENT
    if not pointer.is_file():
        raise FileNotFoundError(f"no {what} in {directory} (missing {CURRENT})")
    return directory / pointer.read_text().strip()
