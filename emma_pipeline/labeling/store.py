"""The durable label store: one SQLite file in WAL mode beside the lake.

Every change (a label, a feature, a decision, a property) is one transaction that also records the client's request
id, so a request sent twice (a retry after a timeout, a double click, a reload) changes nothing the second time and
a server killed mid-request leaves either the whole change or none of it. Labels are never updated in place: each
click appends a row with who, when and the mode it came from; the current label of an object is its latest row
(``value`` NULL clears it). Each property carries a ``version`` that every change increments: the model and the
materialized ``smart_labels`` record it, and the sensor re-materializes a property when it moves.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from emma_pipeline.labeling._schema import SCHEMA
from emma_pipeline.labeling.keywords import validate_feature

PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
REQUEST_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")
MODES = ("word-search", "active-learning", "correction", "review", "more-like-this", "verify", "test-set", "import")


class LabelStoreError(ValueError):
    """A request the store refuses (unknown property, bad name, bad value); the message says why."""


@dataclass(frozen=True)
class Property:
    name: str
    definition: str
    notes: str
    preset: str | None
    version: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class LabelStore:
    """Thread-safe: one short-lived connection per operation; SQLite serializes writers (``BEGIN IMMEDIATE``)."""

    def __init__(self, path: str | Path, before_commit: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._before_commit = before_commit  # test hook: called inside the transaction, just before COMMIT
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA synchronous=FULL")  # a committed label survives a power cut, not only a crash
            db.row_factory = sqlite3.Row
            yield db

    @contextmanager
    def _write(self, request_id: str, kind: str, prop: str | None) -> Iterator[tuple[sqlite3.Connection, dict | None, dict]]:
        """A write transaction; yields (db, previous response or None, out). When previous is None the caller
        writes and fills ``out`` (the response); the request id and response are recorded in the same
        transaction, and the property's version moves."""
        if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
            raise LabelStoreError("request_id must be 8-80 characters of letters, digits, '_', '.', ':' or '-'")
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT kind, response FROM requests WHERE request_id = ?", [request_id]).fetchone()
                if row is not None:
                    if row["kind"] != kind:
                        raise LabelStoreError(f"request_id {request_id} was already used for a {row['kind']} request")
                    yield db, json.loads(row["response"]), {}
                    db.execute("ROLLBACK")
                    return
                out: dict = {}
                yield db, None, out
                if prop is not None:
                    db.execute("UPDATE properties SET version = version + 1 WHERE name = ?", [prop])
                db.execute("INSERT INTO requests VALUES (?, ?, ?, ?, ?)",
                           [request_id, kind, prop, _now(), json.dumps(out)])  # fmt: skip
                if self._before_commit:
                    self._before_commit(request_id)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    # --- properties ---------------------------------------------------------------------------------------
    def create_property(self, request_id: str, name: str, definition: str, notes: str = "", preset: str | None = None,
                        who: str = "local") -> dict:  # fmt: skip
        if not isinstance(name, str) or not PROPERTY_NAME.match(name):
            raise LabelStoreError("a property name is 1-63 lowercase letters, digits or '_', starting with a letter")
        if not isinstance(definition, str) or not definition.strip():
            raise LabelStoreError("a property needs a definition (what counts as positive)")
        with self._write(request_id, "create_property", None) as (db, previous, out):
            if previous is not None:
                return previous
            if db.execute("SELECT 1 FROM properties WHERE name = ?", [name]).fetchone():
                raise LabelStoreError(f"property {name!r} already exists")
            db.execute("INSERT INTO properties VALUES (?, ?, ?, ?, ?, ?, 1)",
                       [name, definition.strip(), notes or "", preset, who, _now()])  # fmt: skip
            out.update({"property": name, "version": 1})
        return out

    def update_property(self, request_id: str, name: str, definition: str, notes: str) -> dict:
        if not isinstance(definition, str) or not definition.strip():
            raise LabelStoreError("a property needs a definition (what counts as positive)")
        with self._write(request_id, "update_property", name) as (db, previous, out):
            if previous is not None:
                return previous
            self._require(db, name)
            db.execute("UPDATE properties SET definition = ?, notes = ? WHERE name = ?", [definition.strip(), notes or "", name])
            out.update({"property": name})
        return out

    def properties(self) -> list[Property]:
        with self._connect() as db:
            rows = db.execute("SELECT name, definition, notes, preset, version FROM properties ORDER BY name").fetchall()
        return [Property(**dict(r)) for r in rows]

    def get_property(self, name: str) -> Property:
        for prop in self.properties():
            if prop.name == name:
                return prop
        raise LabelStoreError(f"unknown property {name!r}")

    def versions(self) -> dict[str, int]:
        return {p.name: p.version for p in self.properties()}

    @staticmethod
    def _require(db: sqlite3.Connection, name: str) -> None:
        if not db.execute("SELECT 1 FROM properties WHERE name = ?", [name]).fetchone():
            raise LabelStoreError(f"unknown property {name!r}")

    # --- labels -------------------------------------------------------------------------------------------
    def add_label(self, request_id: str, prop: str, object_id: str, value: int | None, mode: str,
                  who: str = "local") -> dict:  # fmt: skip
        """Record one click: value 1 (positive), 0 (negative) or None (clear). Returns the label id and whether
        this request had already been applied."""
        if value not in (0, 1, None) or isinstance(value, bool):
            raise LabelStoreError("a label value is 1 (positive), 0 (negative) or null (clear)")
        if mode not in MODES:
            raise LabelStoreError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        if not isinstance(object_id, str) or not object_id:
            raise LabelStoreError("object_id must be a non-empty string")
        with self._write(request_id, "label", prop) as (db, previous, out):
            if previous is not None:
                return {**previous, "replayed": True}
            self._require(db, prop)
            cur = db.execute("INSERT INTO labels (property, object_id, value, who, mode, at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [prop, object_id, value, who, mode, _now(), request_id])  # fmt: skip
            out.update({"label_id": cur.lastrowid, "object_id": object_id, "value": value, "replayed": False})
        return out

    def current_labels(self, prop: str) -> dict[str, tuple[int, str]]:
        """object_id -> (value, mode) of the latest non-cleared label."""
        sql = """SELECT object_id, value, mode FROM labels l WHERE property = ? AND id = (
                     SELECT max(id) FROM labels WHERE property = l.property AND object_id = l.object_id)"""
        with self._connect() as db:
            rows = db.execute(sql, [prop]).fetchall()
        return {r["object_id"]: (r["value"], r["mode"]) for r in rows if r["value"] is not None}

    def label_history(self, prop: str | None = None) -> pl.DataFrame:
        """Every label event (oldest first) with ``is_current``: the table exported to the lake as ``labels``."""
        where, params = ("WHERE property = ?", [prop]) if prop else ("", [])
        sql = f"""SELECT id AS label_id, property, object_id, value, who, mode, at, request_id,
                         id = max(id) OVER (PARTITION BY property, object_id) AS is_current
                  FROM labels {where} ORDER BY id"""
        with self._connect() as db:
            rows = [dict(r) for r in db.execute(sql, params).fetchall()]
        schema = {"label_id": pl.Int64, "property": pl.Utf8, "object_id": pl.Utf8, "value": pl.Int8, "who": pl.Utf8,
                  "mode": pl.Utf8, "at": pl.Utf8, "request_id": pl.Utf8, "is_current": pl.Boolean}  # fmt: skip
        return pl.DataFrame(rows, schema=schema)

    # --- keyword / regex features -------------------------------------------------------------------------
    def add_feature(self, request_id: str, prop: str, kind: str, pattern: str, replaces: int | None = None) -> dict:
        """Add a feature (or, with ``replaces``, edit one: the old row is retired, the new one added)."""
        validate_feature(kind, pattern)
        with self._write(request_id, "feature", prop) as (db, previous, out):
            if previous is not None:
                return previous
            self._require(db, prop)
            if replaces is not None:
                self._retire(db, prop, replaces)
            cur = db.execute("INSERT INTO features (property, kind, pattern, created_at) VALUES (?, ?, ?, ?)",
                             [prop, kind, pattern.strip(), _now()])  # fmt: skip
            out.update({"feature_id": cur.lastrowid})
        return out

    def remove_feature(self, request_id: str, prop: str, feature_id: int) -> dict:
        with self._write(request_id, "remove_feature", prop) as (db, previous, out):
            if previous is not None:
                return previous
            self._retire(db, prop, feature_id)
            out.update({"removed": feature_id})
        return out

    @staticmethod
    def _retire(db: sqlite3.Connection, prop: str, feature_id: int) -> None:
        cur = db.execute("UPDATE features SET removed_at = ? WHERE id = ? AND property = ? AND removed_at IS NULL",
                         [_now(), feature_id, prop])  # fmt: skip
        if cur.rowcount != 1:
            raise LabelStoreError(f"no active feature {feature_id} on property {prop!r}")

    def features(self, prop: str) -> list[tuple[int, str, str]]:
        """Active features as (id, kind, pattern), oldest first (the model's column order)."""
        with self._connect() as db:
            rows = db.execute("SELECT id, kind, pattern FROM features WHERE property = ? AND removed_at IS NULL ORDER BY id",
                              [prop]).fetchall()  # fmt: skip
        return [(r["id"], r["kind"], r["pattern"]) for r in rows]

    # --- decision log -------------------------------------------------------------------------------------
    def add_decision(self, request_id: str, prop: str, text: str, who: str = "local") -> dict:
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            raise LabelStoreError("a decision is 1-2000 characters of text")
        with self._write(request_id, "decision", prop) as (db, previous, out):
            if previous is not None:
                return previous
            self._require(db, prop)
            cur = db.execute("INSERT INTO decisions (property, text, who, at) VALUES (?, ?, ?, ?)", [prop, text.strip(), who, _now()])
            out.update({"decision_id": cur.lastrowid})
        return out

    def decisions(self, prop: str) -> list[dict]:
        with self._connect() as db:
            rows = db.execute("SELECT id, text, who, at FROM decisions WHERE property = ? ORDER BY id DESC", [prop]).fetchall()
        return [dict(r) for r in rows]
