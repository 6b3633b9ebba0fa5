"""Product search over object embeddings: nearest objects to a query vector, optionally filtered by category,
material and price range, with exactly k results whenever k objects pass the filter.

Unfiltered queries go to the ANN index (``VectorIndex``: exact below its limit, HNSW above). A filter is
applied inside the index search (a faiss id selector); when the graph search returns fewer than k although more
objects pass, or when few objects pass (``exact_below``), the passing objects are scored exactly instead, so a
filter never silently shortens a result list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from emma_pipeline.cleaning.ann_index import IndexParams, VectorIndex
from emma_pipeline.cleaning.versioned_folder import commit_version, current_version

ATTRIBUTES_SCHEMA = {"asin": pl.Utf8, "category_ids": pl.List(pl.Int64), "material_ids": pl.List(pl.Int64),
                     "price_usd": pl.Float64}  # fmt: skip


@dataclass(frozen=True)
class SearchFilter:
    category_id: int | None = None  # the node or anything below it
    material_ids: tuple[int, ...] = ()  # any of these nodes (callers expand a node to its descendants)
    min_price: float | None = None
    max_price: float | None = None

    @property
    def empty(self) -> bool:
        return self.category_id is None and not self.material_ids and self.min_price is None and self.max_price is None

    def mask(self, attributes: pl.DataFrame) -> np.ndarray:
        expr = pl.lit(True)
        if self.category_id is not None:
            expr = expr & pl.col("category_ids").list.contains(self.category_id).fill_null(False)
        if self.material_ids:
            wanted = pl.lit(pl.Series(list(self.material_ids), dtype=pl.Int64).implode())
            expr = expr & (pl.col("material_ids").list.set_intersection(wanted).list.len() > 0).fill_null(False)
        if self.min_price is not None:
            expr = expr & (pl.col("price_usd") >= self.min_price).fill_null(False)
        if self.max_price is not None:
            expr = expr & (pl.col("price_usd") <= self.max_price).fill_null(False)
        return attributes.select(expr.alias("ok"))["ok"].to_numpy()


class ProductSearch:
    def __init__(self, index: VectorIndex, attributes: pl.DataFrame, model_version: str, exact_below: int = 50_000):
        if attributes["asin"].to_list() != index.ids():
            raise ValueError("search attributes must list the index's ids in index order")
        self.index, self.attributes, self.model_version, self.exact_below = index, attributes, model_version, exact_below
        self._row = {asin: i for i, asin in enumerate(attributes["asin"].to_list())}

    @classmethod
    def build(cls, asins: list[str], vectors: np.ndarray, attributes: pl.DataFrame, model_version: str,
              params: IndexParams = IndexParams()) -> ProductSearch:  # fmt: skip
        index = VectorIndex.create(vectors.shape[1], params)
        index.add(asins, vectors)
        ordered = pl.DataFrame({"asin": asins}).join(attributes, on="asin", how="left", maintain_order="left")
        return cls(index, ordered.select(list(ATTRIBUTES_SCHEMA)).cast(ATTRIBUTES_SCHEMA), model_version)

    def __len__(self) -> int:
        return len(self.index)

    def vectors_of(self, asins: list[str]) -> np.ndarray:
        return self.index.vectors(asins)

    def search(self, query: np.ndarray, k: int, where: SearchFilter = SearchFilter(),
               exclude: tuple[str, ...] = ()) -> list[tuple[str, float]]:  # fmt: skip
        """(asin, cosine) of the k nearest objects passing ``where``, most similar first; fewer only when fewer
        objects pass. ``exclude``: ids never returned (the query object itself)."""
        allowed = where.mask(self.attributes) if not where.empty else np.ones(len(self), dtype=bool)
        for asin in exclude:
            if asin in self._row:
                allowed[self._row[asin]] = False
        wanted = min(k, int(allowed.sum()))
        if wanted == 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        if allowed.all() and not exclude:
            found, sims = self.index.search(query, k)
            hits = [(a, float(s)) for a, s in zip(found[0], sims[0]) if a is not None]
        elif allowed.sum() > self.exact_below:
            hits = self._selected_search(query, k, allowed)
        else:
            hits = []
        if len(hits) < wanted:
            hits = self._exact(query, k, allowed)
        return hits[:k]

    def _selected_search(self, query, k, allowed) -> list[tuple[str, float]]:
        among = [a for a, ok in zip(self.attributes["asin"].to_list(), allowed) if ok]
        found, sims = self.index.search_among(query, k, among)
        return [(a, float(s)) for a, s in zip(found[0], sims[0]) if a is not None]

    def _exact(self, query, k, allowed) -> list[tuple[str, float]]:
        asins = [a for a, ok in zip(self.attributes["asin"].to_list(), allowed) if ok]
        sims = self.index.vectors(asins) @ _unit(query)[0]
        top = np.argsort(-sims, kind="stable")[:k]
        return [(asins[i], float(sims[i])) for i in top]

    def save(self, directory: str | Path) -> Path:
        def write(folder: Path) -> None:
            self.index.write_folder(folder / "index")
            self.attributes.write_parquet(folder / "attributes.parquet")
            (folder / "MODEL").write_text(self.model_version)

        return commit_version(directory, write)

    @classmethod
    def load(cls, directory: str | Path) -> ProductSearch:
        folder = current_version(directory, "product search index")
        return cls(VectorIndex.read_folder(folder / "index"), pl.read_parquet(folder / "attributes.parquet"),
                   (folder / "MODEL").read_text().strip())  # fmt: skip


def _unit(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)
