"""Field clean-up shared by the source parsers: ASINs, text, materials, image references, frame building."""

from __future__ import annotations

import html
import os
import posixpath
import re
from functools import lru_cache
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa

from emma_pipeline.sources.records import RAW_TEXT_LIMIT, empty_listings, quarantine_frame
from emma_pipeline.units import to_cm

_BLOCK_TAG_RE = re.compile(r"</?(?:br|p|div|li|ul|ol|tr|td|th|table|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_NOT_MATERIAL_KEYS = ("feature", "free", "care")
_CHUNK_ROWS = 20_000
_BOX_AXES = ("length", "width", "height")
_ARROW_SCHEMA = empty_listings().to_arrow().schema


def check_asin(value: object) -> tuple[str | None, str | None]:
    """(ASIN, None) for a valid ASIN (10 letters/digits, case-folded), else (None, quarantine reason)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "missing_asin"
    asin = str(value).strip().upper()
    if len(asin) == 10 and asin.isascii() and asin.isalnum():  # what [A-Z0-9]{10} matches, once upper-cased
        return asin, None
    return None, f"invalid_asin: {str(value)[:40]!r}"


@lru_cache(maxsize=1 << 16)  # category names, bullets and spec values repeat across listings
def strip_html(text: str) -> str:
    """Tags removed (block tags leave a space), entities decoded, whitespace collapsed; cheap without tags."""
    if "<" in text:
        text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def clean_text(value: object) -> str | None:
    """A str or a list of str (paragraphs) as one clean string, or None when empty."""
    if isinstance(value, list):
        parts = [strip_html(v) for v in value if isinstance(v, str)]
        text = "\n".join(p for p in parts if p)
    elif isinstance(value, str):
        text = strip_html(value)
    else:
        return None
    return text or None


def clean_list(values: object) -> list[str] | None:
    """Non-empty cleaned strings of a list, in order; None when there are none."""
    if not isinstance(values, list):
        return None
    out = []
    for v in values:
        if isinstance(v, str) and (text := strip_html(v)):
            out.append(text)
    return out or None


def dicts(value: object) -> list[dict]:
    """The dict items of a JSON list (anything else in it, or a non-list, is ignored)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def box_cm(box: object) -> list[float] | None:
    """``{length, width, height: {value, unit}}`` in cm, in that order; None unless every given axis parses."""
    if not isinstance(box, dict):
        return None
    axes = [box[a] for a in _BOX_AXES if isinstance(box.get(a), dict)]
    sizes = [to_cm(a.get("value"), a.get("unit")) for a in axes]
    return sizes if sizes and all(s is not None for s in sizes) else None  # type: ignore[return-value]


def tagged_values(entries: object) -> list[str]:
    """The ``value`` strings of ``[{"language_tag": ..., "value": ...}]``; English (``en_*``) ones when any."""
    if not isinstance(entries, list):
        return []
    pairs = [(e.get("language_tag"), e.get("value")) for e in entries if isinstance(e, dict)]
    texts = [(tag, strip_html(v)) for tag, v in pairs if isinstance(v, str)]
    english = [t for tag, t in texts if isinstance(tag, str) and tag.lower().startswith("en")]
    return [t for t in (english or [t for _, t in texts]) if t]


@lru_cache(maxsize=1 << 12)  # spec keys repeat across listings
def is_material_key(key: str) -> bool:
    """"Material", "Material Type", "Outer Material", ... but not "Material Feature(s)", "... Free", "... Care"."""
    low = key.lower()
    return "material" in low and not any(word in low for word in _NOT_MATERIAL_KEYS)


def _split_outside_parens(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch in ",;" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def split_materials(value: object) -> list[str]:
    """Seller material strings: a comma/semicolon list of short names is split, anything else kept whole.

    "Plastic, Metal" and "95% Cotton, 5% Elastane" are lists; a sentence with a comma is not (parts longer
    than four words or 40 characters), and is kept as written for the taxonomy mapper. Parts without a
    letter ("-", "100") are no material and are dropped.
    """
    if not isinstance(value, str) or not (text := strip_html(value)):
        return []
    parts = [p for p in _split_outside_parens(text) if _has_letter(p)]
    if len(parts) > 1 and all(len(p) <= 40 and len(p.split()) <= 4 for p in parts):
        return list(dict.fromkeys(parts))
    whole = text.strip(" ,;")
    return [whole] if _has_letter(whole) else []


def resolve_ref(ref: str, base_dir: str) -> str:
    """An image reference made absolute: URLs and absolute paths stay, relative ones join ``base_dir``.

    ``base_dir`` is the folder of the referencing file (absolute, see ``parent_dir``), a local path or a URL
    such as ``s3://bucket/b1/ucsd``.
    """
    if ref.startswith(("http://", "https://", "/")) or _URL_SCHEME_RE.match(ref):
        return ref
    if _URL_SCHEME_RE.match(base_dir):
        scheme, rest = base_dir.split("://", 1)
        return f"{scheme}://{posixpath.normpath(posixpath.join(rest, ref))}"
    return os.path.normpath(os.path.join(base_dir, ref))


def parent_dir(path: str | Path) -> str:
    """The folder of a local path or URL, in the form ``resolve_ref`` expects."""
    text = str(path)
    if _URL_SCHEME_RE.match(text):
        return posixpath.dirname(text)
    return str(Path(text).resolve().parent)


def raw_text(raw: bytes | str | None, value: object = None) -> str:
    """Raw input for a quarantine row (``value`` re-serialized when there are no raw bytes), never raising."""
    if raw is None:
        raw = orjson.dumps(value, default=str)
    if isinstance(raw, bytes):
        raw = raw[: RAW_TEXT_LIMIT * 4].decode("utf-8", errors="replace")
    return raw[:RAW_TEXT_LIMIT]


class ListingBuffer:
    """Collects listing rows and builds the frame in chunks through Arrow.

    Chunks keep a million rows from sitting in Python objects at once; Arrow converts a chunk of row dicts in one
    call (``Table.from_pylist``, missing keys are nulls), faster than filling column lists row by row.
    """

    def __init__(self) -> None:
        self._rows: list[dict] = []
        self._frames: list[pl.DataFrame] = []

    def add(self, row: dict) -> None:
        self._rows.append(row)
        if len(self._rows) >= _CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            table = pa.Table.from_pylist(self._rows, schema=_ARROW_SCHEMA)
            self._frames.append(pl.from_arrow(table))  # type: ignore[arg-type]
            self._rows = []

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self._frames:
            return empty_listings()
        return pl.concat(self._frames, how="vertical", rechunk=True)


class QuarantineBuffer:
    """Quarantine rows of one file (few, so a plain list)."""

    def __init__(self, source: str, file: str) -> None:
        self.source, self.file = source, file
        self.rows: list[dict] = []

    def add(self, line: int | None, offset: int | None, raw: bytes | str | None, reason: str, value=None) -> None:
        self.rows.append(
            {"source": self.source, "file": self.file, "line": line, "offset": offset,
             "raw": raw_text(raw, value), "reason": reason}
        )

    def frame(self) -> pl.DataFrame:
        return quarantine_frame(self.rows)
