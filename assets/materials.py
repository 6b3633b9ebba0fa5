"""The 182-node material taxonomy as a table, and each object's seller material strings mapped onto it."""

import polars as pl
from dagster import AssetCheckResult, AssetCheckSpec, AssetOut, AutomationCondition, MetadataValue, Output, asset, multi_asset

from emma_pipeline.materials import default_mapper, load_taxonomy
from emma_pipeline.materials.labels import label_objects

TAXONOMY_SIZE = 182


@asset(
    group_name="materials",
    kinds={"duckdb"},
    check_specs=[AssetCheckSpec("well_formed_182_nodes", asset="material_taxonomy")],
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
            group_name="materials", kinds={"duckdb"}, automation_condition=AutomationCondition.eager(),
            description="Per object with seller material strings: mapped taxonomy node ids and names (multi-label).",
        ),
        "unmapped_materials": AssetOut(
            group_name="materials", kinds={"duckdb"}, automation_condition=AutomationCondition.eager(),
            description="Seller material strings that matched no node, with counts: extend taxonomy.csv synonyms.",
        ),
    },
)  # fmt: skip
def map_materials(objects: pl.DataFrame):
    result = label_objects(objects, default_mapper())
    stats = {k: MetadataValue.float(float(v)) for k, v in result.stats.items()}
    yield Output(result.labels, output_name="object_materials", metadata=stats)
    yield Output(result.unmapped, output_name="unmapped_materials", metadata={"distinct_unmapped": result.unmapped.height})
