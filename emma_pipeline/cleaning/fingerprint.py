"""A stable key of a configuration, stored beside decisions made with it: a changed config is seen as such."""

from __future__ import annotations

import hashlib


def fingerprint(value: object) -> str:
    """Of a frozen config dataclass (or a tuple of settings): its repr lists every field, nested ones too."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()
