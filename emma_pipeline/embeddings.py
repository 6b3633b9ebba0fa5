"""Incremental embedding: reuse the stored vector of every ASIN whose input (and model) did not change.

A rebuild after new listings arrive computes embeddings only for new ASINs and for ASINs whose text or image list
changed; everything else is copied from the previous version of the table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

EmbedFn = Callable[[list[int]], tuple[np.ndarray, list[str | None]]]


def input_hash(model: str, parts: Sequence[str] | str | None) -> str:
    """A stable key of (model, input): equal keys mean the stored vector is still right."""
    items = [parts] if isinstance(parts, str) or parts is None else list(parts)
    payload = "\x1f".join([model, *("" if p is None else p for p in items)])
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def embedding_frame(asins: list[str], hashes: list[str], model: str, vectors: np.ndarray, reasons: list[str | None]) -> pl.DataFrame:
    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    return pl.DataFrame(
        {
            "asin": pl.Series(asins, dtype=pl.Utf8),
            "input_hash": pl.Series(hashes, dtype=pl.Utf8),
            "model": pl.Series([model] * len(asins), dtype=pl.Utf8),
            "embedding": pl.Series(vectors.astype(np.float32), dtype=pl.Array(pl.Float32, dim)),
            "reason": pl.Series(reasons, dtype=pl.Utf8),
        }
    )


def incremental_embed(
    asins: list[str], hashes: list[str], model: str, previous: pl.DataFrame | None, embed: EmbedFn
) -> tuple[pl.DataFrame, int]:
    """Embedding rows for ``asins`` (same order); ``embed(row_indices)`` is called only for rows not found in
    ``previous`` under the same input hash. Returns the frame and how many rows were computed."""
    reused = pl.DataFrame({"asin": asins, "input_hash": hashes, "_row": range(len(asins))})
    if previous is not None and previous.height:
        previous = previous.filter(pl.col("model") == model)
    if previous is not None and previous.height:
        reused = reused.join(previous.select("asin", "input_hash", "embedding", "reason"), on=["asin", "input_hash"], how="left")
        todo = reused.filter(pl.col("embedding").is_null())["_row"].to_list()
    else:
        todo = list(range(len(asins)))
    fresh_vectors, fresh_reasons = embed(todo)
    if previous is None or not previous.height:
        return embedding_frame(asins, hashes, model, fresh_vectors, fresh_reasons), len(todo)
    dim = fresh_vectors.shape[1] if len(todo) else len(previous["embedding"][0])
    vectors = np.zeros((len(asins), dim), dtype=np.float32)
    reasons: list[str | None] = [None] * len(asins)
    have = reused.filter(pl.col("embedding").is_not_null())
    if have.height:
        vectors[have["_row"].to_numpy()] = vector_matrix(have["embedding"])
        for row, reason in zip(have["_row"].to_list(), have["reason"].to_list()):
            reasons[row] = reason
    if todo:
        vectors[todo] = fresh_vectors
        for row, reason in zip(todo, fresh_reasons):
            reasons[row] = reason
    return embedding_frame(asins, hashes, model, vectors, reasons), len(todo)


def as_matrix(frame: pl.DataFrame, asins: Sequence[str]) -> np.ndarray:
    """Vectors of ``frame`` ordered as ``asins`` (every ASIN must be present)."""
    order = pl.DataFrame({"asin": list(asins), "_i": range(len(asins))}).join(frame.select("asin", "embedding"), on="asin", how="left")
    if order["embedding"].null_count():
        missing = order.filter(pl.col("embedding").is_null())["asin"].head(5).to_list()
        raise KeyError(f"no embedding for {order['embedding'].null_count()} ASINs, e.g. {missing}")
    return vector_matrix(order.sort("_i")["embedding"])


def vector_matrix(series: pl.Series) -> np.ndarray:
    """An embedding column (list or array of floats, as stored or computed) as a float32 matrix."""
    if series.len() == 0:
        return np.zeros((0, 0), dtype=np.float32)
    if isinstance(series.dtype, pl.List):
        series = series.list.to_array(len(series[0]))
    return series.to_numpy().astype(np.float32)
