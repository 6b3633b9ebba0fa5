"""Train / val / test / calibration splits, stable across rebuilds (an ASIN keeps its split)."""

import polars as pl
from dagster import AssetCheckExecutionContext, Output, asset, asset_check

from assets.check_results import check_result, committed_asins
from emma_pipeline.checks import accounted_for
from emma_pipeline.embeddings import as_matrix
from emma_pipeline.splits import SplitConfig, assign_splits
from emma_pipeline.warehouse.keyed_update import KeyedUpdate, changed_rows
from resources.lake import LakeResource


@asset(group_name="splits", kinds={"duckdb"})
def splits(objects: pl.DataFrame, text_embeddings: pl.DataFrame, lake: LakeResource) -> Output[KeyedUpdate]:
    """Val and test only from complete objects (all attributes, >1 image, >1 review), none within a looser text
    distance of a train object; calibration from objects with materials; earlier assignments are kept, so only
    the rows that changed are written (by ASIN): new objects, objects that left, and any reassigned. Kept val/test
    objects are searched only against train objects whose text is new since the last build."""
    asins = objects["asin"].to_list()
    vectors = as_matrix(text_embeddings, asins)
    keys = objects.select("asin").join(text_embeddings.select("asin", "input_hash"), on="asin", how="left", maintain_order="left")
    previous = lake.latest("splits")
    table = assign_splits(objects, vectors, previous=previous, config=SplitConfig(), text_keys=keys["input_hash"].to_list())
    counts = dict(table.group_by("split").len().iter_rows())
    demoted = table.filter(pl.col("reason").is_not_null()).height
    metadata = {**{f"n_{k}": int(v) for k, v in sorted(counts.items())}, "demoted_to_train": demoted}
    return Output(changed_rows(table, previous), metadata=metadata)


@asset_check(asset="splits", name="covers_objects", blocking=True, additional_deps=["objects"],
             description="As committed: every ASIN of objects has exactly one splits row, and no other ASIN has one.")  # fmt: skip
def splits_cover_objects(context: AssetCheckExecutionContext, lake: LakeResource):
    objects = committed_asins(context, lake, "objects", read_by="splits")
    return check_result(accounted_for(objects, {"splits": committed_asins(context, lake, "splits")}))
