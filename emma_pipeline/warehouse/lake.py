"""The versioned table store: a DuckLake (Parquet data files + a SQL catalog of snapshots).

Every write is one DuckLake transaction, so a table version is committed completely or not at all; readers
attached to the same catalog keep seeing the previous snapshot until the commit, and any earlier version stays
queryable with ``AT (VERSION => n)``. The catalog is a SQLite file by default (several processes can attach it;
a DuckDB-file catalog would lock out readers) and can be PostgreSQL; data files live on local disk or under an
``s3://`` prefix.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl
from filelock import FileLock

from emma_pipeline.warehouse.extensions import load_extension
from emma_pipeline.warehouse.keyed_update import KeyedUpdate
from emma_pipeline.warehouse.parquet_table import ParquetTable
from emma_pipeline.warehouse.readers import forget, reader_cursor

log = logging.getLogger(__name__)

LAKE_ALIAS = "lake"
_TABLES_SQL = "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1"
_RETRYABLE = ("database is locked", "conflict", "could not set lock", "busy")
# Two processes attaching a new PostgreSQL catalog at once race to create DuckLake's metadata tables; the loser's
# transaction fails on PostgreSQL's unique index (or, earlier in the race, on a table the winner just created:
# 'relation "ducklake_metadata" already exists') and succeeds when it attaches again to the initialized catalog.
_ATTACH_RETRYABLE = (*_RETRYABLE, "duplicate key value violates unique constraint", "already exists")
T = TypeVar("T")


@dataclass(frozen=True)
class LakeConfig:
    """Where the lake lives. ``catalog``: a SQLite file path, or ``postgres:<libpq dsn>``; ``data_path``: a local
    directory or ``s3://bucket/prefix``. ``s3`` holds DuckDB S3 secret options (key_id, secret, region, endpoint,
    url_style, use_ssl) for an s3:// data path."""

    catalog: str
    data_path: str
    s3: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def under(home: str | Path) -> LakeConfig:
        home = Path(home)
        return LakeConfig(catalog=str(home / "lake" / "catalog.sqlite"), data_path=str(home / "lake" / "data"))

    def attach_sql(self, read_only: bool = False) -> str:
        if self.catalog.startswith("postgres:"):
            target = f"ducklake:{self.catalog}"
        else:
            target = f"ducklake:sqlite:{Path(self.catalog).as_posix()}"
        data_path = self.data_path if "://" in self.data_path else Path(self.data_path).as_posix() + "/"
        options = [f"DATA_PATH {_quote(data_path)}"]
        if read_only:
            options.append("READ_ONLY")
        return f"ATTACH {_quote(target)} AS {LAKE_ALIAS} ({', '.join(options)})"

    def setup_sql(self) -> list[str]:
        """Statements (after extensions are loaded) that make a fresh DuckDB session see the lake."""
        statements = []
        if self.data_path.startswith("s3://"):
            opts = ", ".join(f"{k.upper()} {_quote(str(v))}" for k, v in sorted(self.s3.items()))
            statements.append(f"CREATE OR REPLACE SECRET emma_s3 (TYPE s3{', ' + opts if opts else ''})")
        return statements


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"invalid table name {name!r}: use letters, digits and underscores")
    return f'"{name}"'


def required_extensions(config: LakeConfig) -> list[str]:
    exts = ["ducklake"]
    exts.append("postgres_scanner" if config.catalog.startswith("postgres:") else "sqlite_scanner")
    if config.data_path.startswith("s3://"):
        exts.append("httpfs")
    return exts


