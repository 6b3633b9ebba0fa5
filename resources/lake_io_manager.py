"""IO manager persisting every asset output as a new version of a DuckLake table named after the asset."""

from __future__ import annotations

import polars as pl
from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    ConfigurableIOManager,
    DagsterInvariantViolationError,
    InputContext,
    MetadataValue,
    OutputContext,
    TableColumn,
    TableSchema,
)

from emma_pipeline.warehouse.keyed_update import KeyedUpdate
from emma_pipeline.warehouse.lake import Lake
from emma_pipeline.warehouse.parquet_table import ParquetTable
from resources.lake import LakeResource

PARTITION_COLUMN = "batch"
PREVIEW_ROWS = 10


class DuckLakeIOManager(ConfigurableIOManager):
    """Polars frames in, Polars frames out. Partitioned assets replace only their own partition's rows
    (column ``batch``), so re-running a partition is idempotent; every write is one lake snapshot."""

    lake_resource: LakeResource

    def lake(self) -> Lake:
        return self.lake_resource.lake()

    def handle_output(self, context: OutputContext, obj: pl.DataFrame | ParquetTable | KeyedUpdate) -> None:
        """A ``ParquetTable`` (a large output its asset wrote in chunks) is streamed into the lake, also as one
        snapshot; only partitioned assets produce them. A ``KeyedUpdate`` (an incremental stage's touched rows)
        replaces only those rows, by key."""
        if isinstance(obj, KeyedUpdate):
            return self._update_by_key(context, obj)
        if isinstance(obj, ParquetTable) and not context.has_asset_partitions:
            raise TypeError(f"{context.asset_key.to_user_string()}: a ParquetTable output must be partitioned")
        if not isinstance(obj, pl.DataFrame | ParquetTable):
            raise TypeError(f"{context.asset_key.to_user_string()}: expected a polars DataFrame, got {type(obj)}")
        table = context.asset_key.path[-1]
        lake = self.lake()
        run = _run_label(context)
        if context.has_asset_partitions:
            batch = context.asset_partition_key
            snapshot = lake.write_partition(table, obj, PARTITION_COLUMN, batch, f"{table}[{batch}] by {run}")
        else:
            snapshot = lake.write_table(table, obj, f"{table} by {run}")
        context.add_output_metadata(output_metadata(table, obj, snapshot))

    def _update_by_key(self, context: OutputContext, update: KeyedUpdate) -> None:
        table = context.asset_key.path[-1]
        lake = self.lake()
        message = f"{table} by {_run_label(context)}: {update.rows.height} rows by {update.key}"
        snapshot = lake.update_by_key(table, update.rows, update.key, update.deleted, message)
        rows = lake.query(f'SELECT count(*) AS n FROM "{table}" AT (VERSION => {int(snapshot)})')["n"][0]
        metadata = output_metadata(table, update.rows, snapshot)
        metadata.update({"row_count": rows, "dagster/row_count": rows, "rows_updated": update.rows.height,
                         "rows_deleted": len(update.deleted)})  # fmt: skip
        context.add_output_metadata(metadata)

    def load_input(self, context: InputContext) -> pl.DataFrame:
        """The upstream table at the snapshot its latest materialization recorded (per partition for partitioned
        inputs), not at the newest version: every input of a step is the version Dagster shows, even while
        another run is committing a newer one. Without a recorded snapshot the newest version is read."""
        table = context.upstream_output.asset_key.path[-1] if context.upstream_output else context.asset_key.path[-1]
        lake = self.lake()
        if not lake.exists(table):
            raise FileNotFoundError(
                f"table '{table}' is not in the lake yet: materialize asset '{table}' (or its partitions) first"
            )
        if not context.has_asset_partitions:
            return lake.read(table, version=recorded_snapshot(context, None))
        keys = list(context.asset_partition_keys)
        if not keys:
            return lake.read(table, where="false")
        return read_partitions(lake, table, {key: recorded_snapshot(context, key) for key in keys})


