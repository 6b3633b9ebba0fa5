"""A second batch re-does only what it touched.

Batch 1 is a tiny generated sample; batch 2 holds a few new generated ASINs plus two hand-made catalog items:
an update of an existing ASIN (same ASIN, new title, price and material) and a copy of an existing listing under a new
ASIN. The landing sensor requests batch 2, and after the rebuild the lake holds the updated ASIN once with its
new values, the copy is removed as a duplicate of the listing it copies (found against the saved index), and
the join, the encoders and the learned filters saw exactly the touched ASINs, counted at their entry points.
The stages after cleaning (materials, categories, splits) commit only the rows that changed, read from DuckLake's
change feed between the two builds' snapshots, and end where a rebuild of the stage from nothing ends. The
generation-1 models (tiny networks) are not trained again: their networks run on the new and changed objects only,
counted at the networks' entry point, and ``model_predictions`` commits only those objects' rows.
"""

import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey, AssetSelection, DagsterInstance, Definitions, SensorResult, build_sensor_context, define_asset_job

import assets.join
import emma_pipeline.cleaning.non_physical as non_physical
import emma_pipeline.models.fusion_model as fusion_module
import emma_pipeline.models.text_model as text_module
import emma_pipeline.models.vision_model as vision_module
from assets.categories import categories, object_categories_consistent
from assets.cleaning import clean_objects, objects_rows_accounted_for
from assets.embeddings import embedding_checks, image_embeddings, text_embeddings
from assets.images import image_fetches
from assets.ingestion import ingest_assets
from assets.jobs import INGESTION, ingest_job
from assets.join import asin_join, joined_asins_accounted_for
from assets.materials import map_materials, material_ids_in_taxonomy, material_taxonomy
from assets.model_tables import model_predictions, model_predictions_valid
from assets.models import fusion_model, text_model, vision_model
from assets.partitions import ingest_batches
from assets.sensors import landing_sensor
from assets.splits import splits, splits_cover_objects
from emma_pipeline.categories import (
    assign_category_ids, assign_product_type_ids, build_category_tree, clean_path, product_type_vocabulary,
)  # fmt: skip
from emma_pipeline.cleaning.filters import FilterConfig
from emma_pipeline.cleaning.text_image_match import TextImageMatcher
from emma_pipeline.encoders.image_encoder import ImageEncoder
from emma_pipeline.encoders.text_encoder import TextEncoder
from emma_pipeline.materials import default_mapper
from emma_pipeline.materials.labels import label_objects
from emma_pipeline.sample import generate_sample
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import Lake
from resources import LandingZone, build_resources
from resources.cleaning import CleaningResource
from resources.lake_io_manager import recorded_metadata, snapshot_of

SEED, N_FIRST, N_NEW = 1, 40, 4  # seed 1: rule-named digital goods, so the non-physical model is fitted
DOWNSTREAM = "incremental_downstream"
UPDATED_TITLE, UPDATED_PRICE = "Updated Listing Title For The Incremental Test", 123.45
UPDATED_MATERIAL = "stainless steel"
COPY_ASIN = "B0INCRCOPY"
pytestmark = pytest.mark.integration
# the learned filters need this few seeds and objects to be fitted at all on a 40-listing batch
SMALL_FILTERS = {"non_physical_min_seeds": 1, "mismatch_min_listings": 20}
# tables a build updates by ASIN: the second build's commit may touch only rows that changed
CLEANING = ("objects", "removals", "duplicate_groups", "object_scores", "dedup_state")  # with dedup_versions
KEYED = (*CLEANING, "object_materials", "object_categories", "splits")


