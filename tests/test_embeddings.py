"""The embedding cache: reused only for unchanged inputs; replaced photos, files that appear and failures the
input key cannot see are embedded again, and only the rows embedded are written."""

import os

import numpy as np
import polars as pl

from emma_pipeline.embeddings import image_input_hash, incremental_embed, retried
from emma_pipeline.warehouse.keyed_update import KeyedUpdate

MODEL = "m"


class _Encoder:
    """Embeds a listing as [1, size of its first file]; a missing file gives a zero row and a reason."""

    def __init__(self, paths: list[list[str]], failure: str = "no_readable_image: missing_file"):
        self.paths, self.calls, self.failure = paths, [], failure

    def __call__(self, rows: list[int]):
        self.calls.append(rows)
        vectors, reasons = np.zeros((len(rows), 2), dtype=np.float32), []
        for i, row in enumerate(rows):
            path = self.paths[row][0]
            if os.path.exists(path):
                vectors[i] = [1.0, os.path.getsize(path)]
                reasons.append(None)
            else:
                reasons.append(f"{self.failure}: {path}")
        return vectors, reasons


def _build(paths, previous, failure: str = "no_readable_image: missing_file"):
    """The stored table after one rebuild (the written rows applied to ``previous``), rows embedded, encoder calls."""
    encoder = _Encoder(paths, failure)
    hashes = [image_input_hash(MODEL, p) for p in paths]
    result = incremental_embed([f"A{i}" for i in range(len(paths))], hashes, MODEL, previous, encoder)
    assert result.rows.height == result.computed  # only what was embedded is written
    stored = KeyedUpdate(result.rows, result.gone).apply_to(previous).sort("asin")
    assert stored["reason"].to_list() == result.reasons.to_list()
    return stored, result.computed, encoder.calls


def test_a_missing_file_waits_for_its_key_to_change_and_heals_once_it_appears(tmp_path):
    good, late = tmp_path / "good.jpg", tmp_path / "late.jpg"
    good.write_bytes(b"x" * 10)
    paths = [[str(good)], [str(late)]]
    first, computed, _ = _build(paths, None)
    assert computed == 2 and first["reason"].to_list()[1].startswith("no_readable_image")

    again, computed, calls = _build(paths, first)  # still missing: the same key, nothing to do
    assert computed == 0 and calls == [[]]
    late.write_bytes(b"y" * 7)  # the file appears: its fingerprint is part of the key
    healed, computed, calls = _build(paths, again)
    assert computed == 1 and calls == [[1]]
    assert healed["reason"].to_list() == [None, None]
    assert healed["embedding"].to_list()[1] == [1.0, 7.0]
    _, computed, _ = _build(paths, healed)
    assert computed == 0  # both good now: nothing to do


def test_a_failure_the_key_cannot_see_is_retried_on_every_rebuild(tmp_path):
    good = tmp_path / "good.jpg"
    good.write_bytes(b"x" * 10)
    flaky = tmp_path / "flaky.jpg"  # say a storage error while reading it: its key does not change
    paths = [[str(good)], [str(flaky)]]
    first, _, _ = _build(paths, None, failure="no_readable_image: unreadable_file")
    assert retried(first["reason"][1]) and not retried("no_readable_image: missing_file: x") and not retried(None)
    _, computed, calls = _build(paths, first, failure="no_readable_image: unreadable_file")
    assert computed == 1 and calls == [[1]]


def test_rows_of_asins_no_longer_joined_are_dropped(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"x" * 10)
    first, _, _ = _build([[str(photo)], [str(photo)]], None)
    encoder = _Encoder([[str(photo)]])
    result = incremental_embed(["A1"], [image_input_hash(MODEL, [str(photo)])], MODEL, first, encoder)
    assert result.gone == ["A0"] and result.computed == 0


def test_a_photo_replaced_at_the_same_path_is_embedded_again(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"x" * 10)
    paths = [[str(photo)]]
    first, _, _ = _build(paths, None)
    photo.write_bytes(b"z" * 12)
    os.utime(photo, ns=(10**18, 10**18))  # a different file, whatever the clock's resolution
    second, computed, _ = _build(paths, first)
    assert computed == 1 and second["embedding"].to_list() == [[1.0, 12.0]]
    assert second["input_hash"].to_list() != first["input_hash"].to_list()


def test_unchanged_files_keep_their_vectors_and_hash(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"x" * 10)
    first, _, _ = _build([[str(photo)]], None)
    second, computed, calls = _build([[str(photo)]], first)
    assert computed == 0 and calls == [[]]
    assert second.select("input_hash", "embedding").equals(first.select("input_hash", "embedding"))