def with_retries(fn: Callable[[], T], attempts: int = 30, base_delay: float = 0.05, markers=_RETRYABLE) -> T:
    """Run ``fn`` again when the catalog is busy (another process committing) or DuckLake reports a conflict it
    could not resolve itself (e.g. two replaces of one table); other errors propagate."""
    for attempt in range(attempts):
        try:
            return fn()
        except duckdb.Error as exc:
            message = str(exc).lower()
            if attempt == attempts - 1 or not any(marker in message for marker in markers):
                raise
            log.info("lake retry %d/%d after: %s", attempt + 1, attempts - 1, str(exc).splitlines()[0][:300])
            time.sleep(min(2.0, base_delay * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


class Lake:
    """A handle on one lake: reads share one attached session per process (``readers``), writes open a
    connection per operation."""

    def __init__(self, config: LakeConfig):
        self.config = config
        if "://" not in config.data_path:
            Path(config.data_path).mkdir(parents=True, exist_ok=True)
        if not config.catalog.startswith("postgres:"):
            Path(config.catalog).parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A session attached to the lake: for reads a cursor of this process's shared read-only session
        (``readers``), for writes a connection of its own."""
        local = not self.config.catalog.startswith("postgres:")
        if read_only and local and not Path(self.config.catalog).exists():
            raise FileNotFoundError(f"no lake catalog at {self.config.catalog}: run `emma build` first (or set EMMA_HOME)")
        if read_only:
            key = self._reader_key()
            con = reader_cursor(key, lambda: self._attach(read_only=True))
            try:
                con.execute(f"USE {LAKE_ALIAS}")
                yield con
            except (duckdb.ConnectionException, duckdb.IOException, duckdb.InternalException, duckdb.FatalException):
                forget(key)  # a session that may be broken (catalog gone, I/O failure) is not handed out again
                raise
            finally:
                con.close()
            return
        if local:
            _ensure_wal_catalog(Path(self.config.catalog))
        con = self._attach(read_only=False)
        try:
            yield con
        finally:
            con.close()

    def _attach(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        try:
            for ext in required_extensions(self.config):
                load_extension(con, ext)
            for statement in self.config.setup_sql():
                con.execute(statement)
            with_retries(lambda: con.execute(self.config.attach_sql(read_only=read_only)), markers=_ATTACH_RETRYABLE)
            con.execute(f"USE {LAKE_ALIAS}")
        except BaseException:
            con.close()
            raise
        return con

    def _reader_key(self) -> tuple:
        """What the shared read session is keyed on: the settings and, for a SQLite catalog, the time DuckLake
        created it (its first snapshot): a lake deleted and made again at the same path is another lake, even
        when the file system hands the new file the old one's inode."""
        identity = None
        if not self.config.catalog.startswith("postgres:"):
            identity = _catalog_birth(self.config.catalog)
        return (self.config.catalog, self.config.data_path, tuple(sorted(self.config.s3.items())), identity)

    # --- writes -------------------------------------------------------------------------------------------
    def write_table(self, name: str, frame: pl.DataFrame, message: str = "") -> int:
        """Replace ``name`` with ``frame`` as one new version; returns the snapshot id."""
        table = _ident(name)

        def body(con: duckdb.DuckDBPyConnection) -> None:
            con.execute(f"CREATE OR REPLACE TABLE {LAKE_ALIAS}.{table} AS SELECT * FROM _frame")

        return self._transaction({"_frame": frame}, body, message or f"replace {name}")

    def write_tables(self, frames: Mapping[str, pl.DataFrame], message: str = "") -> int:
        """Replace every table in ``frames`` in one transaction, so one snapshot: a reader sees all the new
        versions or none of them (a stage's outputs that only make sense together). Returns the snapshot id."""
        tables = {f"_frame_{i}": (_ident(name), frame) for i, (name, frame) in enumerate(frames.items())}

        def body(con: duckdb.DuckDBPyConnection) -> None:
            for view, (table, _) in tables.items():
                con.execute(f"CREATE OR REPLACE TABLE {LAKE_ALIAS}.{table} AS SELECT * FROM {view}")

        views = {view: frame for view, (_, frame) in tables.items()}
        return self._transaction(views, body, message or "replace " + ", ".join(frames))

    def write_partition(
        self, name: str, frame: pl.DataFrame | ParquetTable, column: str, value: str, message: str = ""
    ) -> int:
        """Replace the rows of ``name`` whose ``column`` equals ``value`` (idempotent re-runs of a partition).
        A ``ParquetTable`` is streamed from its file by DuckDB, never loaded whole."""
        views: dict[str, pl.DataFrame] = {}
        if isinstance(frame, ParquetTable):
            source, columns = f"read_parquet({_quote(Path(frame.path).as_posix())})", frame.schema
        else:
            source, columns, views = "_frame", frame.schema, {"_frame": frame}
        extra = "" if column in columns else f", {_quote(value)}::VARCHAR AS {_ident(column)}"
        table = _ident(name)
        col = _ident(column)

        def body(con: duckdb.DuckDBPyConnection) -> None:
            con.execute(f"CREATE TABLE IF NOT EXISTS {LAKE_ALIAS}.{table} AS SELECT *{extra} FROM {source} LIMIT 0")
            con.execute(f"DELETE FROM {LAKE_ALIAS}.{table} WHERE {col} = ?", [value])
            con.execute(f"INSERT INTO {LAKE_ALIAS}.{table} BY NAME SELECT *{extra} FROM {source}")

        return self._transaction(views, body, message or f"replace {name} where {column} = {value}")

    def update_by_key(
        self, name: str, frame: pl.DataFrame, key: str = "asin", deleted: Iterable[str] = (), message: str = ""
    ) -> int:
        """Upsert ``frame`` into ``name`` by ``key`` and drop the ``deleted`` keys, as one new version (a DELETE
        and an INSERT in one transaction): a row whose key is already there is replaced, so an updated ASIN is a
        new version of its row, never a second row. Creates the table on first use; returns the snapshot id."""
        update = KeyedUpdate(frame, list(deleted), key)
        return self.update_tables({name: update}, message or f"update {name} by {key}")

    def update_tables(self, updates: Mapping[str, KeyedUpdate], message: str = "") -> int:
        """Apply every update in one transaction, so one snapshot (tables that only make sense together, like
        ``write_tables``): each table's rows upserted by key and its deleted keys dropped, or the table replaced
        when the update is ``whole``. Returns the snapshot id."""
        views, steps = {}, []
        for i, (name, update) in enumerate(updates.items()):
            key, rows = update.key, update.rows
            if not update.whole and key not in rows.columns:
                raise ValueError(f"update of {name!r}: the frame has no key column {key!r}")
            twice = rows.filter(pl.col(key).is_duplicated())[key] if not (update.whole or update.grouped) else pl.Series([])
            if twice.len():
                raise ValueError(f"update of {name!r}: duplicate {key!r} values in the frame, e.g. {twice[0]!r}")
            views[f"_rows_{i}"] = rows
            gone_type = rows.schema[key] if key in rows.columns else pl.Utf8
            views[f"_gone_{i}"] = pl.DataFrame({key: pl.Series(update.deleted, dtype=gone_type)})
            steps.append((_ident(name), _ident(key), f"_rows_{i}", f"_gone_{i}", update.whole))

        def body(con: duckdb.DuckDBPyConnection) -> None:
            for table, col, rows, gone, whole in steps:
                if whole:
                    con.execute(f"CREATE OR REPLACE TABLE {LAKE_ALIAS}.{table} AS SELECT * FROM {rows}")
                    continue
                con.execute(f"CREATE TABLE IF NOT EXISTS {LAKE_ALIAS}.{table} AS SELECT * FROM {rows} LIMIT 0")
                replaced = f"SELECT {col} FROM {rows} UNION ALL SELECT {col} FROM {gone}"
                con.execute(f"DELETE FROM {LAKE_ALIAS}.{table} WHERE {col} IN ({replaced})")
                con.execute(f"INSERT INTO {LAKE_ALIAS}.{table} BY NAME SELECT * FROM {rows}")

        return self._transaction(views, body, message or "update " + ", ".join(updates))

    def _transaction(self, frames: Mapping[str, pl.DataFrame], body: Callable, message: str) -> int:
        """Run ``body`` with each frame registered under its key, commit as one snapshot, return its id."""
        arrows = {view: _storable(frame).to_arrow() for view, frame in frames.items()}

        def attempt() -> int:
            with self.connect() as con:
                for view, arrow in arrows.items():
                    con.register(view, arrow)
                con.execute("BEGIN TRANSACTION")
                try:
                    body(con)
                    con.execute(f"CALL {LAKE_ALIAS}.set_commit_message('emma', ?)", [message])
                    con.execute("COMMIT")
                except BaseException:
                    _rollback_quietly(con)
                    raise
                # this connection's own commit: current_snapshot() would give another writer's later commit
                own = con.execute(f"SELECT id FROM {LAKE_ALIAS}.last_committed_snapshot()").fetchone()[0]
                if own is None:  # the body changed nothing (an update by key with nothing to do): no new snapshot
                    own = con.execute(f"SELECT id FROM {LAKE_ALIAS}.current_snapshot()").fetchone()[0]
                return own

        with self._writer_lock():
            return with_retries(attempt)

    def _writer_lock(self) -> FileLock | nullcontext:
        """One writer at a time on a SQLite catalog: DuckLake's optimistic commits from several processes can fail
        on SQLite in ways a retry does not cure, and writes are short next to the work that produces them.
        A PostgreSQL catalog handles concurrent writers itself (conflicts are retried)."""
        if self.config.catalog.startswith("postgres:"):
            return nullcontext()
        return FileLock(self.config.catalog + ".writer.lock")

    # --- reads --------------------------------------------------------------------------------------------
    def read(
        self, name: str, version: int | None = None, where: str = "", params: list | None = None,
        columns: list[str] | None = None,
    ) -> pl.DataFrame:  # fmt: skip
        """``name`` at ``version`` (default: the newest), only ``columns`` when given, rows matching ``where``."""
        sql = _select_sql(name, version, columns, where)
        with self.connect(read_only=True) as con:
            return with_retries(lambda: con.execute(sql, params or []).pl())

    def read_if_exists(self, name: str, version: int | None = None, columns: list[str] | None = None) -> pl.DataFrame | None:
        """``read`` of ``name``, or None when the lake has no such table: one connection for both (a connection
        attaches the catalog, a few hundred milliseconds on a large lake)."""
        sql = _select_sql(name, version, columns)

        def read(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
            if name not in {r[0] for r in con.execute(_TABLES_SQL, [LAKE_ALIAS]).fetchall()}:
                return None
            return con.execute(sql).pl()

        with self.connect(read_only=True) as con:
            return with_retries(lambda: read(con))

    def read_together(self, names: list[str]) -> tuple[int, dict[str, pl.DataFrame | None]]:
        """The current version of each table in ``names`` as of one snapshot (None for a table not in it), and
        that snapshot's id: tables written together are read together, even while a writer commits."""

        def read_all() -> tuple[int, dict[str, pl.DataFrame | None]]:
            with self.connect(read_only=True) as con:
                con.execute("BEGIN TRANSACTION")  # one consistent view of the catalog for every statement
                snapshot = con.execute(f"SELECT id FROM {LAKE_ALIAS}.current_snapshot()").fetchone()[0]
                present = {r[0] for r in con.execute(_TABLES_SQL, [LAKE_ALIAS]).fetchall()}
                frames = {
                    name: con.execute(f"SELECT * FROM {LAKE_ALIAS}.{_ident(name)} AT (VERSION => {int(snapshot)})").pl()
                    if name in present else None
                    for name in names
                }  # fmt: skip
                con.execute("COMMIT")
                return snapshot, frames

        return with_retries(read_all)

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        with self.connect(read_only=True) as con:
            return with_retries(lambda: con.execute(sql, params or []).pl())

    def tables(self) -> list[str]:
        with self.connect(read_only=True) as con:
            rows = con.execute(_TABLES_SQL, [LAKE_ALIAS]).fetchall()
        return [r[0] for r in rows]

    def exists(self, name: str) -> bool:
        return name in self.tables()

    def versions(self, name: str) -> pl.DataFrame:
        """Snapshots that changed ``name`` (newest last): snapshot_id, snapshot_time, commit_message."""
        sql = f"""
            WITH ids AS (
                SELECT DISTINCT CAST(table_id AS VARCHAR) AS table_id
                FROM __ducklake_metadata_{LAKE_ALIAS}.ducklake_table WHERE table_name = ?
            )
            SELECT s.snapshot_id, s.snapshot_time, s.commit_message
            FROM {LAKE_ALIAS}.snapshots() s
            WHERE EXISTS (
                SELECT 1 FROM (SELECT unnest(map_values(s.changes)) AS vals) v, unnest(v.vals) AS u(val)
                WHERE u.val = ? OR u.val = 'main.' || ? OR u.val IN (SELECT table_id FROM ids)
            )
            ORDER BY s.snapshot_id
        """
        return self.query(sql, [name, name, name])


def _select_sql(name: str, version: int | None, columns: list[str] | None, where: str = "") -> str:
    at = f" AT (VERSION => {int(version)})" if version is not None else ""
    selected = ", ".join(_ident(c) for c in columns) if columns else "*"
    return f"SELECT {selected} FROM {LAKE_ALIAS}.{_ident(name)}{at}" + (f" WHERE {where}" if where else "")


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """A failed COMMIT has already ended the transaction; only roll back one that is still open."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def _catalog_birth(path: str) -> str:
    """The creation time DuckLake recorded in a SQLite catalog (snapshot 0), read without attaching it."""
    try:
        with closing(sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, timeout=30)) as db:
            row = db.execute("SELECT snapshot_time FROM ducklake_snapshot WHERE snapshot_id = 0").fetchone()
    except sqlite3.Error:
        row = None  # not initialized yet (an empty file): a key of its own, attached again once it is
    stat = os.stat(path)
    return f"{stat.st_ino}:{row[0] if row else 'new'}"


def _ensure_wal_catalog(path: Path) -> None:
    """Put the SQLite catalog in WAL mode (persistent in the file): in SQLite's default journal mode an analyst
    holding a read transaction open blocks every commit; in WAL mode readers and the writer never block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=30)) as db:
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")


def _storable(frame: pl.DataFrame) -> pl.DataFrame:
    """Types DuckLake can store: all-null columns of unknown type become text, fixed-size arrays (embeddings)
    become lists (DuckLake has no ARRAY type)."""
    casts = []
    for column, dtype in frame.schema.items():
        if dtype == pl.Null:
            casts.append(pl.col(column).cast(pl.Utf8))
        elif isinstance(dtype, pl.Array):
            casts.append(pl.col(column).arr.to_list())
    return frame.with_columns(casts) if casts else frame
