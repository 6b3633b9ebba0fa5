"""The landing zone: a folder (local or any fsspec URL such as s3://) holding one sub-folder per ingest batch."""

from __future__ import annotations

import time

import fsspec
from dagster import ConfigurableResource

READY_MARKER = "_SUCCESS"


class LandingZone(ConfigurableResource):
    """A batch is ready when it holds a ``_SUCCESS`` marker (written last by whoever drops the files), or when
    nothing in it changed for ``settle_seconds`` (for drops that cannot write a marker)."""

    root: str
    settle_seconds: int = 120

    def _fs(self) -> tuple[fsspec.AbstractFileSystem, str]:
        fs, path = fsspec.core.url_to_fs(self.root)
        return fs, path.rstrip("/")

    def batch_path(self, batch: str) -> str:
        return self.root.rstrip("/") + "/" + batch

    def ready_batches(self, now: float | None = None) -> list[str]:
        fs, root = self._fs()
        if not fs.exists(root):
            return []
        now = time.time() if now is None else now
        ready = []
        for entry in fs.ls(root, detail=True):
            name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
            if entry["type"] != "directory" or name.startswith((".", "_")):
                continue
            if fs.exists(f"{root}/{name}/{READY_MARKER}") or self._settled(fs, f"{root}/{name}", now):
                ready.append(name)
        return sorted(ready)

    def _settled(self, fs: fsspec.AbstractFileSystem, path: str, now: float) -> bool:
        newest = 0.0
        for info in fs.find(path, detail=True).values():
            modified = info.get("mtime") or info.get("LastModified") or info.get("created")
            if modified is None:
                return False
            newest = max(newest, modified.timestamp() if hasattr(modified, "timestamp") else float(modified))
        return newest > 0 and now - newest >= self.settle_seconds
