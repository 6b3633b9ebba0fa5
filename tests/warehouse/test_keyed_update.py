"""changed_rows / changed_groups: the update that turns the previous table into the current one, and nothing more."""

import polars as pl

from emma_pipeline.warehouse.keyed_update import changed_groups, changed_rows
from emma_pipeline.warehouse.lake import Lake, LakeConfig

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


def test_grouped_rows_are_written_per_group_in_the_lake(tmp_path):
    """Several rows per ASIN (one per model): a group with any new, changed or left row is replaced whole, the
    others are not written; an ASIN with no row left is deleted."""
    def frame(rows):
        return pl.DataFrame(rows, schema={"asin": pl.Utf8, "model": pl.Utf8, "p": pl.List(pl.Float32)}, orient="row")

    previous = frame([("A", "text", [0.1]), ("A", "fusion", [0.2]), ("B", "text", [0.3]), ("B", "fusion", [0.4]),
                      ("C", "text", [0.5]), ("D", "text", [0.6]), ("D", "fusion", [0.7])])  # fmt: skip
    current = frame([("A", "text", [0.1]), ("A", "fusion", [0.2]), ("B", "text", [0.3]), ("B", "fusion", [0.9]),
                     ("D", "text", [0.6]), ("E", "text", [0.8])])  # fmt: skip
    update = changed_groups(current, previous, "asin", ["asin", "model"])
    # B: one row changed; D: its fusion row left; E: new; C: gone; A: untouched
    assert sorted(set(update.rows["asin"])) == ["B", "D", "E"] and update.rows.height == 4 and update.deleted == ["C"]
    lake = Lake(LakeConfig(catalog=str(tmp_path / "catalog.sqlite"), data_path=str(tmp_path / "data")))
    lake.update_tables({"model_predictions": changed_groups(previous, None, "asin", ["asin", "model"])})
    lake.update_tables({"model_predictions": update})
    assert lake.read("model_predictions").sort("asin", "model").equals(current.sort("asin", "model"))
    assert changed_groups(current, current, "asin", ["asin", "model"]).rows.is_empty()
