"""Score tables cover what they score: smart labels one probability per object and property, object_scores every
listing the filters judged, dedup_state every joined listing, beside one versions row naming the recorded index."""

import polars as pl

from emma_pipeline.checks.scores import dedup_state_covers, object_scores_cover, smart_labels_cover

OBJECTS = ["A1", "A2", "A3"]


def _failures(result) -> dict[str, list[str]]:
    return {k: v for k, v in result.samples.items() if v}


def _labels(ids=OBJECTS, probs=(0.1, 0.5, 1.0), prop="is_container") -> pl.DataFrame:
    return pl.DataFrame({"object_id": list(ids), "property": prop, "probability": list(probs)})


def test_one_probability_per_object_passes():
    assert smart_labels_cover(_labels(), OBJECTS, "is_container").passed


def test_a_lost_or_duplicated_object_fails():
    result = smart_labels_cover(_labels(["A1", "A2", "A2"]), OBJECTS, "is_container")
    assert _failures(result) == {"rows/missing": ["A3"], "rows/repeated": ["A2"]}


def test_a_probability_of_1_2_nan_or_null_fails_and_so_does_another_property():
    result = smart_labels_cover(_labels(probs=(1.2, float("nan"), None)), OBJECTS, "is_container")
    assert _failures(result) == {"values/probability_out_of_range": ["A1", "A2", "A3"]}
    assert _failures(smart_labels_cover(_labels(), OBJECTS, "is_fragile")) == {"values/other_property": OBJECTS}


def _scores(asins, probs) -> pl.DataFrame:
    return pl.DataFrame({"asin": asins, "non_physical_probability": probs}, schema_overrides={"non_physical_probability": pl.Float64})


def test_object_scores_cover_the_objects_and_the_filtered_listings():
    assert object_scores_cover(_scores(["A1", "A2", "F1"], [0.1, None, 0.9]), ["A1", "A2"], ["F1"]).passed
    result = object_scores_cover(_scores(["A1", "A1", "D1"], [0.1, 1.5, 0.2]), ["A1", "A2"], ["F1"])
    assert _failures(result) == {"rows/missing": ["A2", "F1"], "rows/unexpected": ["D1"], "rows/repeated": ["A1"],
                                 "values/probability_out_of_range": ["A1"]}  # fmt: skip


def _versions(*names) -> pl.DataFrame:
    return pl.DataFrame({"index_version": list(names)}, schema={"index_version": pl.Utf8})


def test_dedup_state_covers_every_joined_listing_and_one_versions_row_names_the_recorded_index():
    state, one = ["J1", "J2"], _versions("v2")
    assert dedup_state_covers(state, one, ["J1", "J2"], "v2").passed
    assert dedup_state_covers(state, one, ["J1", "J2"], None).passed
    assert _failures(dedup_state_covers(state, one, ["J1", "J2", "J3"], "v2")) == {"rows/missing": ["J3"]}
    assert _failures(dedup_state_covers(state, one, ["J1", "J2"], "v3")) == {"versions/index_version_not_recorded": ["v2"]}
    assert _failures(dedup_state_covers(state, _versions(None), ["J1", "J2"], None)) == {
        "versions/index_version_not_recorded": ["<null>"]}


def test_a_versions_table_without_exactly_one_row_fails():
    assert _failures(dedup_state_covers(["J1"], _versions(), ["J1"], None)) == {"versions/version_rows_not_one": ["0 rows"]}
    two = dedup_state_covers(["J1"], _versions("v1", "v2"), ["J1"], "v2")
    assert _failures(two) == {"versions/version_rows_not_one": ["2 rows"], "versions/index_version_not_recorded": ["v1"]}
