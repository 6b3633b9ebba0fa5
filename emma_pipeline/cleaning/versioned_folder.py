"""Versions of an on-disk folder, each written completely before anything may point at it.

``commit_version`` / ``current_version``: a one-line ``CURRENT`` pointer, replaced with ``os.replace`` (the
only step that switches versions), says which version is current (the product search index).

``write_version`` / ``version_folder`` (the dedup index): each save writes a new ``v-<uuid>`` folder (under a hidden ``.partial`` name until complete) and returns its
name. Nothing on disk says which version is current: the caller records the name where it commits its own
results (the dedup stage stores it in the ``dedup_versions`` table, in the same lake transaction as its outputs),
so a run killed before that commit leaves the previous name, and the previous folder, in force. A save sweeps
every other version except those the caller still refers to (``keep``).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

CURRENT = "CURRENT"


def write_version(directory: str | Path, write: Callable[[Path], None], keep: Iterable[str] = ()) -> str:
    """Call ``write(folder)`` on a fresh folder, sweep versions other than it and ``keep``; returns its name."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    version = f"v-{uuid.uuid4().hex}"
    partial = directory / f".{version}.partial"
    partial.mkdir()
    write(partial)
    partial.rename(directory / version)
    keep = {version, *keep}
    for stale in directory.iterdir():
        if stale.name not in keep and stale.name.startswith(("v-", ".v-", ".CURRENT", "CURRENT")):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return version


def commit_version(directory: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(folder)`` on a fresh folder and make it the ``CURRENT`` version; returns that folder."""
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


def version_folder(directory: str | Path, version: str, what: str = "saved version") -> Path:
    """The folder of ``version``; FileNotFoundError naming ``what`` when it is not there."""
    if not version.startswith("v-") or "/" in version or "\\" in version:
        raise ValueError(f"not a version name: {version!r}")
    folder = Path(directory) / version
    if not folder.is_dir():
        raise FileNotFoundError(f"no {what} {version} in {directory}")
    return folder
