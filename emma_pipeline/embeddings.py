"""Incremental embedding: reuse the stored vector of every ASIN whose input (and model) did not change.

A rebuild after new listings arrive computes embeddings only for new ASINs and for ASINs whose text or images
changed; everything else is copied from the previous version of the table. An image input is its paths *and*
each file's size and modification time (``image_input_hash``), so a photo replaced at the same path is embedded
again; a stored row that carries a failure reason (a missing or unreadable image) is never reused but retried
on every rebuild, so a transient failure heals by itself.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

EmbedFn = Callable[[list[int]], tuple[np.ndarray, list[str | None]]]


def input_hash(model: str, parts: Sequence[str] | str | None) -> str:
    """A stable key of (model, input): equal keys mean the stored vector is still right."""
    items = [parts] if isinstance(parts, str) or parts is None else list(parts)
    payload = "\x1f".join([model, *("" if p is None else p for p in items)])
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def image_input_hash(model: str, keys: Sequence[str] | None, files: Sequence[str] | None = None) -> str:
    """``input_hash`` of a listing's image references (``keys``) and of the fingerprint (size and mtime) of each
    file that will be read (``files``, default the keys themselves)."""
    keys = list(keys or [])
    files = keys if files is None else list(files)
    return input_hash(model, [*keys, *(f"{path}\x1e{file_fingerprint(path)}" for path in files)])


def file_fingerprint(path: str) -> str:
    """Size and modification time of a local file or fsspec object (ETag where the store gives one); "missing"
    when it is not there. Cheaper than hashing every image on every rebuild; a remote http(s) URL is its own key."""
    if not isinstance(path, str) or path.lower().startswith(("http://", "https://")):
        return ""
    try:
        if "://" not in path:
            stat = os.stat(path)
            return f"{stat.st_size}:{stat.st_mtime_ns}"
        import fsspec

        fs, target = fsspec.core.url_to_fs(path)
        info = fs.info(target)
        stamp = info.get("ETag") or info.get("etag") or info.get("mtime") or info.get("LastModified") or ""
        return f"{info.get('size')}:{stamp}"
    except FileNotFoundError:
        return "missing"
    except Exception as exc:  # permissions, storage errors: a different key than a readable file, retried later
        return f"unreadable:{type(exc).__name__}"


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
    ``previous`` under the same input hash without a failure reason. Returns the frame and how many rows were
    computed."""
    reused = pl.DataFrame({"asin": asins, "input_hash": hashes, "_row": range(len(asins))})
    if previous is not None and previous.height:
        previous = previous.filter((pl.col("model") == model) & pl.col("reason").is_null())
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
