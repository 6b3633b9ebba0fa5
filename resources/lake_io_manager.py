"""IO manager persisting every asset output as a new version of a DuckLake table named after the asset."""

from __future__ import annotations

from collections.abc import Sequence

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
        how = "whole" if update.whole else f"{update.rows.height} rows by {update.key}"
        message = f"{table} by {_run_label(context)}: {how}"
        snapshot = lake.update_tables({table: update}, message)
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
        missing = FileNotFoundError(f"table '{table}' is not in the lake yet: materialize asset '{table}' (or its partitions) first")
        if not context.has_asset_partitions:
            frame = lake.read_if_exists(table, version=recorded_snapshot(context, None))
            if frame is None:
                raise missing
            return frame
        if not lake.exists(table):
            raise missing
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
    return _snapshot(_record(instance, asset_key, partition))


def recorded_metadata(instance: DagsterInstance, table: str, name: str) -> object | None:
    """The value of metadata entry ``name`` on the latest materialization of ``table``, or None."""
    record = _record(instance, AssetKey(table))
    value = record.asset_materialization.metadata.get(name) if record else None
    return value.value if value is not None else None


def read_committed(lake: Lake, instance: DagsterInstance, table: str, columns: list[str] | None = None) -> pl.DataFrame:
    """``table`` as its latest materialization committed it: at the snapshot that recorded, per partition for a
    partitioned table (each batch's rows at its own snapshot). What a check compares, never a newer write."""
    key = AssetKey(table)
    partitions = sorted(instance.get_materialized_partitions(key))
    if not partitions:
        return lake.read(table, version=snapshot_of(instance, key), columns=columns)
    return read_partitions(lake, table, {p: snapshot_of(instance, key, p) for p in partitions}, columns)


INPUT_POINTER_TAG = "dagster/input_event_pointer/"  # Dagster's provenance tag: storage id of each input's event read


def read_as_read_by(lake: Lake, instance: DagsterInstance, table: str, read_by: str | Sequence[str],
                    columns: list[str] | None = None, partition: str | None = None) -> pl.DataFrame:  # fmt: skip
    """``table`` as the latest materialization of ``read_by`` (of ``partition``) read it, not as it is now: Dagster
    tags a materialization with the storage id of each input's materialization it read
    (``dagster/input_event_pointer/<input>``), and that event's ``lake_snapshot`` is the version loaded. A chain
    (``("dataset", "filled_gen2")``) follows the tags through assets in between. A partitioned ``table``: each batch
    at its latest materialization up to that event (batches that came later are left out). Without a tag (not a
    recorded input, or materialized outside a run) ``read_committed``: the newest committed version.
    The gap left: Dagster takes the pointer when the step starts and ``load_input`` reads the input's latest
    materialization moments later, so an input committed in between is compared at the older version."""
    pointer = input_pointer(instance, [read_by] if isinstance(read_by, str) else list(read_by), table, partition)
    if pointer is None:
        return read_committed(lake, instance, table, columns)
    key = AssetKey(table)
    partitions = sorted(instance.get_materialized_partitions(key, before_cursor=pointer + 1))
    if not partitions:
        return lake.read(table, version=_snapshot(_record(instance, key, storage_id=pointer)), columns=columns)
    snapshots = {p: _snapshot(_record(instance, key, p, before=pointer + 1)) for p in partitions}
    return read_partitions(lake, table, snapshots, columns)


def input_pointer(instance: DagsterInstance, chain: list[str], table: str, partition: str | None = None) -> int | None:
    """Storage id of ``table``'s materialization that the latest materialization of ``chain[0]`` read, through
    the materializations of ``chain[1:]`` it read; None where a link has no recorded pointer."""
    record = _record(instance, AssetKey(chain[0]), partition)
    for upstream in [*chain[1:], table]:
        tag = record.asset_materialization.tags.get(INPUT_POINTER_TAG + AssetKey(upstream).to_user_string()) if record else None
        if tag is None or not tag.isdigit():  # "NULL": the input had never been materialized
            return None
        if upstream == table:
            return int(tag)
        record = _record(instance, AssetKey(upstream), storage_id=int(tag))
    return None


def _record(instance: DagsterInstance, key: AssetKey, partition: str | None = None, before: int | None = None,
            storage_id: int | None = None):  # fmt: skip
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[partition] if partition else None, before_storage_id=before,
                           storage_ids=[storage_id] if storage_id is not None else None), limit=1,
    ).records  # fmt: skip
    return records[0] if records and records[0].asset_materialization is not None else None


def _snapshot(record) -> int | None:
    value = record.asset_materialization.metadata.get("lake_snapshot") if record else None
    return int(value.value) if value is not None else None


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
