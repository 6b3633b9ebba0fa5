"""Keyword and regular-expression features: binary model inputs, positive iff the listing text matches.

A keyword matches at the start of a word, case-insensitively, so ``electr`` matches "electric" and
"electronics" (the paper's lists use such stems) but ``pin`` does not match "shipping". A regex feature is a
case-insensitive regular expression in the syntax polars (Rust ``regex``) accepts: no look-around or
back-references, which keeps matching linear-time on a million listings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import polars as pl

KINDS = ("keyword", "regex")
MAX_PATTERN = 200


class FeatureError(ValueError):
    pass


def feature_regex(kind: str, pattern: str) -> str:
    if kind == "keyword":
        return r"(?i)\b" + re.escape(pattern.strip().lower())
    return "(?i)" + pattern


def validate_feature(kind: str, pattern: str) -> None:
    if kind not in KINDS:
        raise FeatureError(f"feature kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(pattern, str) or not pattern.strip() or len(pattern) > MAX_PATTERN:
        raise FeatureError(f"a feature pattern is 1-{MAX_PATTERN} characters")
    if kind == "keyword" and not re.fullmatch(r"[\w][\w' -]*", pattern.strip()):
        raise FeatureError("a keyword is letters, digits, spaces, ' or - (use a regex feature for anything else)")
    try:
        pl.Series([""]).str.contains(feature_regex(kind, pattern))
    except Exception as exc:  # polars raises ComputeError for an invalid pattern
        raise FeatureError(f"invalid regular expression {pattern!r}: {str(exc).splitlines()[0]}") from None


def keyword_matrix(texts: pl.Series, features: Sequence[tuple[str, str]]) -> np.ndarray:
    """One 0/1 float32 column per (kind, pattern), rows aligned with ``texts``."""
    out = np.zeros((texts.len(), len(features)), dtype=np.float32)
    filled = texts.fill_null("")
    for j, (kind, pattern) in enumerate(features):
        out[:, j] = filled.str.contains(feature_regex(kind, pattern)).to_numpy()
    return out
