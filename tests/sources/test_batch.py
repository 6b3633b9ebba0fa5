"""One source of one ingest batch: file discovery, labels, image paths, unreadable files, fsspec URLs."""

from __future__ import annotations

import gzip
import uuid

import fsspec
import orjson
import pytest

from emma_pipeline.sources.batch import SOURCES, parse_source_batch, source_files

META = {"asin": "B000000001", "title": "Mug", "imageURLHighRes": ["../images/B000000001_0.jpg"]}
REVIEW = {"overall": 4.0, "asin": "B000000001", "reviewText": "fine"}
ITEM = {"asin": "B000000002", "attributes": {"item_name": [{"value": "Pan"}]}}


@pytest.fixture
def batch(tmp_path):
    root = tmp_path / "landing" / "batch-0001"
    ucsd = root / "ucsd"
    (ucsd / "nested").mkdir(parents=True)
    (ucsd / "meta_Home.json.gz").write_bytes(gzip.compress(orjson.dumps(META) + b"\n"))
    (ucsd / "nested" / "Home.json").write_bytes(orjson.dumps(REVIEW) + b"\n" + orjson.dumps(REVIEW) + b"\n")
    (ucsd / ".partial.json").write_bytes(b"garbage")
    (ucsd / "README.md").write_text("notes")
    (ucsd / "PROVENANCE.txt").write_text("notes")
    (root / "image2mass").mkdir()
    (root / "image2mass" / "listings.csv").write_text(
        "asin,title,weight,dimensions,image_url\nB000000003,Lid,2 oz,,../images/B000000003_0.jpg\nB00,bad\n"
    )
    (root / "aspa").mkdir()
    (root / "aspa" / "catalog_items.jsonl").write_bytes(orjson.dumps(ITEM) + b"\n")
    (root / "aspa" / "corrupt.jsonl.gz").write_bytes(b"this is not gzip")
    return root


def test_ucsd_files_sorted_recursive_without_hidden_or_notes(batch):
    files = source_files("ucsd", batch)
    assert [f.rsplit("batch-0001/", 1)[1] for f in files] == ["ucsd/meta_Home.json.gz", "ucsd/nested/Home.json"]


def test_parse_ucsd_batch(batch):
    result = parse_source_batch("ucsd", batch, progress=False)
    assert (result.records_in, result.records_ok, result.quarantine.height) == (3, 3, 0)
    meta = result.listings.filter(title="Mug").row(0, named=True)
    assert meta["file"] == "batch-0001/ucsd/meta_Home.json.gz"
    assert meta["image_urls"] == [str(batch / "images" / "B000000001_0.jpg")]  # absolute, resolved
    reviews = result.listings.filter(file="batch-0001/ucsd/nested/Home.json").row(0, named=True)
    assert reviews["rating_hist"] == [0, 0, 0, 2, 0]


def test_parse_image2mass_batch_labels_quarantine_too(batch):
    result = parse_source_batch("image2mass", batch, progress=False)
    assert (result.records_in, result.records_ok) == (2, 1)
    assert result.listings["image_urls"][0].to_list() == [str(batch / "images" / "B000000003_0.jpg")]
    assert result.quarantine["file"].to_list() == ["batch-0001/image2mass/listings.csv"]


def test_unreadable_file_becomes_one_quarantine_row(batch):
    result = parse_source_batch("aspa", batch, progress=False)
    assert (result.records_in, result.records_ok) == (2, 1)
    bad = result.quarantine.row(0, named=True)
    assert bad["file"] == "batch-0001/aspa/corrupt.jsonl.gz"
    assert bad["reason"].startswith("not_gzip: ")


def test_absent_source_folder_is_empty(tmp_path):
    result = parse_source_batch("aspa", tmp_path / "batch-0002", progress=False)
    assert (result.records_in, result.listings.height, result.quarantine.height) == (0, 0, 0)


def test_unknown_source_is_a_clear_error(batch):
    with pytest.raises(ValueError, match="unknown source 'amazon'"):
        parse_source_batch("amazon", batch)
    assert SOURCES == ("ucsd", "image2mass", "aspa")


def test_fsspec_url_batch():
    prefix = f"memory://landing-{uuid.uuid4().hex}/batch-0003"
    fs = fsspec.filesystem("memory")
    with fs.open(f"{prefix}/ucsd/meta_Toys.json", "wb") as f:
        f.write(orjson.dumps(META) + b"\n")
    try:
        result = parse_source_batch("ucsd", prefix, progress=False)
        row = result.listings.row(0, named=True)
        assert row["file"] == "batch-0003/ucsd/meta_Toys.json"
        assert row["image_urls"] == [f"{prefix}/images/B000000001_0.jpg"]
    finally:
        fs.rm(prefix.removeprefix("memory://").split("/")[0], recursive=True)