def recorded_snapshot(context: InputContext, partition: str | None) -> int | None:
    """``lake_snapshot`` of the upstream asset's latest materialization (of ``partition``), or None."""
    try:
        instance = context.instance
    except DagsterInvariantViolationError:  # an InputContext built outside a run (tests, direct calls)
        return None
    return snapshot_of(instance, context.asset_key, partition)


def snapshot_of(instance: DagsterInstance, asset_key: AssetKey, partition: str | None = None) -> int | None:
    """``lake_snapshot`` recorded by the latest materialization of ``asset_key`` (of ``partition``), or None."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=asset_key, asset_partitions=[partition] if partition else None), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    value = records[0].asset_materialization.metadata.get("lake_snapshot")
    return int(value.value) if value is not None else None


def read_committed(lake: Lake, instance: DagsterInstance, table: str, columns: list[str] | None = None) -> pl.DataFrame:
    """``table`` as its latest materialization committed it: at the snapshot that recorded, per partition for a
    partitioned table (each batch's rows at its own snapshot). What a check compares, never a newer write."""
    key = AssetKey(table)
    partitions = sorted(instance.get_materialized_partitions(key))
    if not partitions:
        return lake.read(table, version=snapshot_of(instance, key), columns=columns)
    return read_partitions(lake, table, {p: snapshot_of(instance, key, p) for p in partitions}, columns)


def read_partitions(
    lake: Lake, table: str, snapshots: dict[str, int | None], columns: list[str] | None = None
) -> pl.DataFrame:
    """The rows of each partition (``batch``) in ``snapshots`` at that partition's snapshot (None: the newest),
    one read per distinct snapshot."""
    by_snapshot: dict[int | None, list[str]] = {}
    for partition, snapshot in snapshots.items():
        by_snapshot.setdefault(snapshot, []).append(partition)
    where = f'"{PARTITION_COLUMN}" IN (SELECT unnest(?))'
    frames = [lake.read(table, version=v, where=where, params=[p], columns=columns) for v, p in by_snapshot.items()]
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")


def output_metadata(table: str, frame: pl.DataFrame | ParquetTable, snapshot: int) -> dict:
    """What every lake-backed materialization records: the table, its snapshot (what downstream reads load),
    row count, schema, a preview and the query that shows this version."""
    rows = frame.row_count if isinstance(frame, ParquetTable) else frame.height
    head = frame.head(PREVIEW_ROWS)
    return {
        "table": table,
        "lake_snapshot": snapshot,
        "row_count": rows,
        "dagster/row_count": rows,
        "dagster/column_schema": table_schema(head),
        "preview": MetadataValue.md(markdown_preview(head)),
        "query": MetadataValue.md(f"`emma sql \"SELECT * FROM {table} AT (VERSION => {snapshot}) LIMIT 10\"`"),
    }


def _run_label(context: OutputContext) -> str:
    try:
        return f"run {context.run_id}"
    except DagsterInvariantViolationError:  # an OutputContext built outside a run (tests, direct calls)
        return "outside a run"


def table_schema(frame: pl.DataFrame) -> TableSchema:
    return TableSchema(columns=[TableColumn(name=name, type=str(dtype)) for name, dtype in frame.schema.items()])


def markdown_preview(frame: pl.DataFrame, rows: int = PREVIEW_ROWS, width: int = 60) -> str:
    """The first rows as a markdown table, long cells shortened so the UI stays readable."""
    head = frame.head(rows).with_columns(
        pl.all().map_elements(lambda v: _short(v, width), return_dtype=pl.Utf8, skip_nulls=False)
    )
    header = "| " + " | ".join(head.columns) + " |"
    rule = "| " + " | ".join("---" for _ in head.columns) + " |"
    body = ["| " + " | ".join(row) + " |" for row in head.iter_rows()]
    return "\n".join([header, rule, *body])


def _short(value: object, width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, pl.Series):
        value = value.to_list()
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
