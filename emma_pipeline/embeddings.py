"""Incremental embedding: reuse the stored vector of every ASIN whose input (and model) did not change.

A rebuild after new listings arrive computes embeddings only for new ASINs and for ASINs whose text or images
changed; only those rows are written, everything else stays as the previous version of the table has it. An
image input is its references *and* each file's size and modification time (``image_input_hash``), so a photo
replaced at the same path is embedded again, and a missing or unfetched one as soon as it appears or is fetched.
A stored failure the key cannot see (a storage error while reading, ``retried``) is tried on every rebuild, so a
transient failure heals by itself; the others wait for their input to change instead of costing a rebuild each.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

EmbedFn = Callable[[list[int]], tuple[np.ndarray, list[str | None]]]
RETRIED_REASONS = ("unreadable_file", "preprocess_error")  # failures the input key cannot see (``retried``)


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


@dataclass(frozen=True)
class EmbeddingUpdate:
    """What one rebuild changes in an embedding table: the rows embedded now (whole rows, every column), the
    ASINs of the previous table that left, and the reason of every current row (reused or new), for metadata."""

    rows: pl.DataFrame
    gone: list[str]
    reasons: pl.Series
    computed: int


def retried(reason: str | None) -> bool:
    """Whether a stored row with this failure reason is embedded again although its input key is unchanged: only
    failures the key cannot see (a storage error while reading, an error in preprocessing). A missing, corrupt or
    unfetched image is part of the key (file size and mtime, or the fetch status), so it is tried again as soon as
    that changes, and not on every rebuild."""
    return reason is not None and any(marker in reason for marker in RETRIED_REASONS)


def incremental_embed(
    asins: list[str], hashes: list[str], model: str, previous: pl.DataFrame | None, embed: EmbedFn
) -> EmbeddingUpdate:
    """Embed the rows of ``asins`` not found in ``previous`` (its key columns asin, input_hash, model, reason are
    enough: stored vectors are not read) under the same input hash and model, and those whose stored reason is
    ``retried``. ``embed(row_indices)`` gets the positions in ``asins``."""
    current = pl.DataFrame({"asin": asins, "input_hash": hashes, "_row": range(len(asins))},
                           schema={"asin": pl.Utf8, "input_hash": pl.Utf8, "_row": pl.Int64})  # fmt: skip
    gone: list[str] = []
    reused = current.head(0).with_columns(pl.lit(None, pl.Utf8).alias("reason"))
    if previous is not None and previous.height:
        stored = previous.select("asin", "input_hash", "model", "reason")
        keep = stored.filter((pl.col("model") == model) & ~pl.col("reason").map_elements(retried, return_dtype=pl.Boolean, skip_nulls=False))
        reused = current.join(keep.select("asin", "input_hash", "reason"), on=["asin", "input_hash"], how="inner")
        gone = stored.filter(~pl.col("asin").is_in(current["asin"].implode()))["asin"].to_list()
    todo = current.filter(~pl.col("_row").is_in(reused["_row"].implode()))["_row"].to_list()
    vectors, fresh_reasons = embed(todo)
    rows = embedding_frame([asins[i] for i in todo], [hashes[i] for i in todo], model, vectors, fresh_reasons)
    reasons: list[str | None] = [None] * len(asins)
    for row, reason in zip(reused["_row"].to_list(), reused["reason"].to_list()):
        reasons[row] = reason
    for row, reason in zip(todo, fresh_reasons):
        reasons[row] = reason
    return EmbeddingUpdate(rows, gone, pl.Series("reason", reasons, dtype=pl.Utf8), len(todo))


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
