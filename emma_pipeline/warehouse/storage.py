"""Folders beside the lake that may live on another filesystem: a local ``Path``, or a ``UPath`` (fsspec) for a
URL such as ``s3://bucket/indexes``, so files written on one machine are found by a run on another.

S3 access comes from the environment as for the lake: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, and for
an S3-compatible server ``EMMA_S3_ENDPOINT`` (``host:port``) with ``EMMA_S3_USE_SSL=false`` for plain http
(``AWS_ENDPOINT_URL`` wins when set).
"""

from __future__ import annotations

import os
from pathlib import Path

from upath import UPath


def is_remote(location: str | os.PathLike) -> bool:
    """Whether ``location`` names a non-local filesystem (a URL other than file://, or a remote UPath)."""
    if isinstance(location, UPath):
        return location.protocol not in ("", "file", "local")
    text = str(location)
    return "://" in text and not text.startswith("file://")


def storage_path(location: str | os.PathLike) -> Path:
    """``location`` as a path object: ``Path`` when local, else a ``UPath`` that joins with ``/`` the same way."""
    if not is_remote(location):
        return Path(str(location).removeprefix("file://"))
    if isinstance(location, UPath):
        return location
    text = str(location)
    if text.startswith(("s3://", "s3a://")):
        return UPath(text, **_s3_options())
    return UPath(text)


def beside(data_path: str, name: str) -> str:
    """``name`` next to the lake's data folder (local or remote)."""
    base = data_path.rstrip("/")
    return f"{base.rsplit('/', 1)[0]}/{name}" if is_remote(base) else str(Path(base).parent / name)


def models_root(lake_data: str, override: str | None = None) -> str:
    """``override`` (EMMA_MODELS) or ``models`` next to the lake's data folder (local or s3://)."""
    return override.rstrip("/") if override else beside(lake_data, "models")


def _s3_options() -> dict:
    if os.environ.get("AWS_ENDPOINT_URL") or not os.environ.get("EMMA_S3_ENDPOINT"):
        return {}
    ssl = os.environ.get("EMMA_S3_USE_SSL", "true").lower() != "false"
    return {"client_kwargs": {"endpoint_url": f"{'https' if ssl else 'http'}://{os.environ['EMMA_S3_ENDPOINT']}"}}
