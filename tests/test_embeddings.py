"""The embedding cache: reused only for unchanged inputs; failed rows and replaced photos are embedded again."""

import os

import numpy as np
import polars as pl

from emma_pipeline.embeddings import image_input_hash, incremental_embed

MODEL = "m"


class _Encoder:
    """Embeds a listing as [1, size of its first file]; a missing file gives a zero row and a reason."""

    def __init__(self, paths: list[list[str]]):
        self.paths, self.calls = paths, []

    def __call__(self, rows: list[int]):
        self.calls.append(rows)
        vectors, reasons = np.zeros((len(rows), 2), dtype=np.float32), []
        for i, row in enumerate(rows):
            path = self.paths[row][0]
            if os.path.exists(path):
                vectors[i] = [1.0, os.path.getsize(path)]
                reasons.append(None)
            else:
                reasons.append(f"no_readable_image: missing_file: {path}")
        return vectors, reasons


def _build(paths, previous):
    encoder = _Encoder(paths)
    hashes = [image_input_hash(MODEL, p) for p in paths]
    frame, computed = incremental_embed([f"A{i}" for i in range(len(paths))], hashes, MODEL, previous, encoder)
    return frame, computed, encoder.calls


def test_a_row_that_failed_is_retried_and_heals_once_the_file_is_readable(tmp_path):
    good, late = tmp_path / "good.jpg", tmp_path / "late.jpg"
    good.write_bytes(b"x" * 10)
    paths = [[str(good)], [str(late)]]
    first, computed, _ = _build(paths, None)
    assert computed == 2 and first["reason"].to_list()[1].startswith("no_readable_image")

    again, computed, calls = _build(paths, first)  # still missing: retried, not cached as a zero vector
    assert computed == 1 and calls == [[1]]
    late.write_bytes(b"y" * 7)  # the transient failure is over
    healed, computed, calls = _build(paths, again)
    assert computed == 1 and calls == [[1]]
    assert healed["reason"].to_list() == [None, None]
    assert healed["embedding"].to_list()[1] == [1.0, 7.0]
    _, computed, _ = _build(paths, healed)
    assert computed == 0  # both good now: nothing to do


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
