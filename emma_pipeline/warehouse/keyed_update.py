"""An asset output that changes a table by key instead of replacing it: the rows a batch touched, and the keys
that left. The lake IO manager applies it with ``Lake.update_by_key`` (one snapshot); downstream reads still see
the whole table."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class KeyedUpdate:
    rows: pl.DataFrame  # new and changed rows, whole (every column of the table)
    deleted: list[str] = field(default_factory=list)  # keys to drop that ``rows`` does not bring back
    key: str = "asin"

    def apply_to(self, previous: pl.DataFrame | None) -> pl.DataFrame:
        """The table after this update, in memory (for metadata and figures of the whole table)."""
        if previous is None:
            return self.rows
        gone = [*self.rows[self.key].to_list(), *self.deleted]
        return pl.concat([previous.filter(~pl.col(self.key).is_in(gone)), self.rows], how="diagonal_relaxed")


def changed_keys(current: pl.DataFrame, previous: pl.DataFrame | None, key: str, value: str) -> tuple[list, list]:
    """Keys of ``current`` whose ``value`` is new or differs from ``previous``, and keys of ``previous`` that are
    no longer in ``current``; without ``previous`` every key is changed."""
    if previous is None:
        return current[key].to_list(), []
    same = current.join(previous.select(key, value), on=[key, value], how="semi")[key]
    changed = current.filter(~pl.col(key).is_in(same.implode()))[key].to_list()
    gone = previous.filter(~pl.col(key).is_in(current[key].implode()))[key].to_list()
    return changed, gone
