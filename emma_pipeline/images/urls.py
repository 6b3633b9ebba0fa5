"""Image references: which are remote URLs, and the full-size URL behind an Amazon thumbnail URL.

Amazon's image CDN serves one picture under many names: ``<id>.jpg`` is the original, and a modifier block
between the id and the extension asks for a resized or cropped rendition (``51abc._SS40_.jpg`` a 40 px square,
``._SX38_SY50_CR,0,0,38,50_``, ``._AC_US40_``, ``._AC_SL1500_``, ``.__AC_SR160,160__``, ``._SY88``). The real
UCSD 2018 ``image`` field holds such thumbnails, the 2023 layout ``thumb``/``large``/``hi_res`` variants of them.
Stripping the block gives the full image and makes the variants of one picture one URL. The rule matches the
path layout (``.../images/<kind>/<id>.<modifiers>.<ext>``), not the host name, so mirrors and test servers that
keep the layout are normalized the same way; other URLs and local paths are left as they are.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import polars as pl

_REMOTE_SCHEMES = ("http://", "https://")
# One pattern for Python's re and polars' (Rust) regex: named groups, no look-arounds.
_THUMBNAIL = (
    r"^(?P<prefix>(?i:https?)://[^/?#]+(?:/[^/?#]+)*/images/(?:[^/?#]+/)*)"
    r"(?P<id>[^/?#.]+(?:\.[0-9]{2})?)\.(?:_[^/?#]*)\.(?P<ext>(?i:jpe?g|png|gif|webp|tiff?|bmp))(?P<rest>[?#].*)?$"
)
_THUMBNAIL_RE = re.compile(_THUMBNAIL)


def is_remote(ref: str | None) -> bool:
    """Whether an image reference is an http(s) URL (fetched by the images stage) rather than a file."""
    return isinstance(ref, str) and ref[:8].lower().startswith(_REMOTE_SCHEMES)


def normalize_image_url(url: str) -> str:
    """The full-size image URL: the CDN modifier block removed; anything else unchanged.

    >>> normalize_image_url("https://images-na.ssl-images-amazon.com/images/I/51abc._SS40_.jpg")
    'https://images-na.ssl-images-amazon.com/images/I/51abc.jpg'
    """
    url = url.strip()
    if not is_remote(url):
        return url
    return _THUMBNAIL_RE.sub(lambda m: f"{m['prefix']}{m['id']}.{m['ext']}{m['rest'] or ''}", url)


def normalized_url_expr(expr: pl.Expr) -> pl.Expr:
    """``normalize_image_url`` over a string column, vectorized (same pattern, same result)."""
    stripped = expr.str.strip_chars()
    return stripped.str.replace(_THUMBNAIL, "${prefix}${id}.${ext}${rest}")


def url_host(url: str) -> str:
    """The host (and port) a request goes to: the key of the per-host rate limit."""
    return urlsplit(url).netloc.lower()