class Calls:
    """What each counted entry point was asked to do, per build."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.asins: dict[str, set[str]] = {}

    def add(self, name: str, n: int) -> None:
        self.counts[name] += n


@pytest.fixture
def calls(monkeypatch) -> Calls:
    counted = Calls()
    encode_text, encode_images, join = TextEncoder.encode, ImageEncoder.encode_listings, assets.join.join_listings

    def text(self, texts, *args, **kwargs):
        counted.add("text_encoded", len(texts))
        return encode_text(self, texts, *args, **kwargs)

    def images(self, image_lists, *args, **kwargs):
        counted.add("image_listings_encoded", len(image_lists))
        return encode_images(self, image_lists, *args, **kwargs)

    def joined(listings, *args, **kwargs):
        counted.add("asins_joined", listings["asin"].n_unique())
        return join(listings, *args, **kwargs)

    probability, score = non_physical.non_physical_probability, TextImageMatcher.score

    def non_physical_scored(model, features):
        counted.add("non_physical_scored", len(features))
        return probability(model, features)

    def agreement_scored(self, text_emb, *args, **kwargs):
        counted.add("text_image_scored", len(text_emb))
        return score(self, text_emb, *args, **kwargs)

    for name, module in (("text_model_rows", text_module), ("vision_model_rows", vision_module), ("fusion_model_rows", fusion_module)):
        def network_ran(net, loader, hierarchy, _name=name, _run=module.run):
            counted.add(_name, len(loader.dataset))
            return _run(net, loader, hierarchy)

        monkeypatch.setattr(module, "run", network_ran)
    monkeypatch.setattr(non_physical, "non_physical_probability", non_physical_scored)
    monkeypatch.setattr(TextImageMatcher, "score", agreement_scored)
    monkeypatch.setattr(CleaningResource, "filter_config", lambda self: FilterConfig(**SMALL_FILTERS))
    monkeypatch.setattr(TextEncoder, "encode", text)
    monkeypatch.setattr(ImageEncoder, "encode_listings", images)
    monkeypatch.setattr(assets.join, "join_listings", joined)
    return counted


def _settings(home: Path, monkeypatch):
    monkeypatch.setenv("EMMA_HOME", str(home))
    for var in ("EMMA_LANDING", "EMMA_LAKE_CATALOG", "EMMA_LAKE_DATA", "EMMA_MODELS", "DAGSTER_HOME", "EMMA_RETRAIN_AFTER_DAYS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EMMA_MODEL_PROFILE", "tiny")
    monkeypatch.setenv("EMMA_MODEL_OVERRIDES", '{"epochs": 1, "fusion_epochs": 1}')
    return load_settings()


def _definitions(settings) -> Definitions:
    stages = [asin_join, image_fetches, text_embeddings, image_embeddings, clean_objects, material_taxonomy,
              map_materials, categories, splits, text_model, vision_model, fusion_model, model_predictions]  # fmt: skip
    downstream = define_asset_job(DOWNSTREAM, selection=AssetSelection.all() - INGESTION)
    checks = [joined_asins_accounted_for, *embedding_checks, objects_rows_accounted_for,  # each ASIN once, as committed
              material_ids_in_taxonomy, object_categories_consistent, splits_cover_objects, model_predictions_valid]  # fmt: skip
    return Definitions(assets=[*ingest_assets, *stages], asset_checks=checks, jobs=[ingest_job, downstream],
                       sensors=[landing_sensor], resources=build_resources(settings))  # fmt: skip


def _sensor_then_build(instance, definitions, landing: LandingZone) -> list[str]:
    """Evaluate the landing sensor, run the ingest runs it requests, then the downstream job; the batches run."""
    result = landing_sensor(build_sensor_context(instance=instance, resources={"landing": landing}))
    assert isinstance(result, SensorResult), result
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(ingest_batches.name, list(request.partition_keys))
    batches = [request.partition_key for request in result.run_requests]
    for batch in batches:
        ingest = definitions.resolve_job_def(ingest_job.name)
        assert ingest.execute_in_process(instance=instance, partition_key=batch).success
    result = definitions.resolve_job_def(DOWNSTREAM).execute_in_process(instance=instance)
    assert result.success
    verdicts = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert all(v.passed for v in verdicts), [v for v in verdicts if not v.passed]
    assert {"asins_accounted_for", "covers_joined_listings", "rows_accounted_for"} <= {v.check_name for v in verdicts}
    return batches


def _aspa_items(batch_dir: Path) -> dict[str, dict]:
    lines = (batch_dir / "aspa" / "catalog_items.jsonl").read_text().splitlines()
    return {item["asin"]: item for item in map(json.loads, lines)}


def _absolute_images(item: dict, batch_dir: Path) -> dict:
    """The item with its relative image links made absolute (they are read from another batch folder)."""
    item = json.loads(json.dumps(item))
    for group in item.get("images", []):
        for image in group["images"]:
            image["link"] = str((batch_dir / "aspa" / image["link"]).resolve())
    return item


def _write_second_batch(home: Path, first: dict, lake: Lake) -> tuple[str, str]:
    """Batch 2: N_NEW generated ASINs, an update of one ASPA-only object, a copy of another; returns the
    updated ASIN and the copied one."""
    batch1 = home / "landing" / "batch-0001"
    generate_sample(home, n_listings=N_NEW, seed=SEED, batch="batch-0002", first_product=first["next_product"],
                    progress=False)  # fmt: skip
    batch2 = home / "landing" / "batch-0002"
    joined, groups = lake.read("joined_listings"), lake.read("duplicate_groups")
    aspa_only = joined.filter((pl.col("sources") == ["aspa"]) & ~pl.col("asin").is_in(groups["asin"].implode()))
    items = _aspa_items(batch1)
    updated, copied = [a for a in sorted(aspa_only["asin"]) if a in items][:2]
    update = _absolute_images(items[updated], batch1)
    market = {"marketplace_id": "ATVPDKIKX0DER"}
    update["attributes"]["item_name"] = [{"language_tag": "en_US", "value": UPDATED_TITLE, **market}]
    update["attributes"]["list_price"] = [{"currency": "USD", "value": UPDATED_PRICE, **market}]
    update["attributes"]["material"] = [{"language_tag": "en_US", "value": UPDATED_MATERIAL, **market}]
    copy = _absolute_images(items[copied], batch1) | {"asin": COPY_ASIN}
    extra = batch2 / "aspa" / "catalog_items_extra.jsonl"
    extra.parent.mkdir(exist_ok=True)
    extra.write_text("".join(json.dumps(item) + "\n" for item in (update, copy)))
    (batch2 / "_SUCCESS").touch()
    return updated, copied


@pytest.mark.timeout(3000)  # two builds of the graph up to splits: over 900 s with other builds on 2 cores
def test_a_second_batch_redoes_only_the_asins_it_touched(tmp_path, monkeypatch, calls):
    home = tmp_path / "home"
    first = generate_sample(home, n_listings=N_FIRST, seed=SEED, batch="batch-0001", progress=False)
    (home / "landing" / "batch-0001" / "_SUCCESS").touch()
    settings = _settings(home, monkeypatch)
    definitions, lake = _definitions(settings), Lake(settings.lake_config())
    landing = LandingZone(root=settings.landing)
    with DagsterInstance.ephemeral() as instance:
        assert _sensor_then_build(instance, definitions, landing) == ["batch-0001"]
        before = {name: lake.read(name) for name in ("joined_listings", "duplicate_groups", *KEYED)}
        first_snapshots = {name: snapshot_of(instance, AssetKey(name)) for name in (*KEYED, "model_predictions")}
        first_build = Counter(calls.counts)
        assert first_build["text_encoded"] == before["joined_listings"].height  # a first build embeds everything
        calls.counts.clear()

        updated, copied = _write_second_batch(home, first, lake)
        assert _sensor_then_build(instance, definitions, landing) == ["batch-0002"]
        second_snapshots = {name: snapshot_of(instance, AssetKey(name)) for name in (*KEYED, "dedup_versions", "model_predictions")}
        # per-ASIN state only: the second batch rewrites the rows it touched, not the whole table
        state_written, state_rows = recorded_metadata(instance, "dedup_state", "rows_updated"), lake.read("dedup_state").height
        print(f"second batch wrote {state_written} of {state_rows} dedup_state rows")
        assert 0 < state_written < state_rows
        recorded_index = recorded_metadata(instance, "dedup_versions", "index_version")

    sources = ("ucsd_listings", "image2mass_listings", "aspa_listings")
    batch2_asins = set(pl.concat([lake.read(s, where="batch = 'batch-0002'").select("asin") for s in sources])["asin"])
    new_asins = batch2_asins - set(before["joined_listings"]["asin"])
    assert updated in batch2_asins and COPY_ASIN in new_asins and len(new_asins) >= N_NEW
    joined = lake.read("joined_listings")
    touched = batch2_asins & set(joined["asin"])  # what batch 2 touched and the join kept

    # the lake holds the right rows: the updated ASIN once, with its new values; old rows untouched
    assert joined["asin"].is_unique().all()
    row = joined.filter(pl.col("asin") == updated).row(0, named=True)
    assert (row["title"], row["price_usd"]) == (UPDATED_TITLE, UPDATED_PRICE)
    assert set(joined["asin"]) == set(before["joined_listings"]["asin"]) | new_asins - _join_removed(lake)
    untouched = before["joined_listings"].filter(~pl.col("asin").is_in(list(batch2_asins)))
    assert untouched.sort("asin").equals(joined.filter(pl.col("asin").is_in(untouched["asin"].implode())).sort("asin"))
    objects = lake.read("objects")
    if updated in set(objects["asin"]):  # (unless a filter removed it)
        assert objects.filter(pl.col("asin") == updated)["title"].to_list() == [UPDATED_TITLE]

    # the copy is caught against batch 1's saved index, with the listing it copies as the kept twin
    removal = lake.read("removals").filter(pl.col("asin") == COPY_ASIN).row(0, named=True)
    assert (removal["stage"], removal["kept_twin"]) == ("dedup", copied)
    assert COPY_ASIN not in set(objects["asin"])

    # only the touched ASINs were joined and embedded again (the updated ASIN's pictures did not change)
    assert calls.counts["asins_joined"] == len(batch2_asins)
    assert calls.counts["text_encoded"] == len(touched)
    assert calls.counts["image_listings_encoded"] == len(touched - {updated})

    # ... and scored by the saved filter models: old objects keep their scores (and so their decisions)
    assert first_build["non_physical_scored"] > 0 and first_build["text_image_scored"] > 0  # the models were fitted
    scores = lake.read("object_scores")
    old = before["object_scores"].filter(~pl.col("asin").is_in(list(batch2_asins))).sort("asin")
    assert old.equals(scores.filter(pl.col("asin").is_in(old["asin"].implode())).sort("asin"))
    old_removals = [before["removals"], lake.read("removals")]
    old_removals = [r.filter(pl.col("asin").is_in(old["asin"].implode())).sort("asin") for r in old_removals]
    assert old_removals[0].equals(old_removals[1])
    fresh = scores.filter(pl.col("asin").is_in(list(touched)))
    assert 0 < calls.counts["non_physical_scored"] == fresh["non_physical_probability"].is_not_null().sum()
    assert 0 < calls.counts["text_image_scored"] == fresh["text_image_agreement"].is_not_null().sum()
    assert calls.counts["non_physical_scored"] <= len(touched - {COPY_ASIN})  # the copy never reached the filters
    # cleaning and the stages after it committed only the rows that changed, all of ASINs batch 2 touched (or
    # objects that entered or left, or shared a duplicate group with one), the cleaning tables in one snapshot
    assert len({second_snapshots[name] for name in (*CLEANING, "dedup_versions")}) == 1
    versions = lake.read("dedup_versions", version=second_snapshots["dedup_versions"])
    assert versions.height == 1 and versions["index_version"].to_list() == [recorded_index]
    entered_or_left = set(before["objects"]["asin"]) ^ set(objects["asin"])
    groups = lake.read("duplicate_groups")
    regrouped = set(groups.filter(pl.col("asin").is_in(list(batch2_asins)).any().over("group_id"))["asin"])
    for name in KEYED:
        written = _committed_keys(lake, name, first_snapshots[name], second_snapshots[name])
        differ = _differing_keys(before[name], lake.read(name, version=second_snapshots[name]))
        assert written == differ and differ and differ <= batch2_asins | entered_or_left | regrouped, name
        assert name != "object_materials" or updated in written or updated not in set(objects["asin"])
    _assert_as_from_nothing(lake, objects)

    # the models were not trained again: their networks ran on the new objects and on those whose inputs changed
    # (the updated ASIN's text; its pictures did not change), and model_predictions committed only such objects' rows
    built = pl.concat([lake.read(t, columns=["model", "how", "why"]) for t in ("text_model", "vision_model", "fusion_model")])
    assert built["how"].to_list() == ["extended"] * 4, built.rows()
    new_objects = set(objects["asin"]) - set(before["objects"]["asin"])
    assert calls.counts["text_model_rows"] == len(new_objects | _changed(before["objects"], objects, "text")) > 0
    assert calls.counts["vision_model_rows"] == len(new_objects | _changed(before["objects"], objects, "image_urls"))
    per_network, rest = divmod(calls.counts["fusion_model_rows"], 10)  # 5 task networks x 2 mergers
    assert rest == 0 and calls.counts["text_model_rows"] <= per_network <= len(touched | entered_or_left)
    written = _committed_keys(lake, "model_predictions", first_snapshots["model_predictions"], second_snapshots["model_predictions"])
    assert written and written <= batch2_asins | entered_or_left | regrouped
    print(f"batch 2 touched {len(touched)} ASINs; first build {dict(first_build)}; second build {dict(calls.counts)}")


def _changed(old: pl.DataFrame, new: pl.DataFrame, column: str) -> set[str]:
    """ASINs in both frames whose ``column`` differs."""
    both = old.select("asin", column).join(new.select("asin", column), on="asin", suffix="__new")
    return set(both.filter(pl.col(column).ne_missing(pl.col(f"{column}__new")))["asin"])


def _join_removed(lake: Lake) -> set[str]:
    return set(lake.read("join_removals")["asin"])


def _committed_keys(lake: Lake, table: str, first: int, second: int) -> set[str]:
    """ASINs of every row the commits after snapshot ``first`` up to ``second`` inserted or deleted in ``table``
    (DuckLake's change feed: a table written whole shows every row inserted)."""
    changes = lake.query(f"SELECT change_type, asin FROM table_changes('{table}', {first + 1}, {second})")
    return set(changes["asin"])


def _differing_keys(old: pl.DataFrame, new: pl.DataFrame) -> set[str]:
    """ASINs whose row is not the same in ``old`` and ``new`` (or is in only one of them)."""
    old_rows, new_rows = _rows_by_asin(old), _rows_by_asin(new)
    return {asin for asin in old_rows.keys() | new_rows.keys() if old_rows.get(asin) != new_rows.get(asin)}


def _rows_by_asin(frame: pl.DataFrame) -> dict[str, str]:
    return {row["asin"]: repr(sorted(row.items())) for row in frame.iter_rows(named=True)}


def _assert_as_from_nothing(lake: Lake, objects: pl.DataFrame) -> None:
    """Materials and categories of the final objects, built from nothing: the same tables (category and
    product-type ids compared as the paths and names they stand for: ids depend on the order things appeared)."""
    assert lake.read("object_materials").sort("asin").equals(label_objects(objects, default_mapper()).labels)
    paths = [clean_path(p) if p else None for p in objects["category_path"].to_list()]
    tree, types = build_category_tree(paths), product_type_vocabulary(objects["product_type"].to_list())
    scratch = pl.DataFrame({"asin": objects["asin"], "category_ids": assign_category_ids(paths, tree),
                            "product_type_id": assign_product_type_ids(objects["product_type"].to_list(), types)})  # fmt: skip
    incremental = lake.read("object_categories")
    assert _named(incremental, lake.read("category_tree"), lake.read("product_types")) == _named(scratch, tree, types)


def _named(per_object: pl.DataFrame, tree: pl.DataFrame, types: pl.DataFrame) -> list[tuple]:
    names = {node: tuple(path) for node, path in zip(tree["id"].to_list(), tree["path"].to_list())}
    type_names = dict(zip(types["id"].to_list(), types["product_type"].to_list()))
    rows = per_object.sort("asin").select("asin", "category_ids", "product_type_id").rows()
    return [(asin, names[ids[-1]] if ids else None, type_names[t]) for asin, ids, t in rows]
