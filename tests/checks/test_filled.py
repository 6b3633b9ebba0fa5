"""A filled table keeps every stated value as it was (source original), one row per object, sources allowed,
confidences in [0, 1]; the published dataset's split is the one splits assigns."""

import polars as pl

from emma_pipeline.checks.filled import allowed_sources, filled_well_formed, splits_agree

# A1 states everything; A2 nothing (every value filled by generation 2)
OBJECTS = pl.DataFrame({"asin": ["A1", "A2"], "price_usd": [19.99, None], "mass_kg": [0.25, 0.0],
                        "rating_hist": [[0, 0, 1, 1, 2], None]},
                       schema_overrides={"rating_hist": pl.List(pl.Int64)})  # fmt: skip
MATERIALS = pl.DataFrame({"asin": ["A1", "A2"], "material_ids": [[7, 3], []]}, schema_overrides={"material_ids": pl.List(pl.Int64)})
CATEGORIES = pl.DataFrame({"asin": ["A1", "A2"], "category_ids": [[1, 4], None]}, schema_overrides={"category_ids": pl.List(pl.Int64)})


def _filled(**changes) -> pl.DataFrame:
    """Changes as ``column=[A1 value, A2 value]``."""
    rows = {
        "asin": ["A1", "A2"], "split": ["train", "test"],
        "price": [19.99, 8.0], "price_source": ["original", "gen2"], "price_confidence": [None, 0.7],
        "mass": [0.25, 1.5], "mass_source": ["original", "gen2"], "mass_confidence": [None, 0.4],
        "materials": [[3, 7], [5]], "materials_source": ["original", "gen2"], "materials_confidence": [None, 0.9],
        "category_path": [[1, 4], [2]], "category_source": ["original", "gen2"], "category_confidence": [None, 1.0],
        "ratings": [[0.0, 0.0, 0.25, 0.25, 0.5], [0.2] * 5], "ratings_source": ["original", "gen2"],
        "ratings_confidence": [None, 0.0],
    }  # fmt: skip
    rows.update(changes)
    return pl.DataFrame(rows, schema_overrides={"ratings": pl.List(pl.Float32), "price_confidence": pl.Float64,
                                                "mass_confidence": pl.Float64, "materials_confidence": pl.Float64,
                                                "category_confidence": pl.Float64, "ratings_confidence": pl.Float64})  # fmt: skip


def _check(filled: pl.DataFrame, generation: int = 2):
    return filled_well_formed(filled, OBJECTS, MATERIALS, CATEGORIES, generation)


def _failures(result) -> dict[str, list[str]]:
    return {k: v for k, v in result.samples.items() if v}


def test_stated_values_kept_and_the_rest_filled_passes():
    result = _check(_filled())
    assert result.passed, result.describe()
    assert result.counts["values/stated_price"] == 1 and result.counts["values/stated_mass"] == 1  # mass 0 is not stated


def test_a_lost_row_and_a_duplicate_fail():
    filled = _filled()
    result = _check(pl.concat([filled.slice(1, 1), filled.slice(1, 1)]))
    assert _failures(result) == {"rows/missing": ["A1"], "rows/repeated": ["A2"]}


def test_an_overwritten_original_fails_whether_the_value_or_only_its_source_changed():
    result = _check(_filled(price=[18.0, 8.0], category_source=["gen2", "gen2"], category_confidence=[0.9, 1.0],
                            materials=[[3], [5]], ratings=[[0.2] * 5, [0.2] * 5]))  # fmt: skip
    assert _failures(result) == {"values/original_overwritten": ["A1:category", "A1:materials", "A1:price", "A1:ratings"]}


def test_original_where_nothing_was_stated_fails():
    result = _check(_filled(mass_source=["original", "original"], mass_confidence=[None, None]))
    assert _failures(result) == {"values/original_without_stated_value": ["A2:mass"]}


def test_a_source_outside_the_allowed_set_fails():
    assert allowed_sources(2) == {"original", "gen1", "gen2"}
    result = _check(_filled(price_source=["original", "gen3"]))
    assert _failures(result) == {"values/source_not_allowed": ["A2:price=gen3"]}


def test_a_confidence_outside_0_1_nan_or_missing_on_a_filled_value_fails():
    result = _check(_filled(price_confidence=[None, 1.2], mass_confidence=[None, float("nan")],
                            ratings_confidence=[None, None]))  # fmt: skip
    assert _failures(result) == {"values/confidence_missing_or_out_of_range": ["A2:mass", "A2:price", "A2:ratings"]}


def test_a_filled_value_missing_fails():
    result = _check(_filled(mass=[0.25, float("nan")], materials=[[3, 7], []], category_path=[[1, 4], None]))
    assert _failures(result) == {"values/value_missing": ["A2:category", "A2:mass", "A2:materials"]}


def test_the_split_column_must_be_the_assigned_split():
    splits = pl.DataFrame({"asin": ["A1", "A2"], "split": ["train", "test"]})
    assert splits_agree(_filled(), splits).passed
    result = splits_agree(_filled(split=["train", "val"]), splits)
    assert _failures(result) == {"split_disagrees": ["A2: val != test"]}
    published = filled_well_formed(_filled(split=["train", "val"]), OBJECTS, MATERIALS, CATEGORIES, 2, splits)
    assert _failures(published) == {"split/split_disagrees": ["A2: val != test"]}
