"""The 182-node material taxonomy as a table, and each object's seller material strings mapped onto it."""

import polars as pl
from dagster import (
    AssetCheckExecutionContext, AssetCheckResult, AssetCheckSpec, AssetOut, MetadataValue, Output, asset, asset_check,
    multi_asset,
)  # fmt: skip

from assets.check_results import check_result, committed
from emma_pipeline.checks import ids_known
from emma_pipeline.materials import default_mapper, load_taxonomy
from emma_pipeline.materials.labels import label_objects
from resources.lake import LakeResource

TAXONOMY_SIZE = 182


@asset(
    group_name="materials",
    kinds={"duckdb"},
    check_specs=[AssetCheckSpec("well_formed_182_nodes", asset="material_taxonomy", blocking=True)],
)
def material_taxonomy():
    """id, name, parent_id, depth, is_leaf, path of every node of the material taxonomy (taxonomy.csv)."""
    taxonomy = load_taxonomy()
    frame = taxonomy.as_frame()
    problems = []
    try:
        taxonomy.validate()
    except ValueError as error:
        problems.append(str(error))
    yield Output(frame, metadata={"nodes": frame.height, "roots": frame.filter(pl.col("depth") == 0).height})
    yield AssetCheckResult(
        passed=frame.height == TAXONOMY_SIZE and not problems,
        metadata={"nodes": frame.height, "problems": "; ".join(problems) or "none"},
    )


@multi_asset(
    outs={
        "object_materials": AssetOut(
            group_name="materials", kinds={"duckdb"},
            description="Per object with seller material strings: mapped taxonomy node ids and names (multi-label).",
        ),
        "unmapped_materials": AssetOut(
            group_name="materials", kinds={"duckdb"},
            description="Seller material strings that matched no node, with counts: extend taxonomy.csv synonyms.",
        ),
    },
)  # fmt: skip
def map_materials(objects: pl.DataFrame, lake: LakeResource):
    """Maps only objects that are new or whose strings or title changed; writes only those rows (by ASIN)."""
    result = label_objects(objects, default_mapper(), previous=lake.latest("object_materials"))
    stats = {k: MetadataValue.float(float(v)) for k, v in result.stats.items()}
    stats["objects_mapped"] = result.update.rows.height
    yield Output(result.update, output_name="object_materials", metadata=stats)
    yield Output(result.unmapped, output_name="unmapped_materials", metadata={"distinct_unmapped": result.unmapped.height})


@asset_check(asset="object_materials", name="material_ids_in_taxonomy", blocking=True,
             additional_deps=["material_taxonomy"],
             description="As committed: every material id of object_materials is a node id of material_taxonomy.")  # fmt: skip
def material_ids_in_taxonomy(context: AssetCheckExecutionContext, lake: LakeResource):
    nodes = committed(context, lake, "material_taxonomy", ["id"])["id"]
    return check_result(ids_known(committed(context, lake, "object_materials", ["asin", "material_ids"]), "material_ids", nodes))
