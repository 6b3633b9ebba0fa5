"""`emma build` in two EMMA_HOMEs: each keeps its own Dagster instance and ingests from what its own lake holds.

Before, the instance was the checkout's for every EMMA_HOME: the second home found batch-0001 "already ingested"
in the shared run history, skipped ingestion, and its downstream run failed with "no lake catalog"."""

import json

import polars as pl
import pytest
import yaml
from dagster import AssetSelection, Definitions, define_asset_job

from assets.ingestion import ingest_assets
from assets.jobs import ingest_job
from assets.join import asin_join, quarantine
from emma_pipeline.build import run_build
from emma_pipeline.build_times import read_build_times
from emma_pipeline.instance import instance_config, use_instance
from emma_pipeline.sample import generate_sample
from emma_pipeline.settings import load_settings, project_root
from emma_pipeline.sources.ingested import ingested_batches, pending_batches
from emma_pipeline.warehouse.lake import Lake
from resources import build_resources

BATCH = "batch-0001"
JOIN_JOB = "join_only"  # a small downstream job: the test is about instances and ingestion, not the models
SOURCES = ("ucsd", "image2mass", "aspa")


def _home(tmp_path, name, monkeypatch):
    home = tmp_path / name
    generate_sample(home, n_listings=40, seed=3, batch=BATCH, progress=False)
    (home / "landing" / BATCH / "_SUCCESS").touch()
    monkeypatch.setenv("EMMA_HOME", str(home))
    for var in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA", "EMMA_MODELS"):
        monkeypatch.delenv(var, raising=False)
    return load_settings()


def _definitions(settings) -> Definitions:
    join = define_asset_job(JOIN_JOB, selection=AssetSelection.assets(asin_join, quarantine))
    return Definitions(assets=[*ingest_assets, asin_join, quarantine], jobs=[ingest_job, join],
                       resources=build_resources(settings))  # fmt: skip


def _build(settings):
    lines: list[str] = []
    times = run_build(settings, echo=lines.append, definitions=_definitions(settings), downstream_job=JOIN_JOB)
    return lines, times


def test_two_emma_homes_each_get_their_own_instance_and_build(tmp_path, monkeypatch):
    for name in ("first", "second"):
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        settings = _home(tmp_path, name, monkeypatch)
        assert use_instance(settings.home) == settings.home / "dagster"
        assert (settings.home / "dagster" / "dagster.yaml").exists()
        lines, times = _build(settings)
        assert f"ingesting 1: {BATCH}" in lines[0], lines[0]
        assert Lake(settings.lake_config()).read("joined_listings").height > 0
        assert any((settings.home / "dagster" / "storage").iterdir())  # the run history is beside this lake
        # the time table comes from the runs' step events: one row per step, in the order they ran
        assert sorted(s.stage for s in times.stages) == sorted([*(f"ingest_{s}" for s in SOURCES), "asin_join", "quarantine"])
        join = next(s for s in times.stages if s.stage == "asin_join")
        assert set(join.assets) == {"joined_listings", "join_removals", "join_state"} and join.seconds > 0
        assert times.wall_seconds >= times.steps_seconds > 0 and len(times.runs) == 2
        assert "asin_join" in times.table()


def test_what_to_ingest_comes_from_the_lake_not_from_a_shared_run_history(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "shared_instance"))  # one instance for both homes
    (tmp_path / "shared_instance").mkdir()
    first = _home(tmp_path, "first", monkeypatch)
    assert f"ingesting 1: {BATCH}" in _build(first)[0][0]
    assert "ingesting 0" in _build(first)[0][0]  # the lake has the batch: nothing to parse again
    second = _home(tmp_path, "second", monkeypatch)
    lines, _ = _build(second)
    assert f"ingesting 1: {BATCH}" in lines[0], lines[0]
    assert Lake(second.lake_config()).read("joined_listings").height > 0


def test_a_batch_is_ingested_only_when_every_source_with_files_has_it(tmp_path):
    lake = Lake(load_settings({"EMMA_HOME": str(tmp_path)}).lake_config())
    assert ingested_batches(lake) == {s: set() for s in SOURCES}  # no catalog yet
    rows = pl.DataFrame({"asin": ["B1"]})
    lake.write_partition("ucsd_listings", rows, "batch", "b1")
    lake.write_partition("aspa_quarantine", pl.DataFrame({"reason": ["bad"]}), "batch", "b1")
    lake.write_partition("image2mass_listings", rows.clear(), "batch", "b1")  # a run that wrote nothing
    done = ingested_batches(lake)
    assert done == {"ucsd": {"b1"}, "image2mass": set(), "aspa": {"b1"}}
    assert pending_batches(["b1"], done, has_files=lambda source, batch: True) == ["b1"]
    assert pending_batches(["b1"], done, has_files=lambda source, batch: source != "image2mass") == []


@pytest.mark.skipif(project_root() is None, reason="needs the source checkout's dagster.yaml")
def test_the_checkouts_dagster_yaml_is_the_default_homes_instance():
    """`dagster dev` from the repository root reads dagster.yaml there: the same instance `emma build` writes
    for the default EMMA_HOME (.emma), so the UI shows the default build's runs."""
    written = yaml.safe_load((project_root() / "dagster.yaml").read_text())
    assert written == instance_config(".emma/dagster")


def test_a_bench_can_read_the_last_build_times(tmp_path):
    from emma_pipeline.build_times import BuildTimes, RunTime, StageTime

    times = BuildTimes([StageTime("j", "", "asin_join", ("joined_listings",), 1.5, "success")],
                       [RunTime("j", "", "r1", 2.0, True)])  # fmt: skip
    times.write(tmp_path)
    read = read_build_times(tmp_path)
    assert read["wall_seconds"] == 2.0 and read["stages"][0]["assets"] == ["joined_listings"]
    assert json.loads((tmp_path / "build_times.json").read_text()) == read


def test_a_failed_stage_is_reported_with_the_times_so_far(tmp_path, monkeypatch):
    from dagster import asset

    from emma_pipeline.build import BuildFailed

    @asset
    def broken() -> None:
        raise ValueError("the stage broke")

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "instance"))
    (tmp_path / "instance").mkdir()
    monkeypatch.setenv("EMMA_HOME", str(tmp_path / "home"))  # no landing batches: nothing to ingest
    settings = load_settings()
    definitions = Definitions(assets=[broken], jobs=[define_asset_job("broken_job", selection=[broken])])
    with pytest.raises(BuildFailed, match="the stage broke") as failed:
        run_build(settings, echo=lambda line: None, definitions=definitions, downstream_job="broken_job")
    (stage,) = failed.value.times.stages
    assert stage.stage == "broken" and stage.status == "failure"
    assert failed.value.times.runs[0].success is False
