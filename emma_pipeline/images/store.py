"""A content-addressed image store: each fetched image is kept once, under the sha256 of its bytes.

``<root>/<first two hex digits>/<sha256>``; the root is a local folder or any fsspec URL (``s3://bucket/landing/
_images``). Content addressing makes a write idempotent (the same bytes always land at the same name, so a re-run
or two URLs of one picture store nothing new) and makes the embedding cache content-keyed for free: a listing's
image reference changes exactly when its bytes do.
"""

from __future__ import annotations

import hashlib
import os
import uuid

import fsspec


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ImageStore:
    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self._fs, self._base = fsspec.core.url_to_fs(self.root)
        self._local = "://" not in self.root or self.root.startswith("file://")

    def path(self, digest: str) -> str:
        """Where the image with this sha256 lives, as a path or URL the image encoder can open."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return f"{self.root}/{digest[:2]}/{digest}"

    def _key(self, digest: str) -> str:
        return f"{self._base.rstrip('/')}/{digest[:2]}/{digest}"

    def exists(self, digest: str) -> bool:
        return self._fs.exists(self._key(digest))

    def size(self, digest: str) -> int | None:
        """Bytes stored under ``digest``, or None when absent."""
        try:
            return int(self._fs.size(self._key(digest)))
        except FileNotFoundError:
            return None

    def put(self, data: bytes) -> str:
        """Store ``data`` (nothing is written when it is already there); returns its sha256."""
        digest = content_hash(data)
        key = self._key(digest)
        if self._fs.exists(key):
            return digest
        if self._local:  # write aside, then rename: a reader never sees a half-written image
            os.makedirs(os.path.dirname(key), exist_ok=True)
            partial = f"{key}.{uuid.uuid4().hex}.partial"
            with open(partial, "wb") as handle:
                handle.write(data)
            os.replace(partial, key)
        else:  # object stores publish an object only once its upload completed
            self._fs.pipe_file(key, data)
        return digest

    def read(self, digest: str) -> bytes:
        return self._fs.cat_file(self._key(digest))
