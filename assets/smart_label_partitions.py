"""The property partitions the smart-label assets share, and their per-property lake write."""

import polars as pl
from dagster import DynamicPartitionsDefinition

from resources.lake import LakeResource

smart_label_properties = DynamicPartitionsDefinition(name="smart_label_properties")
GROUP = "smart_labeling"
PARTITION = {"partitions_def": smart_label_properties, "group_name": GROUP, "kinds": {"sqlite", "duckdb"}}


def write_property(lake: LakeResource, table: str, frame: pl.DataFrame, prop: str) -> int:
    return lake.lake().write_partition(table, frame, "property", prop, f"{table}[{prop}]")
