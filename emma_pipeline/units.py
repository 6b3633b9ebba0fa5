"""Parse the weights, sizes and prices sellers write into kilograms, centimetres and US dollars.

Every parser returns ``None`` rather than raising when the text holds no number, names a unit it does not know,
or is not in US dollars: a missing value is data, a crash is not. Zero, negative and non-finite amounts are also
``None`` (no physical object weighs 0 kg or measures 0 cm; such values are placeholders; a 400-digit "weight"
overflows to infinity, and NaN / Infinity arrive as JSON floats from some dumps).

Numbers: ``1,200`` (comma then exactly three digits) is a thousands separator, any other single comma is a
decimal comma (``1,5 kg`` = 1.5 kg).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

_KG_PER_UNIT: dict[str, float] = {
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes"), 1.0),
    **dict.fromkeys(("g", "gr", "grs", "gm", "gms", "gram", "grams", "gramme", "grammes"), 1e-3),
    **dict.fromkeys(("mg", "milligram", "milligrams"), 1e-6),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), 0.45359237),
    **dict.fromkeys(("oz", "ounce", "ounces"), 0.028349523125),
}
_CM_PER_UNIT: dict[str, float] = {
    **dict.fromkeys(("mm", "millimeter", "millimeters", "millimetre", "millimetres"), 0.1),
    **dict.fromkeys(("cm", "centimeter", "centimeters", "centimetre", "centimetres"), 1.0),
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres"), 100.0),
    **dict.fromkeys(("in", "inch", "inches", '"', "''", "”", "″"), 2.54),
    **dict.fromkeys(("ft", "foot", "feet", "'", "′"), 30.48),
}

_NUM = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
_WEIGHT_RE = re.compile(rf"({_NUM})\s*([a-z]+)", re.IGNORECASE)
# A length unit written after a number; word units must not run on into a longer word ("in" of "inside").
_LEN_UNIT = (
    r"(?:(?:inches|inch|in|centimeters|centimetres|centimeter|centimetre|cm|millimeters|millimetres|"
    r"millimeter|millimetre|mm|meters|metres|meter|metre|m|feet|foot|ft)(?![a-z])\.?|\"|''|'|”|″|′)"
)
_DIM_ONE = rf"{_NUM}\s*{_LEN_UNIT}?\s*(?:[lwhd](?![a-z]))?"
_DIMS_RE = re.compile(rf"{_DIM_ONE}(?:\s*(?:x|×|\*|by)\s*{_DIM_ONE}){{1,3}}(?:\s*{_LEN_UNIT})?", re.IGNORECASE)
_DIM_PART_RE = re.compile(rf"({_NUM})\s*({_LEN_UNIT})?", re.IGNORECASE)
# Each optional token owns the whitespace after it, so long blank or CSS strings cannot make it backtrack.
_PRICE_ONE = rf"(?:(?:usd|us\$)\s*)?(?:\$\s*)?({_NUM})\s*(?:usd\s*)?"
_PRICE_RE = re.compile(rf"\s*{_PRICE_ONE}(?:[-–]\s*{_PRICE_ONE})?", re.IGNORECASE)
# What may follow a price: nothing, or a re-rendering of it such as "$ 6 . 94" (seen in scraped tables).
_PRICE_TAIL_RE = re.compile(r"[\s$\d.,]*")
_MAX_PRICE_CHARS = 64  # longer "prices" are scraped page fragments (CSS, HTML), never a price
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number(text: str) -> float | None:
    if "," not in text:
        try:
            return float(text)
        except ValueError:
            return None
    if _THOUSANDS_RE.fullmatch(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _unit_key(unit: str) -> str:
    return " ".join(unit.split()).lower().rstrip(".")


def _positive(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) and value > 0 else None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _number(value.strip())
    return None


def to_kg(value: object, unit: object) -> float | None:
    """A structured (value, unit) weight, e.g. ``(2.5, "pounds")``, in kilograms; unknown unit -> None."""
    factor = _KG_PER_UNIT.get(_unit_key(unit)) if isinstance(unit, str) else None
    number = _as_float(value)
    if factor is None or number is None:
        return None
    return _positive(number * factor)


def to_cm(value: object, unit: object) -> float | None:
    """A structured (value, unit) length, e.g. ``(72.4, "inches")``, in centimetres; unknown unit -> None."""
    factor = _CM_PER_UNIT.get(_unit_key(unit)) if isinstance(unit, str) else None
    number = _as_float(value)
    if factor is None or number is None:
        return None
    return _positive(number * factor)


def parse_weight_kg(text: object) -> float | None:
    """The first "<number> <mass unit>" in the text, in kilograms.

    The first match wins, so "5.3 ounces (150 g)" reads 5.3 oz and "3.4 x 2.1 inches ; 1.44 ounces" skips the
    lengths and reads 1.44 oz. Spaces are optional ("12.8ounces").
    """
    if not isinstance(text, str) or not text:
        return None
    return _weight_kg(text)


@lru_cache(maxsize=1 << 16)  # seller strings repeat ("12 oz", "1.5 pounds"); the result is an immutable float
def _weight_kg(text: str) -> float | None:
    for match in _WEIGHT_RE.finditer(text):
        factor = _KG_PER_UNIT.get(match.group(2).lower())
        if factor is not None:
            number = _number(match.group(1))
            return _positive(number * factor) if number is not None else None
    return None


def parse_dimensions(text: object) -> tuple[list[float] | None, float | None]:
    """Sizes like "10 x 5 x 2 inches", '8.2" x 5" x 4.5"', '11"L x 8.5"W', "25 x 20 x 5 Centimeters".

    Returns the sizes in centimetres in the order written (None without a unit or with fewer than two
    numbers) and, when the string also holds a weight ("17.01 x 4.09 x 2.09 inches; 9.17 Ounces"), that
    weight in kilograms. A number without its own unit takes the unit written after the last number.
    """
    if not isinstance(text, str) or not text:
        return None, None
    sizes, weight = _dimensions(text)
    return (list(sizes) if sizes is not None else None), weight


@lru_cache(maxsize=1 << 16)
def _dimensions(text: str) -> tuple[tuple[float, ...] | None, float | None]:
    match = _DIMS_RE.search(text)
    if match is None:
        return None, parse_weight_kg(text)
    parts = [(m.group(1), m.group(2)) for m in _DIM_PART_RE.finditer(match.group(0))]
    default_unit = next((u for _, u in reversed(parts) if u), None)
    sizes = [to_cm(_number(num), unit or default_unit) for num, unit in parts]
    weight = parse_weight_kg(text[: match.start()] + " " + text[match.end() :])
    if default_unit is None or any(s is None for s in sizes):
        return None, weight
    return tuple(sizes), weight


def parse_price_usd(text: object) -> float | None:
    """A price in US dollars from "$12.99", "$1,299.00", "12.99", 12.99 or a range.

    A range ("$10.99 - $15.99") gives its midpoint: the listing sells at prices across the range (sizes,
    colours), and the midpoint is the least biased single value. Text with anything else around the price
    (CSS, "Total price:", words) gives None rather than a guess. Callers with structured data check the
    currency themselves: amounts in other currencies are None, never converted.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return _positive(float(text))
    if not isinstance(text, str) or len(text) > _MAX_PRICE_CHARS:
        return None
    match = _PRICE_RE.match(text)
    if match is None or not _PRICE_TAIL_RE.fullmatch(text, match.end()):
        return None
    low = _number(match.group(1))
    high = _number(match.group(2)) if match.group(2) else low
    if low is None or high is None:
        return None
    return _positive((low + high) / 2)
