"""Read the tables an export needs as of one lake snapshot (the latest, or one given), in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from emma_pipeline.warehouse.lake import LAKE_ALIAS, Lake, with_retries

DATASET = "dataset"
METRICS_TABLES = ("generation_metrics", "model_metrics")  # every generation's models; generation 1's
TABLES = (DATASET, "objects", "image_fetches", "material_taxonomy", "category_tree", *METRICS_TABLES)


class ExportError(Exception):
    """The lake cannot be exported as asked (no lake, no ``dataset`` table, an unknown snapshot)."""


@dataclass(frozen=True)
class LakeState:
    snapshot: int
    frames: dict[str, pl.DataFrame | None]  # None: the table does not exist at the snapshot
    written_at: dict[str, int]  # table -> the last snapshot <= ``snapshot`` that wrote it


def latest_snapshot(lake: Lake) -> int:
    """The lake's current snapshot id (export that one explicitly, so a commit meanwhile changes nothing)."""
    try:
        with lake.connect(read_only=True) as con:
            return int(con.execute(f"SELECT id FROM {LAKE_ALIAS}.current_snapshot()").fetchone()[0])
    except FileNotFoundError as exc:
        raise ExportError(f"{exc}; nothing to export") from exc


def read_state(lake: Lake, snapshot: int | None = None, names: tuple[str, ...] = TABLES) -> LakeState:
    try:
        state = with_retries(lambda: _read(lake, snapshot, names))
    except FileNotFoundError as exc:
        raise ExportError(f"{exc}; nothing to export") from exc
    if state.frames.get(DATASET) is None:
        at = f"at snapshot {state.snapshot}" if state.snapshot else "(it has no snapshot yet)"
        raise ExportError(f"the lake has no `{DATASET}` table {at}: build it first (`emma build` runs the "
                          f"generation-2 fill-in that writes it)")  # fmt: skip
    return state


def _read(lake: Lake, snapshot: int | None, names: tuple[str, ...]) -> LakeState:
    with lake.connect(read_only=True) as con:
        con.execute("BEGIN TRANSACTION")
        ids = [r[0] for r in con.execute(f"SELECT snapshot_id FROM {LAKE_ALIAS}.snapshots() ORDER BY 1").fetchall()]
        latest = con.execute(f"SELECT id FROM {LAKE_ALIAS}.current_snapshot()").fetchone()[0]
        if snapshot is None:
            snapshot = latest
        elif snapshot not in ids:
            kept = f"{ids[0]}..{ids[-1]}" if ids else "none"
            raise ExportError(f"snapshot {snapshot} is not in the lake (snapshots kept: {kept}; expired ones cannot be read)")
        frames = {name: _table_at(con, name, snapshot) for name in names}
        written = {name: _written_at(con, name, snapshot) for name in names if frames[name] is not None}
        con.execute("COMMIT")
    return LakeState(snapshot=int(snapshot), frames=frames, written_at={k: v for k, v in written.items() if v is not None})


def _table_at(con: duckdb.DuckDBPyConnection, name: str, snapshot: int) -> pl.DataFrame | None:
    try:
        return con.execute(f'SELECT * FROM {LAKE_ALIAS}."{name}" AT (VERSION => {int(snapshot)})').pl()
    except duckdb.CatalogException as exc:
        if "does not exist" in str(exc):
            return None
        raise


def _written_at(con: duckdb.DuckDBPyConnection, name: str, snapshot: int) -> int | None:
    """The last snapshot <= ``snapshot`` whose changes name the table (created, inserted into, deleted from)."""
    rows = con.execute(
        f"""
        WITH ids AS (SELECT DISTINCT CAST(table_id AS VARCHAR) AS id
                     FROM __ducklake_metadata_{LAKE_ALIAS}.ducklake_table WHERE table_name = ?)
        SELECT max(s.snapshot_id) FROM {LAKE_ALIAS}.snapshots() s
        WHERE s.snapshot_id <= ? AND EXISTS (
            SELECT 1 FROM (SELECT unnest(map_values(s.changes)) AS vals) v, unnest(v.vals) AS u(val)
            WHERE u.val = ? OR u.val = 'main.' || ? OR u.val IN (SELECT id FROM ids))
        """,
        [name, snapshot, name, name],
    ).fetchone()  # fmt: skip
    return rows[0] if rows else None
