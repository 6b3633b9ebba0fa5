"""Word overlap of two titles, the check that rescues near-duplicates the text embedding misses.

The text embedding covers title + features + description, so two listings of one product score lower when
one source gave only a title and the other the full text (cosine 0.73-0.91 on the sample, where different
products of one brand reach 0.92). Their titles still share nearly all words: a reordering, a colour swapped,
"(Upgraded)" added. Numbers count as words, so "13 Inch" vs "11 Inch" stays a difference. Two known brands
that differ veto the match: brands sharing a title template ("Tempered Glass Screen Protector") are not one
product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[^\W_]+")


def title_words(title: str | None) -> frozenset[str]:
    return frozenset(_WORD.findall(title.lower())) if title else frozenset()


def normalized_brand(brand: str | None) -> str:
    """Lowercase letters and digits only ("Luxix" == "LUXIX", "Amazon Basics" == "AmazonBasics"); '' if unknown."""
    return "".join(_WORD.findall(brand.lower())) if brand else ""


def word_jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|A & B| / |A | B|; 0 when either set is empty (an empty title is no evidence)."""
    return len(a & b) / len(a | b) if a and b else 0.0


def title_overlap(pairs: np.ndarray, titles: Sequence[str | None], brands: Sequence[str | None]) -> np.ndarray:
    """``word_jaccard`` of the titles of each (a, b) row pair; 0 where both brands are known and differ."""
    rows = np.unique(pairs).tolist()
    words = {row: title_words(titles[row]) for row in rows}
    brand = {row: normalized_brand(brands[row]) for row in rows}
    return np.array(
        [0.0 if brand[a] and brand[b] and brand[a] != brand[b] else word_jaccard(words[a], words[b])
         for a, b in pairs.tolist()],
        dtype=np.float64,
    )
