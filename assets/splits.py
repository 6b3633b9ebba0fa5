"""Train / val / test / calibration splits, stable across rebuilds (an ASIN keeps its split)."""

import polars as pl
from dagster import AutomationCondition, Output, asset

from emma_pipeline.embeddings import as_matrix
from emma_pipeline.splits import SplitConfig, assign_splits
from resources.lake import LakeResource


@asset(group_name="splits", kinds={"duckdb"}, automation_condition=AutomationCondition.eager())
def splits(objects: pl.DataFrame, text_embeddings: pl.DataFrame, lake: LakeResource) -> Output[pl.DataFrame]:
    """Val and test only from complete objects (all attributes, >1 image, >1 review), none within a looser text
    distance of a train object; calibration from objects with materials; earlier assignments are kept."""
    vectors = as_matrix(text_embeddings, objects["asin"].to_list())
    table = assign_splits(objects, vectors, previous=lake.latest("splits"), config=SplitConfig())
    counts = dict(table.group_by("split").len().iter_rows())
    demoted = table.filter(pl.col("reason").is_not_null()).height
    return Output(table, metadata={**{f"n_{k}": int(v) for k, v in sorted(counts.items())}, "demoted_to_train": demoted})
