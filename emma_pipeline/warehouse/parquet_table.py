"""A table written in pieces to local Parquet files, for outputs too large to hold in memory at once.

A producer (the ingestion assets) writes each chunk as it is made (``ParquetTableWriter.write``) and hands the
closed ``ParquetTable`` to the IO manager, which inserts it into the lake in one transaction (DuckDB streams the
files), so peak memory is a few chunks however large the batch, and a materialization is still one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class ParquetTable:
    path: str
    schema: dict[str, pl.DataType]
    row_count: int

    def head(self, rows: int) -> pl.DataFrame:
        return pl.scan_parquet(self.path).head(rows).collect()


class ParquetTableWriter:
    """Appends frames of one schema to ``path`` (row group per frame); ``close`` gives the table."""

    def __init__(self, path: str | Path, schema: dict[str, pl.DataType]) -> None:
        self.path, self.schema, self.rows = str(path), dict(schema), 0
        self._arrow_schema = pl.DataFrame(schema=self.schema).to_arrow().schema
        self._writer = pq.ParquetWriter(self.path, self._arrow_schema)

    def write(self, frame: pl.DataFrame) -> None:
        if list(frame.schema.items()) != list(self.schema.items()):
            raise ValueError(f"{self.path}: frame schema {frame.schema} is not the table's {self.schema}")
        if frame.height:
            self._writer.write_table(pa.Table.from_batches(frame.to_arrow().to_batches(), self._arrow_schema))
            self.rows += frame.height

    def close(self) -> ParquetTable:
        self._writer.close()
        return ParquetTable(self.path, self.schema, self.rows)
