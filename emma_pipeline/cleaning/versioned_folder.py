"""Versions of a folder, each written completely before anything may point at it; local or on an fsspec
filesystem (``storage_path``: e.g. ``s3://bucket/indexes/dedup``, so another machine finds them).

``commit_version`` / ``current_version``: a one-line ``CURRENT`` pointer, replaced with ``os.replace`` (locally)
or one object write (remotely; both are the only step that switches versions), says which version is current
(the product search index).

``write_version`` / ``version_folder`` (the dedup index): each save writes a new ``v-<uuid>`` folder (under a
hidden ``.partial`` name until complete locally; remotely, uploaded from a local folder and marked complete last)
and returns its name. Nothing says which version is current: the caller records the name where it commits its own
results (the dedup stage stores it in the ``dedup_versions`` table, in the same lake transaction as its outputs),
so a run killed before that commit leaves the previous name, and the previous folder, in force. A save sweeps
every other version except those the caller still refers to (``keep``).

Readers get a local folder either way: a remote version is downloaded once into a local cache (versions never
change once complete, so a cached copy is never stale).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from emma_pipeline.warehouse.storage import is_remote, storage_path

CURRENT = "CURRENT"
COMPLETE = "_COMPLETE"  # remote versions only: written after every other file of the version


def _cache_root() -> Path:
    return Path(os.environ.get("EMMA_VERSION_CACHE") or Path(tempfile.gettempdir()) / "emma-versions")


def write_version(directory: str | Path, write: Callable[[Path], None], keep: Iterable[str] = ()) -> str:
    """Call ``write(folder)`` on a fresh folder, sweep versions other than it and ``keep``; returns its name."""
    directory, version = storage_path(directory), f"v-{uuid.uuid4().hex}"
    if is_remote(directory):
        _upload(directory, version, write)
        _sweep_remote(directory, {version, *keep})
        return version
    _write_local(directory, version, write)
    keep = {version, *keep}
    for stale in directory.iterdir():
        if stale.name not in keep and stale.name.startswith(("v-", ".v-", ".CURRENT", "CURRENT")):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return version


def commit_version(directory: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(folder)`` on a fresh folder and make it the ``CURRENT`` version; returns that folder (for a
    remote directory, its URL path)."""
    directory, version = storage_path(directory), f"v-{uuid.uuid4().hex}"
    if is_remote(directory):
        _upload(directory, version, write)
        (directory / CURRENT).write_text(version)
        _sweep_remote(directory, {version, CURRENT})
        return directory / version
    _write_local(directory, version, write)
    pointer = directory / f".{CURRENT}.{version}.tmp"
    pointer.write_text(version)
    pointer.replace(directory / CURRENT)
    for stale in directory.iterdir():
        if stale.name not in (version, CURRENT) and stale.name.startswith(("v-", ".v-", f".{CURRENT}.")):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return directory / version


def current_version(directory: str | Path, what: str = "saved version") -> Path:
    """The (local) folder ``CURRENT`` points to; FileNotFoundError naming ``what`` when nothing was saved."""
    pointer = storage_path(directory) / CURRENT
    if not pointer.is_file():
        raise FileNotFoundError(f"no {what} in {directory} (missing {CURRENT})")
    return version_folder(directory, pointer.read_text().strip(), what)


def version_folder(directory: str | Path, version: str, what: str = "saved version") -> Path:
    """The (local) folder of ``version``; FileNotFoundError naming ``what`` when it is not there."""
    if not version.startswith("v-") or "/" in version or "\\" in version:
        raise ValueError(f"not a version name: {version!r}")
    directory = storage_path(directory)
    if is_remote(directory):
        return _local_copy(directory, version, what)
    folder = directory / version
    if not folder.is_dir():
        raise FileNotFoundError(f"no {what} {version} in {directory}")
    return folder


def _write_local(directory: Path, version: str, write: Callable[[Path], None]) -> None:
    """The version under a hidden ``.partial`` name until ``write`` returns, then renamed into place."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{version}.partial"
    partial.mkdir()
    write(partial)
    partial.rename(directory / version)


def _upload(directory, version: str, write: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory(prefix="emma-version-") as tmp:
        local = Path(tmp) / version
        local.mkdir()
        write(local)
        target = directory / version
        for file in sorted(p for p in local.rglob("*") if p.is_file()):
            target.fs.put_file(str(file), f"{target.path}/{file.relative_to(local).as_posix()}")
        (target / COMPLETE).write_bytes(b"")


def _sweep_remote(directory, keep: set[str]) -> None:
    for entry in directory.iterdir():
        if entry.name not in keep and entry.name.startswith("v-"):
            entry.fs.rm(entry.path, recursive=True)


def _local_copy(directory, version: str, what: str) -> Path:
    remote = directory / version
    cached = _cache_root() / hashlib.sha256(str(remote).encode()).hexdigest()[:24]
    if cached.is_dir():
        return cached
    if not (remote / COMPLETE).exists():
        raise FileNotFoundError(f"no {what} {version} in {directory}")
    partial = cached.with_name(f".{cached.name}.{uuid.uuid4().hex}.partial")
    partial.mkdir(parents=True)
    for file in remote.rglob("*"):
        if file.is_file() and file.name != COMPLETE:
            relative = file.path[len(remote.path):].lstrip("/")
            (partial / relative).parent.mkdir(parents=True, exist_ok=True)
            file.fs.get_file(file.path, str(partial / relative))
    try:
        partial.rename(cached)
    except OSError:  # another reader finished the same copy first
        shutil.rmtree(partial, ignore_errors=True)
    return cached
