"""Unit normalization: seller weight, size and price strings to kg, cm and USD."""

from __future__ import annotations

import pytest

from emma_pipeline.units import parse_dimensions, parse_price_usd, parse_weight_kg, to_cm, to_kg

LB, OZ = 0.45359237, 0.028349523125


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("1.2 pounds", 1.2 * LB),
        ("12 oz", 12 * OZ),
        ("5.3 ounces (150 g)", 5.3 * OZ),  # the first weight written wins
        ("0.5 Kilograms", 0.5),
        ("2 lbs", 2 * LB),
        ("1 Pounds", LB),
        ("2.2 lb.", 2.2 * LB),
        ("500 grams", 0.5),
        ("1,200 g", 1.2),  # thousands separator
        ("1,5 kg", 1.5),  # decimal comma
        ("3.4 x 2.1 inches ; 1.44 ounces", 1.44 * OZ),  # lengths are skipped
        ("12.8ounces(Viewshippingratesandpolicies)", 12.8 * OZ),  # spaces squeezed out
        ("3 ounces (View shipping rates and policies)", 3 * OZ),
        ("250 mg", 250e-6),
    ],
)
def test_parse_weight_kg(text, kg):
    assert parse_weight_kg(text) == pytest.approx(kg)


@pytest.mark.parametrize("text", ["", "N/A", "heavy", "12", "5 widgets", "10 x 5 x 2 inches", "0 pounds", None, 3.5])
def test_parse_weight_kg_gives_none_for_no_weight(text):
    assert parse_weight_kg(text) is None


@pytest.mark.parametrize(
    ("text", "cm", "kg"),
    [
        ("10 x 5 x 2 inches", [25.4, 12.7, 5.08], None),
        ("10 x 5 x 2 cm", [10, 5, 2], None),
        ('8.2" x 5" x 4.5"', [20.828, 12.7, 11.43], None),
        ("3.4 x 2.1 inches ; 1.44 ounces", [8.636, 5.334], 1.44 * OZ),
        ("17.01 x 4.09 x 2.09 inches; 9.17 Ounces", [43.2054, 10.3886, 5.3086], 9.17 * OZ),
        ("6.5 x 5.8 x 5.1 inches; 1.4 Pounds", [16.51, 14.732, 12.954], 1.4 * LB),
        ("10.3x3.4x0.8inches", [26.162, 8.636, 2.032], None),
        ('11"L x 8.5"W', [27.94, 21.59], None),
        ('4.72"D x 11.8"W x 15"H', [11.9888, 29.972, 38.1], None),
        ("25 x 20 x 5 Centimeters", [25, 20, 5], None),
        ("28.7 x 7.2 x 1.6 cm; 100 g", [28.7, 7.2, 1.6], 0.1),
        ("100 x 50 x 20 mm", [10, 5, 2], None),
        ("2 x 1 x 0.5 m", [200, 100, 50], None),
        ("3 x 2 feet", [91.44, 60.96], None),
    ],
)
def test_parse_dimensions(text, cm, kg):
    sizes, weight = parse_dimensions(text)
    assert sizes == pytest.approx(cm)
    assert weight == (pytest.approx(kg) if kg is not None else None)


@pytest.mark.parametrize("text", ["10 x 5 x 2", "10 x 5 x 2 parsecs", "big box", "", None, "7 inches"])
def test_parse_dimensions_without_unit_or_second_number_gives_no_sizes(text):
    assert parse_dimensions(text)[0] is None


def test_parse_dimensions_still_reports_a_lone_weight():
    assert parse_dimensions("1.4 Pounds") == (None, pytest.approx(1.4 * LB))


@pytest.mark.parametrize(
    ("text", "usd"),
    [
        ("$12.99", 12.99),
        ("$1,299.00", 1299.0),
        ("12.99", 12.99),
        ("$10.99 - $15.99", 13.49),  # a range gives its midpoint
        ("$237.68 ", 237.68),
        ("$6.94 $ 6 . 94", 6.94),  # scraped double rendering
        ("USD 12", 12.0),
        (19.5, 19.5),
        (3, 3.0),
    ],
)
def test_parse_price_usd(text, usd):
    assert parse_price_usd(text) == pytest.approx(usd)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "N/A",
        "Total price:",
        None,
        True,
        0,
        ".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{background-color:#fffbf3}",
        "$ 19 99 $39.95 #listPriceLegalMessageText { margin-left: 4px !important; }",
        "\n\t\t" + " " * 5000 + "<div class=",
        "1 Pounds",
    ],
)
def test_parse_price_usd_gives_none_for_non_prices(text):
    assert parse_price_usd(text) is None


def test_structured_units():
    assert to_kg(2.5, "pounds") == pytest.approx(2.5 * LB)
    assert to_kg("62.142", "Kilograms") == pytest.approx(62.142)
    assert to_kg(16, "OUNCES") == pytest.approx(16 * OZ)
    assert to_cm(72.4, "inches") == pytest.approx(183.896)
    assert to_cm(26.67, "centimeters") == pytest.approx(26.67)
    assert to_cm(1, "feet") == pytest.approx(30.48)
    assert to_cm(500, "millimeters") == pytest.approx(50)


@pytest.mark.parametrize(
    ("value", "unit"), [(1, "stone"), (1, None), ("heavy", "kg"), (None, "kg"), (True, "kg"), (0, "kg")]
)
def test_structured_weight_unknown_or_garbage_is_none(value, unit):
    assert to_kg(value, unit) is None


def test_structured_length_unknown_unit_is_none():
    assert to_cm(3, "parsecs") is None


@pytest.mark.parametrize(
    "amount",
    [
        lambda: parse_weight_kg("9" * 400 + " kg"),
        lambda: to_kg("9" * 400, "lb"),
        lambda: parse_price_usd(float("inf")),
        lambda: parse_price_usd(float("nan")),
        lambda: to_kg(float("inf"), "kg"),
        lambda: to_cm("9" * 400, "cm"),
        lambda: parse_dimensions("2 x " + "9" * 400 + " x 2 cm")[0],
    ],
)
def test_overflowing_and_non_finite_amounts_are_none(amount):
    assert amount() is None
