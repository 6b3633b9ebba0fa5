"""Property tests: whatever a raw file holds, every parser ends each input record as a parsed row or a quarantine
row with a reason, never raises, agrees with the independent record tally, and emits only finite positive amounts.
The unit normalizers return None or a finite positive number for any input.

The default run tries a few dozen cases per property; the campaign runs many more:
``python -m pytest -m fuzz tests/sources``.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emma_pipeline.sources.aspa import parse_aspa_file
from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.record_count import count_file_records
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.sources.ucsd import parse_ucsd_file
from emma_pipeline.units import parse_dimensions, parse_price_usd, parse_weight_kg, to_cm, to_kg
from tests.sources.strategies import UNITS, amount, aspa_item, csv_file, dims, json_file, leaf, ucsd_meta, ucsd_review

FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
CAMPAIGN = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), database=None)
_AMOUNTS = ("mass_kg", "package_weight_kg", "price_usd", "average_rating")


def _assert_accounted(parse: Callable[[Path], ParseResult], name: str, case: tuple[str, bytes]) -> None:
    suffix, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (name + suffix)
        path.write_bytes(data)
        result = parse(path)  # ParseResult itself refuses records_in != parsed + quarantined
        assert count_file_records(str(path)) == result.records_in
    reasons = result.quarantine["reason"]
    assert reasons.null_count() == 0 and (reasons.str.len_chars() > 0).all()
    listings = result.listings
    for column in _AMOUNTS:
        values = listings[column].drop_nulls()
        assert values.is_finite().all(), f"{column}: {values.to_list()}"
        if column != "average_rating":
            assert (values > 0).all(), f"{column}: {values.to_list()}"
    sizes = listings["dimensions_cm"].explode().drop_nulls()
    assert sizes.is_finite().all() and (sizes > 0).all()
    assert listings["asin"].str.contains(r"^[A-Z0-9]{10}$").all()
    assert listings.schema == pl.DataFrame(schema=listings.schema).schema


def _check_units(value: object, unit: object) -> None:
    amounts = [parse_weight_kg(value), parse_price_usd(value), to_kg(value, unit), to_cm(value, unit)]
    sizes, weight = parse_dimensions(value)
    amounts += [weight, *(sizes or [])]
    for result in amounts:
        assert result is None or (isinstance(result, float) and math.isfinite(result) and result > 0), result


_unit = st.sampled_from(UNITS) | leaf
_unit_input = st.one_of(amount, dims, leaf, st.floats(), st.text(max_size=80))

def _ucsd_meta(case):
    _assert_accounted(parse_ucsd_file, "meta_Toys.json", case)


def _ucsd_reviews(case):
    _assert_accounted(parse_ucsd_file, "Toys.json", case)


def _aspa(case):
    _assert_accounted(parse_aspa_file, "catalog_items.jsonl", case)


def _image2mass(case):
    _assert_accounted(parse_image2mass_file, "listings.csv", case)


def _units(case):
    _check_units(*case)


PROPERTIES = {
    "ucsd_meta": (json_file(ucsd_meta), _ucsd_meta),
    "ucsd_reviews": (json_file(ucsd_review), _ucsd_reviews),
    "aspa": (json_file(aspa_item), _aspa),
    "image2mass": (csv_file(), _image2mass),
    "units": (st.tuples(_unit_input, _unit), _units),
}

for _name, (_strategy, _check) in PROPERTIES.items():
    globals()[f"test_{_name}_property"] = FAST(given(_strategy)(_check))
    globals()[f"test_{_name}_fuzz_campaign"] = pytest.mark.fuzz(CAMPAIGN(given(_strategy)(_check)))
