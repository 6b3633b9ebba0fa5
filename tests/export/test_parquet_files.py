"""The Parquet writer: the same rows give the same bytes, however the frame was assembled."""

import polars as pl
import pyarrow.parquet as pq

from emma_pipeline.export.parquet_files import write_splits
from tests.export.conftest import dataset_frame


def test_same_rows_same_bytes_whatever_the_order_and_chunks(tmp_path):
    frame = dataset_frame()
    pieces = pl.concat([frame.slice(3).reverse(), frame.slice(0, 3)], rechunk=False)
    assert pieces.n_chunks() > 1
    a, b = write_splits(frame, tmp_path / "a"), write_splits(pieces, tmp_path / "b")
    assert a == b
    for names in a.values():
        for name in names:
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_plain_arrow_types_and_sorted_rows(tmp_path):
    files = write_splits(dataset_frame(), tmp_path, rows_per_shard=2)
    assert files["train"] == ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]
    schema = pq.read_schema(tmp_path / files["train"][0])
    assert str(schema.field("asin").type) == "string" and str(schema.field("materials").type) == "list<element: int64>"
    train = pl.read_parquet(tmp_path / "data" / "train-*.parquet")
    assert train["asin"].to_list() == sorted(train["asin"].to_list())
