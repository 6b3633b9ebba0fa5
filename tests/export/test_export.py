"""`emma export` on a tiny literal lake: files per split, content hashes, byte-identical re-exports, errors."""

import glob
import json

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

from emma_pipeline.cli import main
from emma_pipeline.export import ExportError, export_dataset
from emma_pipeline.export.lake_read import latest_snapshot
from emma_pipeline.images.store import ImageStore
from emma_pipeline.warehouse.lake import Lake, LakeConfig
from tests.export.conftest import dataset_frame


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_export_writes_each_split_with_text_and_image_hashes(tiny_lake, tmp_path):
    lake, store, expected = tiny_lake
    result = export_dataset(lake, tmp_path / "out", store)
    out = result.out
    assert sorted(_files(out)) == ["README.md", "categories.json", "data/calibration-00000-of-00001.parquet",
                                   "data/test-00000-of-00001.parquet", "data/train-00000-of-00001.parquet",
                                   "data/val-00000-of-00001.parquet", "materials.json"]  # fmt: skip
    train = pl.read_parquet(out / "data/train-*.parquet")
    assert train["asin"].to_list() == ["A0000000001", "A0000000002", "A0000000003"]  # sorted, whatever the lake order
    rows = pl.read_parquet(out / "data/*.parquet")
    assert rows.height == 6 and "Z0000000009" not in rows["asin"].to_list()
    assert dict(zip(rows["asin"], rows["image_sha256"].to_list())) == expected
    assert rows.filter(pl.col("asin") == "A0000000001")["title"].to_list() == ["Mug A0000000001"]
    original = dataset_frame().sort("asin")
    assert rows.sort("asin").select(original.columns).equals(original)  # every value and its provenance as in the lake
    assert [n["name"] for n in json.loads((out / "materials.json").read_text())] == ["metal", "steel", "aluminum", "plastic"]
    card = (out / "README.md").read_text()
    assert "remote image not fetched" in card and "3 distinct images" not in card  # a, b, c and the remote one: 4
    assert "4 distinct images" in card


def test_front_matter_lists_exactly_the_files_that_exist(tiny_lake, tmp_path):
    lake, store, _ = tiny_lake
    out = export_dataset(lake, tmp_path / "out", store).out
    meta = yaml.safe_load((out / "README.md").read_text().split("---\n")[1])
    listed = {p: f["split"] for f in meta["configs"][0]["data_files"] for p in f["path"]}
    assert set(listed) == {p.relative_to(out).as_posix() for p in (out / "data").glob("*.parquet")}
    for path, split in listed.items():  # what `datasets` does with the card: glob each pattern, read the rows
        (match,) = glob.glob(str(out / path))
        assert set(pl.read_parquet(match)["split"]) == {split}


def test_reexport_of_a_snapshot_is_byte_identical(tiny_lake, tmp_path):
    lake, store, _ = tiny_lake
    first = export_dataset(lake, tmp_path / "a", store)
    lake.write_table("objects_note", pl.DataFrame({"x": [1]}))  # the lake moves on; the exported snapshot does not
    again = export_dataset(lake, tmp_path / "b", store, snapshot=first.snapshot)
    assert _files(first.out) == _files(again.out)
    export_dataset(lake, tmp_path / "a", store, snapshot=first.snapshot)  # into the same folder: same bytes
    assert _files(first.out) == _files(again.out)


def test_a_changed_dataset_changes_the_files_and_leaves_no_stale_shard(tiny_lake, tmp_path):
    lake, store, _ = tiny_lake
    first = export_dataset(lake, tmp_path / "out", store)
    before = _files(first.out)
    lake.write_table("dataset", dataset_frame().filter(pl.col("split") != "val").with_columns(pl.col("price") * 2))
    second = export_dataset(lake, tmp_path / "out", store)
    after = _files(second.out)
    assert "data/val-00000-of-00001.parquet" not in after
    assert after["data/train-00000-of-00001.parquet"] != before["data/train-00000-of-00001.parquet"]
    assert f"snapshot **{second.snapshot}**" in after["README.md"].decode()


def test_shards_are_cut_by_row_count(tiny_lake, tmp_path):
    from emma_pipeline.export.parquet_files import shard_names

    assert shard_names("train", 250_001) == [f"data/train-0000{i}-of-00003.parquet" for i in range(3)]
    assert shard_names("val", 0) == []


def test_missing_lake_and_missing_dataset_table_are_clear_errors(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path / "empty"))
    with pytest.raises(ExportError, match="no lake catalog.*nothing to export"):
        latest_snapshot(lake)
    lake.write_table("objects", pl.DataFrame({"asin": ["A"]}))
    with pytest.raises(ExportError, match="no `dataset` table at snapshot"):
        export_dataset(lake, tmp_path / "out", image_store=ImageStore(str(tmp_path / "store")))
    with pytest.raises(ExportError, match="snapshot 99 is not in the lake"):
        export_dataset(lake, tmp_path / "out", image_store=ImageStore(str(tmp_path / "store")), snapshot=99)
    assert not (tmp_path / "out").exists()


def test_a_dataset_with_repeated_asins_is_refused(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path))
    lake.write_table("dataset", pl.concat([dataset_frame(), dataset_frame().head(1)]))
    with pytest.raises(ExportError, match="1 ASINs on more than one row"):
        export_dataset(lake, tmp_path / "out", image_store=ImageStore(str(tmp_path / "store")))


def test_cli_exports_the_latest_snapshot_and_reports_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("EMMA_HOME", str(tmp_path / "home"))
    for name in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    failed = runner.invoke(main, ["export"])
    assert failed.exit_code == 1 and "nothing to export" in failed.output
    lake = Lake(LakeConfig.under(tmp_path / "home"))
    snapshot = lake.write_table("dataset", dataset_frame())
    done = runner.invoke(main, ["export", "--version", str(snapshot)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "home" / "export" / f"snapshot-{snapshot}"
    assert "exported 6 objects" in done.output and (out / "README.md").exists()
    assert pl.read_parquet(out / "data/*.parquet").height == 6


def test_images_are_copied_by_content_hash(tiny_lake, tmp_path):
    import hashlib

    lake, store, expected = tiny_lake
    result = export_dataset(lake, tmp_path / "out", store, with_images=True)
    digests = {d for ds in expected.values() for d in ds}
    copied = {p.name: p.read_bytes() for p in (result.out / "images").rglob("*") if p.is_file()}
    assert set(copied) == digests and result.images_copied == len(digests)
    assert all(hashlib.sha256(data).hexdigest() == name for name, data in copied.items())
    assert "copied beside this card" in (result.out / "README.md").read_text()
    assert export_dataset(lake, tmp_path / "out", store, with_images=True).images_copied == 0  # already there
