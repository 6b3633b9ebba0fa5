"""Turn a seller's material string into parts and tokens the mapper can look up.

The same normalization is applied to the taxonomy's synonyms and to seller text, so "Algodón", "ALGODON" and
"algodon" are one phrase. Numbers carry no material information once percentages and grades are gone
("60% cotton", "18/8 stainless", "304", "14k gold", "600D oxford"), so they are removed before splitting: the
"/" of "18/8" must not split a part.
"""

from __future__ import annotations

import re
import unicodedata

_PERCENT_RE = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_GRADE_RE = re.compile(r"\b\d+\s*/\s*\d+\b")  # 18/8, 18/10 stainless steel grades
_NUMBER_RE = re.compile(r"\b\d+(?:[.,]\d+)?[a-z]{0,3}\b")  # 304, 14k, 600d, 5mm; not pa66 or k9
_INNER_DOT_RE = re.compile(r"(?<=\w)\.(?=\w)")  # "p.u." -> "pu."
_SEPARATOR_RE = re.compile(r"[,;/&+|()\[\]{}:\n\r\t]|\s-\s|\.(?=\s|$)|\b(?:and|or)\b")
_TOKEN_RE = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    """Lowercase and strip accents (poliéster -> poliester); CJK characters pass through unchanged."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean(text: str) -> str:
    text = _fold(text)
    text = _PERCENT_RE.sub(" ", text)
    text = _GRADE_RE.sub(" ", text)
    text = _NUMBER_RE.sub(" ", text)
    return _INNER_DOT_RE.sub("", text)


def tokens(text: str) -> list[str]:
    """Word tokens of already-split text: runs of letters and digits."""
    return _TOKEN_RE.findall(text)


def normalize_phrase(text: str) -> str:
    """The canonical form of a synonym or part: folded, number-free tokens joined by single spaces."""
    return " ".join(tokens(_clean(text)))


def split_parts(raw: str) -> list[list[str]]:
    """Token lists of the parts of a seller string split at list separators; empty parts dropped."""
    parts = (tokens(part) for part in _SEPARATOR_RE.split(_clean(raw)))
    return [part for part in parts if part]
