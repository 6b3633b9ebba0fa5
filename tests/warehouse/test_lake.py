"""Versioned tables: every write is a new immutable version; partitions replace only their own rows."""

import polars as pl
import pytest

from emma_pipeline.warehouse.lake import Lake, LakeConfig


@pytest.fixture
def lake(tmp_path):
    return Lake(LakeConfig.under(tmp_path))


def test_replace_keeps_earlier_versions_queryable(lake):
    first = lake.write_table("objects", pl.DataFrame({"asin": ["A", "B"], "price": [1.0, 2.0]}))
    second = lake.write_table("objects", pl.DataFrame({"asin": ["C"], "price": [3.0]}))
    assert second > first
    assert lake.read("objects")["asin"].to_list() == ["C"]
    assert lake.read("objects", version=first)["asin"].to_list() == ["A", "B"]
    assert lake.versions("objects")["snapshot_id"].to_list() == [first, second]


def test_partition_rewrite_is_idempotent_and_leaves_other_batches(lake):
    lake.write_partition("raw", pl.DataFrame({"v": [1, 2]}), "batch", "b1")
    lake.write_partition("raw", pl.DataFrame({"v": [7]}), "batch", "b2")
    lake.write_partition("raw", pl.DataFrame({"v": [3]}), "batch", "b1")  # re-run of b1
    rows = lake.read("raw").sort("batch")
    assert rows.to_dicts() == [{"v": 3, "batch": "b1"}, {"v": 7, "batch": "b2"}]


def test_all_null_columns_and_nested_types_round_trip(lake):
    frame = pl.DataFrame(
        {"asin": ["A"], "unknown": [None], "hist": [[1, 0, 0, 0, 2]], "prov": [{"title": "ucsd", "mass": None}]}
    )
    lake.write_table("t", frame)
    back = lake.read("t")
    assert back["hist"].to_list() == [[1, 0, 0, 0, 2]]
    assert back["prov"].to_list() == [{"title": "ucsd", "mass": None}]
    assert back["unknown"].to_list() == [None]


def test_bad_table_name_is_a_clear_error(lake):
    with pytest.raises(ValueError, match="invalid table name"):
        lake.write_table("objects; DROP TABLE x", pl.DataFrame({"a": [1]}))


def test_update_by_key_replaces_changed_rows_and_drops_deleted_ones_in_one_version(lake):
    first = lake.update_by_key("objects", pl.DataFrame({"asin": ["A", "B", "C"], "price": [1.0, 2.0, 3.0]}))
    second = lake.update_by_key("objects", pl.DataFrame({"asin": ["B", "D"], "price": [20.0, 4.0]}), deleted=["C"])
    assert lake.read("objects").sort("asin").to_dicts() == [
        {"asin": "A", "price": 1.0}, {"asin": "B", "price": 20.0}, {"asin": "D", "price": 4.0},
    ]  # B updated is one row with the new price, not a duplicate
    assert lake.versions("objects")["snapshot_id"].to_list() == [first, second]  # delete + insert: one snapshot
    assert lake.read("objects", version=first).sort("asin")["price"].to_list() == [1.0, 2.0, 3.0]


def test_update_by_key_with_nothing_changed_keeps_the_rows(lake):
    lake.update_by_key("objects", pl.DataFrame({"asin": ["A"], "price": [1.0]}))
    nothing = pl.DataFrame(schema={"asin": pl.Utf8, "price": pl.Float64})
    lake.update_by_key("objects", nothing)
    assert lake.read("objects").to_dicts() == [{"asin": "A", "price": 1.0}]


def test_update_by_key_refuses_a_frame_with_a_key_twice(lake):
    lake.update_by_key("objects", pl.DataFrame({"asin": ["A"], "price": [1.0]}))
    with pytest.raises(ValueError, match="duplicate 'asin'"):
        lake.update_by_key("objects", pl.DataFrame({"asin": ["A", "A"], "price": [1.0, 2.0]}))
    assert lake.read("objects").to_dicts() == [{"asin": "A", "price": 1.0}]


def test_update_tables_changes_several_tables_by_key_or_whole_in_one_snapshot(lake):
    from emma_pipeline.warehouse.keyed_update import KeyedUpdate

    lake.write_tables({"objects": pl.DataFrame({"asin": ["A", "B"], "price": [1.0, 2.0]}),
                       "versions": pl.DataFrame({"index": ["v1"]})})  # fmt: skip
    snapshot = lake.update_tables({
        "objects": KeyedUpdate(pl.DataFrame({"asin": ["C"], "price": [3.0]}), deleted=["A"]),
        "versions": KeyedUpdate(pl.DataFrame({"index": ["v2"]}), whole=True),
    })  # fmt: skip
    assert lake.read("objects").sort("asin").to_dicts() == [{"asin": "B", "price": 2.0}, {"asin": "C", "price": 3.0}]
    assert lake.read("versions").to_dicts() == [{"index": "v2"}]
    assert lake.versions("objects")["snapshot_id"][-1] == lake.versions("versions")["snapshot_id"][-1] == snapshot
    changes = lake.query(f"SELECT change_type, asin FROM table_changes('objects', {snapshot}, {snapshot}) ORDER BY 2")
    assert changes.rows() == [("delete", "A"), ("insert", "C")]  # only the touched keys, B untouched
