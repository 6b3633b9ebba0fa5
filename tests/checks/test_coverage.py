"""Input keys = the union of the output tables' keys, each exactly once (join, cleaning, embeddings, splits)."""

from emma_pipeline.checks import accounted_for

JOINED = ["A1", "A2", "A3"]


def test_every_input_key_in_exactly_one_output_passes():
    result = accounted_for(["A1", "A1", "A2", "A3", "A4"], {"joined": JOINED, "join_removals": ["A4"]})
    assert result.passed
    assert result.counts == {"keys_in": 4, "rows_joined": 3, "rows_join_removals": 1, "missing": 0, "unexpected": 0,
                             "repeated": 0}  # fmt: skip


def test_an_asin_in_no_output_is_missing():
    result = accounted_for(["A1", "A2", "A3", "A4"], {"joined": JOINED, "join_removals": []})
    assert not result.passed
    assert result.samples["missing"] == ["A4"] and result.counts["missing"] == 1


def test_an_asin_in_two_outputs_is_repeated():
    result = accounted_for(JOINED, {"objects": ["A1", "A2"], "removals": ["A2", "A3"]})
    assert not result.passed
    assert result.samples["repeated"] == ["A2"]


def test_a_duplicated_row_in_one_output_is_repeated():
    result = accounted_for(JOINED, {"splits": ["A1", "A2", "A3", "A3"]})
    assert not result.passed and result.samples["repeated"] == ["A3"]


def test_an_output_asin_not_in_the_input_and_a_null_asin_are_unexpected():
    result = accounted_for(JOINED, {"text_embeddings": ["A1", "A2", "A3", "B9", None]})
    assert not result.passed
    assert result.samples["unexpected"] == ["<null>", "B9"]


def test_the_sample_of_offenders_is_small_and_sorted_but_the_count_is_complete():
    asins = [f"A{i:03d}" for i in range(40)]
    result = accounted_for(asins, {"objects": []})
    assert result.counts["missing"] == 40
    assert result.samples["missing"] == ["A000", "A001", "A002", "A003", "A004"]
    assert "missing=40" in result.describe() and "A000" in result.describe()
