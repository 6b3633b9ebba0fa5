"""Fill-in: each generation's filled table (``filled_gen<k>``), the models of the next generation trained on it,
the published ``dataset`` (the last generation's table, with a blocking material-consistency check), and
generation-vs-generation metrics. ``fill_in_assets(generations)``: 2 by default, 3 with EMMA_FILL_GENERATIONS=3."""

import numpy as np
import polars as pl
from dagster import (
    AssetCheckExecutionContext, AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetIn, MetadataValue, Output,
    asset, asset_check,
)  # fmt: skip

from assets.check_results import check_result, committed
from assets.models import filled_name, generation_model_assets, load_models, model_asset_name, original_prepared
from emma_pipeline.checks import filled_well_formed
from emma_pipeline.checks.filled import COLUMNS, STATED_IN
from emma_pipeline.export import dataset_card
from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.generation import fill
from emma_pipeline.fill_in.report import coverage_markdown, generations_markdown, generations_summary
from emma_pipeline.fill_in.sanity import sanity_sample_html
from emma_pipeline.fill_in.schema import ATTRIBUTES
from emma_pipeline.materials.consistency import Forest, violations
from emma_pipeline.models.pipeline import metrics_table
from emma_pipeline.models.prepare import TABLES
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.keyed_update import KeyedUpdate, changed_rows
from resources.lake import LakeResource

CONSISTENCY_CHECK = "materials_taxonomy_consistent"
ORIGINALS_CHECK = "covers_objects_keeps_originals"


def _changed(context: AssetExecutionContext, table: str, frame: pl.DataFrame) -> KeyedUpdate:
    """Only the rows that differ from the table's current version are written (by ASIN): a batch scored with
    the current models leaves the earlier objects' rows as they were."""
    return changed_rows(frame, context.resources.lake.latest(table))


def _filled_asset(generation: int):
    models_in = [model_asset_name(kind, generation) for kind in ("text", "vision", "fusion")]

    @asset(name=filled_name(generation), ins={n: AssetIn(n) for n in (*TABLES, *models_in)}, group_name="fill_in",
           kinds={"duckdb"}, required_resource_keys={"lake"})  # fmt: skip
    def _filled(context: AssetExecutionContext, **inputs):
        """Every object with every attribute: original values kept, missing ones filled by this generation's
        fusion model, with confidence, model version and the 95 %-precision threshold verdict."""
        prepared = original_prepared(inputs)
        loaded = load_models(*(inputs[n] for n in models_in))
        for model, asins in loaded:
            if asins != prepared.asins:
                raise ValueError(f"{model.name} (generation {generation}) was trained on other objects: re-materialize it")
        models = {m.name: m for m, _ in loaded}
        config = FillInConfig()
        fusion = inputs[model_asset_name("fusion", generation)]
        filler = fusion.filter(pl.col("model") == config.filler)
        # the trained network's version: a batch scored with it leaves the earlier objects' rows as they were
        version = filler["base_version" if "base_version" in filler.columns else "version"][0]
        filled = fill(models, prepared, inputs["object_materials"], config, generation, version)
        report = {k: MetadataValue.float(float(v)) for k, v in filled.report().items()}
        context.log.info(f"generation {generation}: coverage at 95 % precision "
                         + ", ".join(f"{a} {filled.coverage[a]['synthetic_passing']:.0%}" for a in ATTRIBUTES))  # fmt: skip
        update = _changed(context, filled_name(generation), filled.table)
        return Output(update, metadata={**report, "filler_version": version,
                                              "coverage": MetadataValue.md(coverage_markdown(filled))})  # fmt: skip

    return _filled


def _dataset_asset(last: int):
    @asset(ins={"filled": AssetIn(filled_name(last)), "objects": AssetIn(), "material_taxonomy": AssetIn(),
                "category_tree": AssetIn(), "generation_metrics": AssetIn()}, group_name="fill_in", kinds={"duckdb"},
           check_specs=[AssetCheckSpec(CONSISTENCY_CHECK, asset="dataset", blocking=True,
                                       description="zero material-consistency violations on every object")],
           required_resource_keys={"lake"})  # fmt: skip
    def dataset(context: AssetExecutionContext, filled: pl.DataFrame, objects: pl.DataFrame,
                material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, generation_metrics: pl.DataFrame):
        """The published table: one row per object, every attribute with its value, source (original / gen1 /
        gen2 ...), confidence, model version and 95 %-precision verdict, plus the split (schema: fill_in/schema.py)."""
        taxonomy = material_taxonomy.sort("id")
        column = {int(i): j for j, i in enumerate(taxonomy["id"].to_list())}
        forest = Forest(tuple(-1 if p is None else column[int(p)] for p in taxonomy["parent_id"].to_list()))
        probs = np.array(filled["materials_probs"].to_list(), dtype=np.float64).reshape(filled.height, len(column))
        broken = violations(probs, forest)
        html = sanity_sample_html(filled, objects, taxonomy, category_tree, n=100, seed=0)
        reports = load_settings().reports_dir
        reports.mkdir(parents=True, exist_ok=True)
        (reports / "fill_in_sanity_sample.html").write_text(html, encoding="utf-8")
        shares = {f"{a}/synthetic_share": MetadataValue.float(float((filled[f"{a}_source"] != "original").mean())) for a in ATTRIBUTES}
        passing = {f"{a}/coverage_at_precision": MetadataValue.float(float(filled.filter(pl.col(f"{a}_source") != "original")[f"{a}_passes_threshold"].mean() or 0.0))
                   for a in ATTRIBUTES}  # fmt: skip
        card = dataset_card(filled, taxonomy=material_taxonomy, categories=category_tree, metrics=generation_metrics)
        yield Output(_changed(context, "dataset", filled), metadata={"generation": last, **shares, **passing, "dataset_card": MetadataValue.md(card),
                                       "sanity_sample": MetadataValue.path(str(reports / "fill_in_sanity_sample.html"))})  # fmt: skip
        yield AssetCheckResult(check_name=CONSISTENCY_CHECK, passed=broken == 0,
                               metadata={"violations": broken, "objects": filled.height})  # fmt: skip

    return dataset


