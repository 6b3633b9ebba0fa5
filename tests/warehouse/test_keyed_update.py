"""changed_rows: the update that turns the previous table into the current one, and nothing more."""

import polars as pl

from emma_pipeline.warehouse.keyed_update import changed_rows

PREVIOUS = pl.DataFrame(
    {"asin": ["same", "null_same", "changed", "gone"], "ids": [[1, 2], None, [3], [4]], "reason": [None, None, "a", None]}
)


def test_only_new_and_changed_rows_are_written_and_left_keys_deleted():
    current = pl.DataFrame(
        {"asin": ["same", "null_same", "changed", "new"], "ids": [[1, 2], None, [3], [5]], "reason": [None, None, "b", None]}
    )
    update = changed_rows(current, PREVIOUS)
    assert update.rows["asin"].to_list() == ["changed", "new"]  # nulls equal nulls: "null_same" is unchanged
    assert update.deleted == ["gone"]
    assert update.apply_to(PREVIOUS).sort("asin").equals(current.sort("asin"))


def test_a_change_in_a_list_column_alone_is_a_change():
    current = PREVIOUS.with_columns(pl.when(pl.col("asin") == "same").then([1, 9]).otherwise(pl.col("ids")).alias("ids"))
    assert changed_rows(current, PREVIOUS).rows["asin"].to_list() == ["same"]


def test_without_a_previous_table_or_with_other_columns_the_table_is_replaced_whole():
    for previous in (None, PREVIOUS.drop("reason")):
        update = changed_rows(PREVIOUS, previous)
        assert update.whole and update.rows.equals(PREVIOUS) and update.apply_to(previous).equals(PREVIOUS)
