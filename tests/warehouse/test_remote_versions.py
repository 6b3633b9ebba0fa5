"""Versioned folders (dedup index, filter models, product search index) on S3: written on one machine, read on
another, the previous version kept until the caller's commit names the new one."""

import numpy as np
import pytest

from emma_pipeline.cleaning.ann_index import IndexParams, VectorIndex
from emma_pipeline.cleaning.dedup_state import DedupIndex
from emma_pipeline.cleaning.dedup_store import load_dedup_index, save_dedup_index
from emma_pipeline.cleaning.versioned_folder import commit_version, current_version, version_folder, write_version
from emma_pipeline.warehouse.storage import beside, is_remote, storage_path


@pytest.fixture
def remote(s3_server, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("EMMA_S3_ENDPOINT", s3_server.endpoint)
    monkeypatch.setenv("EMMA_S3_USE_SSL", "false")
    monkeypatch.setenv("EMMA_VERSION_CACHE", str(tmp_path / "cache"))
    return s3_server, storage_path(f"s3://{s3_server.bucket}/indexes")


def _write(text: str):
    def write(folder):
        (folder / "sub").mkdir()
        (folder / "sub" / "value.txt").write_text(text)

    return write


def test_versions_round_trip_and_sweep_on_s3(remote, tmp_path, monkeypatch):
    server, root = remote
    first = write_version(root / "dedup", _write("one"))
    second = write_version(root / "dedup", _write("two"), keep=[first])
    assert (version_folder(root / "dedup", first) / "sub" / "value.txt").read_text() == "one"
    # another machine: an empty cache downloads the version named by the commit
    monkeypatch.setenv("EMMA_VERSION_CACHE", str(tmp_path / "other_machine"))
    assert (version_folder(root / "dedup", second) / "sub" / "value.txt").read_text() == "two"
    third = write_version(root / "dedup", _write("three"), keep=[second])
    names = {key.split("/")[2] for key in server.keys() if key.startswith("indexes/dedup/")}
    assert names == {second, third}  # the first, no longer named, was swept
    with pytest.raises(FileNotFoundError, match="saved thing"):
        version_folder(root / "dedup", first, "saved thing")


def test_a_url_string_works_like_a_path(remote):
    server, _ = remote
    url = f"s3://{server.bucket}/indexes/filter_models"
    version = write_version(url, _write("by url"))
    assert (version_folder(url, version) / "sub" / "value.txt").read_text() == "by url"


def test_an_upload_that_did_not_finish_is_not_a_version(remote):
    server, root = remote
    version = write_version(root / "dedup", _write("x"))
    server.client.delete_object(Bucket=server.bucket, Key=f"indexes/dedup/{version}/_COMPLETE")
    with pytest.raises(FileNotFoundError):
        version_folder(root / "dedup", version)


def test_current_pointer_on_s3(remote):
    _, root = remote
    with pytest.raises(FileNotFoundError, match="missing CURRENT"):
        current_version(root / "search", "product search index")
    commit_version(root / "search", _write("a"))
    commit_version(root / "search", _write("b"))
    assert (current_version(root / "search") / "sub" / "value.txt").read_text() == "b"


def test_dedup_index_on_s3_matches_the_saved_one(remote):
    _, root = remote
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((50, 8)).astype(np.float32)
    indexes = []
    for _ in range(2):
        index = VectorIndex.create(8, IndexParams())
        index.add([f"A{i:03d}" for i in range(50)], vectors)
        indexes.append(index)
    version = save_dedup_index(DedupIndex(*indexes), root / "dedup")
    loaded = load_dedup_index(root / "dedup", version)
    assert loaded.text.search(vectors[:3], 1)[0][0][0] == "A000"


def test_locations():
    assert not is_remote("/tmp/x") and is_remote("s3://b/x") and not is_remote("file:///tmp/x")
    assert beside("s3://bucket/lake/data", "indexes") == "s3://bucket/lake/indexes"
    assert beside("/home/u/.emma/lake/data", "indexes") == "/home/u/.emma/lake/indexes"
    assert storage_path("s3://b/x") / "dedup" == storage_path("s3://b/x/dedup")
