"""Category tree and product-type vocabulary with stable ids, and each object's path of category ids."""

import polars as pl
from dagster import AssetCheckExecutionContext, AssetOut, Output, asset_check, multi_asset

from assets.check_results import check_result, committed, committed_asins
from assets.metadata import png_markdown, save_png
from emma_pipeline.checks import accounted_for, combined, ids_known
from emma_pipeline.categories import assign_category_ids, assign_product_type_ids, build_category_tree, clean_path, product_type_vocabulary
from emma_pipeline.categories.treemap import treemap_png
from emma_pipeline.warehouse.keyed_update import changed_rows
from resources.folders import OutputFolders
from resources.lake import LakeResource


@multi_asset(
    outs={
        "category_tree": AssetOut(group_name="categories", kinds={"duckdb"},
                                  description="Category nodes (id, name, parent_id, depth, path); ids stable across rebuilds."),
        "product_types": AssetOut(group_name="categories", kinds={"duckdb"},
                                  description="Product-type vocabulary (id 0 = unknown/rare); ids stable across rebuilds."),
        "object_categories": AssetOut(group_name="categories", kinds={"duckdb"},
                                      description="Per object: category id path (root first) and product-type id."),
    },
)  # fmt: skip
def categories(objects: pl.DataFrame, lake: LakeResource, folders: OutputFolders):
    """The tree and vocabulary are rebuilt whole (small, and their counts cover every object); of
    ``object_categories`` only rows that changed are written (by ASIN): new objects, changed paths or types, and
    the rows of objects that left. Assigning ids is a lookup per distinct path, so every object is looked up."""
    paths = [clean_path(p) if p else None for p in objects["category_path"].to_list()]
    tree = build_category_tree(paths, previous=lake.latest("category_tree"))
    vocabulary = product_type_vocabulary(objects["product_type"].to_list(), previous=lake.latest("product_types"))
    per_object = pl.DataFrame(
        {
            "asin": objects["asin"],
            "category_ids": pl.Series(assign_category_ids(paths, tree), dtype=pl.List(pl.Int64)),
            "product_type_id": pl.Series(assign_product_type_ids(objects["product_type"].to_list(), vocabulary), dtype=pl.Int64),
        }
    )
    png = treemap_png(tree, max_depth=2)
    yield Output(
        tree,
        output_name="category_tree",
        metadata={
            "nodes": tree.height,
            "roots": tree.filter(pl.col("parent_id").is_null()).height,
            "max_depth": int(tree["depth"].max() or 0),
            "treemap": png_markdown(png, "category treemap"),
            "treemap_file": save_png(png, folders.reports_dir, "category_treemap.png"),
        },
    )
    yield Output(vocabulary, output_name="product_types", metadata={"product_types": vocabulary.height})
    with_category = per_object.filter(pl.col("category_ids").is_not_null()).height
    update = changed_rows(per_object, lake.latest("object_categories"))
    yield Output(update, output_name="object_categories", metadata={"objects_with_category": with_category})


@asset_check(
    asset="object_categories", name="ids_known_and_covers_objects", blocking=True,
    additional_deps=["category_tree", "product_types", "objects"],
    description="As committed: every category id of object_categories is in category_tree, every product_type_id "
    "in product_types, and every ASIN of objects has exactly one row.",
)  # fmt: skip
def object_categories_consistent(context: AssetCheckExecutionContext, lake: LakeResource):
    rows = committed(context, lake, "object_categories", ["asin", "category_ids", "product_type_id"])
    tree = committed(context, lake, "category_tree", ["id"])["id"]
    vocabulary = committed(context, lake, "product_types", ["id"])["id"]
    objects = committed_asins(context, lake, "objects", read_by="object_categories")
    return check_result(combined({
        "category_ids": ids_known(rows, "category_ids", tree),
        "product_type_id": ids_known(rows, "product_type_id", vocabulary),
        "coverage": accounted_for(objects, {"object_categories": rows["asin"].to_list()}),
    }))  # fmt: skip
