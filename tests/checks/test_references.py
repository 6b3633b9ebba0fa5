"""Every id a table refers to exists in the table that defines it."""

import polars as pl

from emma_pipeline.checks import ids_known

TAXONOMY_IDS = [1, 2, 3]


def _materials(*ids):
    return pl.DataFrame({"asin": [f"A{i}" for i in range(len(ids))], "material_ids": list(ids)},
                        schema={"asin": pl.Utf8, "material_ids": pl.List(pl.Int64)})  # fmt: skip


def test_known_material_ids_pass_and_empty_or_null_lists_are_fine():
    assert ids_known(_materials([1, 2], [], None, [3]), "material_ids", TAXONOMY_IDS).passed


def test_an_unknown_material_id_fails_naming_the_object_and_the_id():
    result = ids_known(_materials([1], [2, 999]), "material_ids", TAXONOMY_IDS)
    assert not result.passed
    assert result.samples["rows_with_unknown_material_ids"] == ["A1"] and result.samples["unknown_ids"] == ["999"]


def test_a_scalar_id_column():
    rows = pl.DataFrame({"asin": ["A0", "A1"], "product_type_id": [0, 7]})
    result = ids_known(rows, "product_type_id", [0, 1])
    assert not result.passed and result.samples["unknown_ids"] == ["7"]
