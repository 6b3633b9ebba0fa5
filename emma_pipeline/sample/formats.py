"""How sellers write weights, dimensions and prices: many units and spellings for the same quantity.

The variety is deliberate (unit and format noise the parsers must normalize): "12 oz", "5.3 ounces (150 g)",
"0.5 Kilograms", "2 lbs", "1,200 g", "$10.99 - $15.99", ...
"""

from __future__ import annotations

import random

KG_PER_LB = 0.45359237
KG_PER_OZ = KG_PER_LB / 16
CM_PER_INCH = 2.54


def _num(x: float, digits: int) -> str:
    """12.0 -> "12", 1.50 -> "1.5", 1200 -> "1,200" (thousands separators, as sellers write them)."""
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def weight_text(kg: float, rng: random.Random) -> str:
    """One of the many ways a listing states a weight."""
    style = rng.random()
    if kg < 0.45:
        oz, g = kg / KG_PER_OZ, kg * 1000
        digits = 2 if oz < 2 else 1  # tiny items (rings, memory cards) keep their precision
        if style < 0.45:
            return f"{_num(oz, 2)} ounces"
        if style < 0.7:
            return f"{_num(oz, digits)} oz"
        if style < 0.85:
            return f"{_num(oz, digits)} ounces ({_num(g, digits - 1)} g)"
        return f"{_num(g, 1 if g < 10 else 0)} {rng.choice(('g', 'grams', 'Grams'))}"
    lb = kg / KG_PER_LB
    if style < 0.45:
        return f"{_num(lb, 2)} pounds"
    if style < 0.65:
        return f"{_num(lb, 1)} {rng.choice(('lbs', 'lb', 'Pounds'))}"
    if style < 0.8:
        return f"{_num(kg, 2)} {rng.choice(('Kilograms', 'kg', 'kilograms'))}"
    if style < 0.9 and kg < 10:
        return f"{_num(kg * 1000, 0)} g"
    return f"{_num(lb, 1)} pounds"


def weight_value(kg: float, rng: random.Random) -> tuple[float, str]:
    """(value, unit) for structured APIs, in the unit names the Selling Partner API uses."""
    unit = rng.choice(("pounds", "pounds", "kilograms", "grams", "ounces") if kg < 1 else ("pounds", "kilograms"))
    factor = {"pounds": 1 / KG_PER_LB, "kilograms": 1.0, "grams": 1000.0, "ounces": 1 / KG_PER_OZ}[unit]
    return round(kg * factor, 3 if unit == "kilograms" else 2), unit


def dims_inches(dims_cm: tuple[float, float, float]) -> tuple[float, float, float]:
    return tuple(max(round(d / CM_PER_INCH, 1), 0.1) for d in dims_cm)  # type: ignore[return-value]


def dims_text(dims_cm: tuple[float, float, float], rng: random.Random) -> str:
    if rng.random() < 0.12:
        return " x ".join(_num(d, 1) for d in dims_cm) + rng.choice((" cm", " centimeters"))
    return " x ".join(_num(d, 1) for d in dims_inches(dims_cm)) + " inches"


def price_text(price: float, rng: random.Random, allow_range: bool = True) -> str:
    """"$12.99", sometimes a variation range like "$10.99 - $15.99" around the true price."""
    if allow_range and rng.random() < 0.06:
        low, high = price * rng.uniform(0.75, 0.95), price * rng.uniform(1.05, 1.3)
        return f"${low:,.2f} - ${high:,.2f}"
    return f"${price:,.2f}"


def jitter_price(price: float, rng: random.Random) -> float:
    """Two sources never agree exactly on a price (collected at different times), but nearly."""
    return round(max(price * rng.uniform(0.96, 1.04), 0.01), 2)


# The real UCSD dump has scraped page CSS in place of a price on some records; it is not a price.
CSS_PRICE = (".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{background-color:#fffbf3;"
             "border-color:#e77600;box-shadow:0 0 3px rgba(228,121,17,.5)}")
