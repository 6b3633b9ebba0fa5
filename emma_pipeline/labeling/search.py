"""Full-text search over listing text with DuckDB's fts extension (BM25, Porter stemming, loaded offline from
its PyPI package like the lake's extensions).

Matches come back in a seeded random order (the paper shows word-search results in random order so the person
judges a fair sample, not the best-scoring top) and every match is reachable by paging: the order is a
permutation of *all* matches, never a top-k.
"""

from __future__ import annotations

import threading

import duckdb
import numpy as np
import polars as pl

from emma_pipeline.warehouse.extensions import load_extension

MAX_QUERY = 200


class TextIndex:
    def __init__(self, object_ids: list[str], titles: list[str], texts: pl.Series):
        self._con = duckdb.connect()
        self._lock = threading.Lock()
        load_extension(self._con, "fts")
        docs = pl.DataFrame({"row": np.arange(len(object_ids), dtype=np.int64), "title": titles,
                             "body": texts.fill_null("")})  # fmt: skip
        self._con.register("_docs", docs.to_arrow())
        self._con.execute("CREATE TABLE docs AS SELECT * FROM _docs")
        self._con.unregister("_docs")
        self._con.execute("PRAGMA create_fts_index('docs', 'row', 'title', 'body', stemmer = 'porter', overwrite = 1)")

    def matches(self, query: str) -> np.ndarray:
        """Row indices of every document matching any term of ``query`` (BM25 > 0), best first."""
        query = (query or "").strip()
        if not query or len(query) > MAX_QUERY:
            raise ValueError(f"a search is 1-{MAX_QUERY} characters")
        sql = """SELECT row FROM (SELECT row, fts_main_docs.match_bm25(row, ?) AS score FROM docs)
                 WHERE score IS NOT NULL ORDER BY score DESC, row"""
        with self._lock:
            rows = self._con.execute(sql, [query]).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def page(self, query: str, page: int, size: int, seed: int) -> tuple[list[int], int]:
        """One page of the matches in seeded random order, and the total number of matches. The permutation is
        over all matches and fixed by (query, seed), so labeling on one page never shifts another page: pages
        0..total/size show every match exactly once (labeled ones show their label)."""
        found = self.matches(query)
        order = np.random.default_rng(seed).permutation(found)
        return [int(r) for r in order[page * size : (page + 1) * size]], int(len(found))
