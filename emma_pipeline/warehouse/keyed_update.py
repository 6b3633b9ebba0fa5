"""An asset output that changes a table by key instead of replacing it: the rows a batch touched, and the keys
that left. The lake IO manager applies it with ``Lake.update_tables`` (one snapshot); downstream reads still see
the whole table."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class KeyedUpdate:
    rows: pl.DataFrame  # new and changed rows, whole (every column of the table)
    deleted: list[str] = field(default_factory=list)  # keys to drop that ``rows`` does not bring back
    key: str = "asin"
    whole: bool = False  # ``rows`` is the whole table: replace it (first write, changed columns, repeated keys)
    grouped: bool = False  # several rows per key (e.g. one per model): a key's rows are replaced together

    def apply_to(self, previous: pl.DataFrame | None) -> pl.DataFrame:
        """The table after this update, in memory (for metadata and figures of the whole table)."""
        if previous is None or self.whole:
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
    return changed, _gone(current, previous, key)


def changed_rows(current: pl.DataFrame, previous: pl.DataFrame | None, key: str = "asin") -> KeyedUpdate:
    """The update that turns ``previous`` into ``current``: the rows of ``current`` that are new or differ from
    ``previous`` in any column (nulls equal nulls), and the keys of ``previous`` that left. Without ``previous``,
    when its columns differ or when a key repeats, the update is ``whole``: ``current`` replaces the table."""
    if previous is None or set(previous.columns) != set(current.columns) or _repeats(current, key) or _repeats(previous, key):
        return KeyedUpdate(current, key=key, whole=True)
    values = [c for c in current.columns if c != key]
    # a column the lake stored from an all-null frame column came back typed: compare in the stored type
    current = current.with_columns(pl.col(c).cast(previous.schema[c]) for c in values if current.schema[c] == pl.Null)
    old = previous.select(key, *[pl.col(c).cast(current.schema[c]).alias(f"{c}__previous") for c in values])
    joined = current.join(old, on=key, how="left", maintain_order="left")
    equal = [pl.col(c).eq_missing(pl.col(f"{c}__previous")) for c in values]
    unchanged = pl.col(key).is_in(previous[key].implode()) & pl.all_horizontal(equal or [pl.lit(True)])
    keep = joined.select(unchanged.alias("unchanged"))["unchanged"]
    return KeyedUpdate(current.filter(~keep), _gone(current, previous, key), key)


def changed_groups(current: pl.DataFrame, previous: pl.DataFrame | None, group: str, key: list[str]) -> KeyedUpdate:
    """Like ``changed_rows`` for a table with several rows per ``group`` value (``key``: what makes a row unique,
    e.g. asin + model): every row of a group in which any row is new, differs or left is written again."""
    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.concat_str([pl.col(c).cast(pl.Utf8) for c in key], separator="\x1f").alias("__row"))

    if previous is None or set(previous.columns) != set(current.columns):
        return KeyedUpdate(current, key=group, whole=True, grouped=True)
    rows = changed_rows(keyed(current), keyed(previous), "__row")
    if rows.whole:
        return KeyedUpdate(current, key=group, whole=True, grouped=True)
    left = previous.filter(keyed(previous)["__row"].is_in(rows.deleted))[group]
    touched = set(rows.rows[group].to_list()) | set(left.to_list())
    still = set(current[group].to_list())
    return KeyedUpdate(current.filter(pl.col(group).is_in(list(touched))), sorted(touched - still), group, grouped=True)


def _repeats(frame: pl.DataFrame, key: str) -> bool:
    return frame[key].n_unique() != frame.height


def _gone(current: pl.DataFrame, previous: pl.DataFrame, key: str) -> list:
    return previous.filter(~pl.col(key).is_in(current[key].implode()))[key].to_list()
