"""The cleaning outputs are committed together, and a run that dies before committing them changes nothing."""

import numpy as np
import polars as pl
import pytest
from dagster import AssetSpec, DagsterInstance, materialize

from assets.cleaning import clean_objects
from emma_pipeline.removals import REMOVALS_SCHEMA
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import LAKE_ALIAS, Lake
from resources import build_resources

TEXT_DIM, IMAGE_DIM = 8, 16
INPUTS = [AssetSpec(name) for name in ("joined_listings", "join_removals", "text_embeddings", "image_embeddings")]
CLEANING_TABLES = ("objects", "duplicate_groups", "removals", "object_scores", "dedup_state", "dedup_versions")


def _axis(i: int, dim: int = TEXT_DIM) -> np.ndarray:
    vector = np.zeros(dim, dtype=np.float32)
    vector[i] = 1.0
    return vector


def _near(i: int, j: int, cosine: float = 0.99) -> np.ndarray:
    return cosine * _axis(i) + np.sqrt(1 - cosine**2) * _axis(j)


def _listings(asins: list[str], mass: list[float | None]) -> pl.DataFrame:
    n = len(asins)
    return pl.DataFrame(
        {"asin": asins, "title": [f"listing {a}" for a in asins], "features": [None] * n, "description": [None] * n,
         "brand": [None] * n, "image_urls": [[f"{a}.jpg"] for a in asins], "mass_kg": mass,
         "category_path": [["Home"]] * n, "materials_raw": [None] * n, "dimensions_cm": [None] * n,
         "review_count": [0] * n},
        schema_overrides={"features": pl.List(pl.Utf8), "description": pl.Utf8, "brand": pl.Utf8,
                          "mass_kg": pl.Float64, "materials_raw": pl.List(pl.Utf8),
                          "dimensions_cm": pl.List(pl.Float64)},
    )  # fmt: skip


def _embeddings(asins: list[str], vectors: np.ndarray, tag: str) -> pl.DataFrame:
    return pl.DataFrame({
        "asin": asins, "input_hash": [f"{tag}-{a}" for a in asins], "model": [tag] * len(asins),
        "embedding": [v.tolist() for v in vectors], "reason": pl.Series([None] * len(asins), dtype=pl.Utf8),
    })  # fmt: skip


def _write_inputs(lake: Lake, asins: list[str], mass: list[float | None], text: np.ndarray) -> None:
    """The four input tables of ``clean_objects``, as the upstream assets write them; distinct pictures."""
    lake.write_table("joined_listings", _listings(asins, mass))
    lake.write_table("join_removals", pl.DataFrame(schema=REMOVALS_SCHEMA))
    lake.write_table("text_embeddings", _embeddings(asins, text, "text"))
    images = np.stack([_axis(i, IMAGE_DIM) for i in range(len(asins))])
    lake.write_table("image_embeddings", _embeddings(asins, images, "image"))


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("EMMA_HOME", str(tmp_path))
    for var in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA"):
        monkeypatch.delenv(var, raising=False)
    return load_settings()


def _clean(settings, instance):
    return materialize([clean_objects, *INPUTS], selection=[clean_objects], resources=build_resources(settings), instance=instance)


def test_a_run_killed_before_its_outputs_commit_leaves_the_next_run_removing_the_duplicate(settings, monkeypatch):
    lake = Lake(settings.lake_config())
    with DagsterInstance.ephemeral() as instance:
        _write_inputs(lake, ["A", "C"], [None, None], np.stack([_axis(0), _axis(2)]))
        assert _clean(settings, instance).success
        assert sorted(lake.read("objects")["asin"]) == ["A", "C"]

        # Z is A's twin with more attributes: this run replaces A by Z, then dies before its outputs commit
        _write_inputs(lake, ["A", "C", "Z"], [None, None, 2.0], np.stack([_axis(0), _axis(2), _near(0, 5)]))
        commit = Lake._transaction

        def killed(self, *args, **kwargs):
            raise KeyboardInterrupt("killed while committing the cleaning outputs")

        monkeypatch.setattr(Lake, "_transaction", killed)
        with pytest.raises(KeyboardInterrupt):
            _clean(settings, instance)
        monkeypatch.setattr(Lake, "_transaction", commit)
        assert sorted(lake.read("objects")["asin"]) == ["A", "C"]  # nothing of the killed run is visible

        assert _clean(settings, instance).success  # the same inputs again
        assert sorted(lake.read("objects")["asin"]) == ["C", "Z"]
        removal = lake.read("removals").filter(pl.col("asin") == "A")
        assert removal.select("stage", "kept_twin").row(0) == ("dedup", "Z")


def test_the_six_cleaning_tables_change_in_one_snapshot(settings):
    lake = Lake(settings.lake_config())
    with DagsterInstance.ephemeral() as instance:
        _write_inputs(lake, ["A", "B", "C"], [None, 1.0, None], np.stack([_axis(0), _near(0, 1), _axis(2)]))
        result = _clean(settings, instance)
    snapshots = {event.asset_key.path[-1]: event.materialization.metadata["lake_snapshot"].value
                 for event in result.get_asset_materialization_events()}  # fmt: skip
    assert set(snapshots) == set(CLEANING_TABLES) and len(set(snapshots.values())) == 1
    (snapshot,) = set(snapshots.values())
    for table in CLEANING_TABLES:
        assert lake.versions(table)["snapshot_id"].to_list() == [snapshot]
    versions = lake.read("dedup_versions")
    assert versions.height == 1 and versions["index_version"].to_list() == [recorded(result, "dedup_versions", "index_version")]
    assert "index_version" not in lake.read("dedup_state").columns  # table-wide values are not repeated per ASIN


def recorded(result, table: str, name: str):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table]
    return event.materialization.metadata[name].value


def _to_old_layout(lake: Lake) -> None:
    """The lake as cleaning left it before dedup_versions: the table-wide values on every dedup_state row, and no
    versions table."""
    table_wide = lake.read("dedup_versions").drop("key").row(0, named=True)
    lake.write_table("dedup_state", lake.read("dedup_state").with_columns(
        pl.lit(value, dtype=pl.Utf8).alias(name) for name, value in table_wide.items()))  # fmt: skip
    with lake.connect() as con:
        con.execute(f"DROP TABLE {LAKE_ALIAS}.dedup_versions")


def test_a_lake_from_before_dedup_versions_is_judged_again_once_and_rewritten_in_the_new_layout(settings):
    lake = Lake(settings.lake_config())
    with DagsterInstance.ephemeral() as instance:
        _write_inputs(lake, ["A", "B", "C"], [None, 1.0, None], np.stack([_axis(0), _near(0, 1), _axis(2)]))
        assert _clean(settings, instance).success
        objects, removals = lake.read("objects").sort("asin"), lake.read("removals").sort("asin")
        _to_old_layout(lake)
        again = _clean(settings, instance)
        notes = [entry.user_message for entry in instance.all_logs(again.run_id)]
    assert again.success and recorded(again, "objects", "dedup_checked") == 3  # a full run, not a crash
    assert any("layout from before dedup_versions" in note for note in notes)
    assert lake.read("objects").sort("asin").equals(objects) and lake.read("removals").sort("asin").equals(removals)
    assert "index_version" not in lake.read("dedup_state").columns and lake.read("dedup_versions").height == 1
