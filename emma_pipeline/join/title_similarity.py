"""Do two titles describe the same product? Token overlap, robust to the rewording sources apply to one product."""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")
# Words that say nothing about which product it is (marketing filler, packaging, units).
_STOPWORDS = frozenset(
    """a an and the for with of to in on by from or set pack pcs pc piece pieces new premium quality high best
    great inch inches in cm mm oz lb lbs kg g ml l x size large small medium black white""".split()
)


@lru_cache(maxsize=200_000)
def title_tokens(title: str) -> frozenset[str]:
    tokens = (t for t in _TOKEN.findall(title.lower()) if t not in _STOPWORDS and not t.isdigit())
    return frozenset(t[:-1] if len(t) > 4 and t.endswith("s") and not t.endswith("ss") else t for t in tokens)


def title_similarity(a: str, b: str) -> float:
    """Overlap coefficient |A ∩ B| / min(|A|, |B|) of content tokens, in [0, 1]. A shortened title (image2mass
    truncates, ASPA rewrites) still scores high against the full one; an unrelated product scores near 0."""
    ta, tb = title_tokens(a), title_tokens(b)
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    return len(ta & tb) / min(len(ta), len(tb))