def _generation_metrics_asset(generations: int):
    models_in = [model_asset_name(k, g) for g in range(1, generations + 1) for k in ("text", "vision", "fusion")]

    @asset(ins={n: AssetIn(n) for n in (*TABLES, *models_in)}, group_name="fill_in", kinds={"duckdb"})
    def generation_metrics(**inputs):
        """Every generation's models scored on the original held-out values (val, test): the model_metrics layout,
        one row per (model, generation, task, split, metric). Metadata: generation 1 vs 2 (vs 3) on the test split."""
        prepared = original_prepared(inputs)
        tables = [metrics_table([m for m, _ in load_models(*(inputs[model_asset_name(k, g)] for k in ("text", "vision", "fusion")))],
                                prepared, generation=g) for g in range(1, generations + 1)]  # fmt: skip
        table = pl.concat(tables)
        summary = generations_summary(table)
        return Output(table, metadata={"generations": MetadataValue.md(generations_markdown(table)),
                                       **{k: MetadataValue.text(str(v)) for k, v in summary.items()}})  # fmt: skip

    return generation_metrics


def _stated(context: AssetCheckExecutionContext, lake: LakeResource, read_by) -> list[pl.DataFrame]:
    """objects, object_materials, object_categories as the filled table was built from them."""
    return [committed(context, lake, table, columns, read_by) for table, columns in STATED_IN.items()]


def _filled_check(generation: int):
    name = filled_name(generation)

    @asset_check(asset=name, name=ORIGINALS_CHECK, blocking=True, additional_deps=list(STATED_IN),
                 description="As committed: one row per object; every value objects, object_materials and "
                 "object_categories state is written unchanged with source original (and original only there); "
                 f"sources original or gen1..gen{generation}; confidences in [0, 1]; a value for every attribute.")  # fmt: skip
    def _check(context: AssetCheckExecutionContext, lake: LakeResource):
        filled = committed(context, lake, name, list(COLUMNS))
        return check_result(filled_well_formed(filled, *_stated(context, lake, name), generation))

    return _check


def _dataset_check(last: int):
    @asset_check(asset="dataset", name=ORIGINALS_CHECK, blocking=True, additional_deps=[*STATED_IN, "splits"],
                 description="As committed: the filled-table check on the published table, and its split column is "
                 "the split that splits assigns (inputs as the last generation's filled table read them).")  # fmt: skip
    def _check(context: AssetCheckExecutionContext, lake: LakeResource):
        through = ("dataset", filled_name(last))  # dataset reads objects itself; the rest through filled_gen<last>
        objects = committed(context, lake, "objects", STATED_IN["objects"], "dataset")
        materials, categories, splits = (committed(context, lake, t, c, through) for t, c in (
            ("object_materials", STATED_IN["object_materials"]), ("object_categories", STATED_IN["object_categories"]),
            ("splits", ["asin", "split"])))  # fmt: skip
        dataset = committed(context, lake, "dataset", list(COLUMNS))
        return check_result(filled_well_formed(dataset, objects, materials, categories, last, splits))

    return _check


def fill_in_checks(generations: int = 2) -> list:
    """The blocking checks of every filled table and of the dataset (read back from the lake)."""
    return [*(_filled_check(g) for g in range(1, generations + 1)), _dataset_check(generations)]


def fill_in_assets(generations: int = 2) -> list:
    """Generation 1's filled table, the models and filled table of generations 2..``generations``, the dataset."""
    if generations < 2:
        raise ValueError(f"the fill-in runs at least two generations, got {generations}")
    out = [_filled_asset(1)]
    for g in range(2, generations + 1):
        out += [*generation_model_assets(g), _filled_asset(g)]
    return [*out, _dataset_asset(generations), _generation_metrics_asset(generations)]
