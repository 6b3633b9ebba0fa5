"""Cleaned objects: near-duplicates removed (incrementally, against persisted ANN indexes), then the paper's
filters (no title/image, no core attributes, non-physical, generic images, text-image mismatch).

The six outputs are written by the asset itself in one lake transaction (one snapshot): an analyst never sees
new ``objects`` with old ``removals``, and the dedup index and filter models versions they were decided on
(the one row of ``dedup_versions``) are committed with them. Each per-ASIN table is updated by ASIN: only rows
that changed since the previous outputs are deleted and inserted.
"""

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    AssetIn,
    AssetSpec,
    MaterializeResult,
    asset_check,
    multi_asset,
)

from assets.check_results import check_result, committed, committed_asins
from assets.metadata import counts_markdown
from emma_pipeline.checks import accounted_for, dedup_state_covers, object_scores_cover
from emma_pipeline.cleaning.dedup_config import DedupConfig
from emma_pipeline.cleaning.dedup_store import load_previous_dedup, save_dedup_index
from emma_pipeline.cleaning.dedup_versions import INDEX_VERSION, KEY, versions_row
from emma_pipeline.cleaning.filter_models import (
    FilterModels,
    known_scores,
    model_fingerprint,
    previous_filter_models,
    row_hashes,
    save_filter_models,
)
from emma_pipeline.cleaning.filters import apply_filters
from emma_pipeline.cleaning.fingerprint import fingerprint
from emma_pipeline.cleaning.incremental import deduplicate
from emma_pipeline.embeddings import as_matrix
from emma_pipeline.encoders.image_encoder import has_embedding
from emma_pipeline.warehouse.keyed_update import changed_rows
from resources.cleaning import CleaningResource
from resources.folders import OutputFolders
from resources.lake import LakeResource
from resources.lake_io_manager import output_metadata, recorded_metadata

ROWS_CHECK = "rows_accounted_for"
_PREVIOUS = ("dedup_state", "dedup_versions", "duplicate_groups", "removals", "object_scores", "objects")
_KEYS = {"dedup_versions": KEY}  # the key each output is updated by; the others by ASIN
_INPUTS = ("joined_listings", "join_removals", "text_embeddings", "image_embeddings")


def _spec(name: str, description: str) -> AssetSpec:
    return AssetSpec(name, deps=_INPUTS, group_name="cleaning", kinds={"duckdb"}, description=description)  # fmt: skip


@multi_asset(
    specs=[
        _spec("objects", "The cleaned objects: joined listings minus duplicates and the paper's filtered entries."),
        _spec("duplicate_groups", "Every duplicate group: members, the kept one, similarity and what matched."),
        _spec("removals", "Every ASIN removed by any stage (join, dedup, filters) with reason, detail, kept twin."),
        _spec("object_scores", "Per object: non-physical probability, generic-image group, text-image agreement."),
        _spec("dedup_state", "Per ASIN, the input hashes the dedup and filter decisions were made on."),
        _spec("dedup_versions", "One row: the dedup index and filter models versions the cleaning decisions were "
              "made on, and fingerprints of the configs they were made with."),
    ],
    ins={name: AssetIn(name) for name in _INPUTS},
)
def clean_objects(
    context: AssetExecutionContext,
    joined_listings: pl.DataFrame,
    join_removals: pl.DataFrame,
    text_embeddings: pl.DataFrame,
    image_embeddings: pl.DataFrame,
    lake: LakeResource,
    folders: OutputFolders,
    cleaning: CleaningResource,
):
    joined_listings = joined_listings.sort("asin")  # updated by ASIN, so stored in no particular order
    asins = joined_listings["asin"].to_list()
    text, image = as_matrix(text_embeddings, asins), as_matrix(image_embeddings, asins)
    image_rows = pl.DataFrame({"asin": asins}).join(image_embeddings.select("asin", "reason", "input_hash"), on="asin", how="left")
    hashes = pl.DataFrame({"asin": asins}).join(
        text_embeddings.select("asin", pl.col("input_hash").alias("text_hash")), on="asin", how="left"
    ).join(image_rows.select("asin", pl.col("input_hash").alias("image_hash")), on="asin", how="left")
    hashes = hashes.with_columns(image_rows["reason"].alias("image_reason"))
    dedup_config, filter_config = DedupConfig(), cleaning.filter_config()
    index_dir = folders.index_dir / "dedup"
    _, previous_tables = _read_previous(lake)
    state, versions, groups, removals, scores = (previous_tables[name] for name in _PREVIOUS[:5])
    previous = load_previous_dedup(state, versions, groups, removals, index_dir, fingerprint(dedup_config))
    context.log.info(previous.note)
    dedup = deduplicate(joined_listings, text, image, hashes.select("asin", "text_hash", "image_hash"),
                        previous.state, dedup_config)  # fmt: skip
    context.log.info(f"dedup judged {dedup.checked:,} new or changed listings; {dedup.removals.height:,} duplicates in all")
    # a new immutable index version; it takes effect only when dedup_versions naming it commits below
    version = save_dedup_index(dedup.state.index, index_dir, keep=[previous.version] if previous.version else [])

    kept = dedup.kept["asin"].to_list()
    rows = _positions(asins, kept)
    image_ok = [has_embedding(r) for r in image_rows["reason"].to_list()]
    image_reasons = pl.Series(image_rows["reason"]).gather(rows).to_list()
    row_hash = row_hashes(joined_listings, hashes)
    models_dir = folders.index_dir / "filter_models"
    saved = previous_filter_models(versions, models_dir, filter_config)
    context.log.info(saved.note)
    known = known_scores(kept, [row_hash[i] for i in rows], state, scores) if saved.models else None
    filtered = apply_filters(
        dedup.kept, text[rows], image[rows], pl.Series(image_ok)[rows].to_numpy(), filter_config,
        image_reasons=image_reasons, matcher=saved.models.matcher if saved.models else None,
        non_physical_model=saved.models.non_physical if saved.models else None, known=known,
    )  # fmt: skip
    fitted = FilterModels(filtered.non_physical_model, filtered.matcher)
    models_version = saved.version
    if saved.models is None or (fitted.non_physical, fitted.matcher) != (saved.models.non_physical, saved.models.matcher):
        models_version = save_filter_models(fitted, models_dir, keep=[saved.version] if saved.version else [])

    removals = pl.concat([join_removals, dedup.removals, filtered.removals], how="vertical_relaxed")
    tables = {
        "objects": filtered.kept,
        "duplicate_groups": dedup.groups,
        "removals": removals,
        "object_scores": filtered.scores,
        "dedup_state": dedup.state.hashes.with_columns(pl.Series("row_hash", row_hash, dtype=pl.Utf8)),
        "dedup_versions": versions_row(version, fingerprint(dedup_config), models_version,
                                       model_fingerprint(filter_config)),
    }  # fmt: skip
    updates = {name: changed_rows(frame, previous_tables[name], _KEYS.get(name, "asin")) for name, frame in tables.items()}
    snapshot = lake.lake().update_tables(updates, f"cleaning outputs by run {context.run_id}")
    extra = {
        "objects": {"joined": joined_listings.height, "duplicates_removed": dedup.removals.height,
                    "filtered": filtered.removals.height, "objects": filtered.kept.height,
                    "dedup_checked": dedup.checked,
                    **{k: v for k, v in filtered.summary.items() if isinstance(v, (int, float))}},
        "duplicate_groups": {"groups": dedup.groups["group_id"].n_unique()},
        "removals": {"by_stage_and_reason": counts_markdown(removals.with_columns(
            pl.concat_str("stage", "reason", separator=": ").alias("stage_reason")), "stage_reason")},
        "dedup_versions": {"index_version": version, "filter_models": models_version},
    }  # fmt: skip
    for name, frame in tables.items():
        written = {"rows_updated": updates[name].rows.height, "rows_deleted": len(updates[name].deleted)}
        metadata = {**output_metadata(name, frame, snapshot), **written, **extra.get(name, {})}
        yield MaterializeResult(asset_key=name, metadata=metadata)


@asset_check(
    asset="objects", name=ROWS_CHECK, blocking=True, additional_deps=["removals", "joined_listings", "join_removals"],
    description="As committed: the ASINs of joined_listings and join_removals = the ASINs of objects and removals "
    "(all stages), each ASIN in exactly one row of one of them.",
)  # fmt: skip
def objects_rows_accounted_for(context: AssetCheckExecutionContext, lake: LakeResource):
    entered = [asin for table in ("joined_listings", "join_removals") for asin in committed_asins(context, lake, table, read_by="objects")]
    return check_result(accounted_for(entered, {t: committed_asins(context, lake, t) for t in ("objects", "removals")}))


@asset_check(asset="object_scores", name="covers_judged_listings", blocking=True, additional_deps=["objects", "removals"],
             description="As committed: one object_scores row per listing the filters judged (the ASINs of objects and "
             "of the filters' removals), nothing else; non_physical_probability in [0, 1] where written.")  # fmt: skip
def object_scores_cover_judged(context: AssetCheckExecutionContext, lake: LakeResource):
    removals = committed(context, lake, "removals", ["asin", "stage"])  # the same snapshot as object_scores
    filtered = removals.filter(pl.col("stage") == "filters")["asin"].to_list()
    scores = committed(context, lake, "object_scores", ["asin", "non_physical_probability"])
    return check_result(object_scores_cover(scores, committed_asins(context, lake, "objects"), filtered))


@asset_check(asset="dedup_state", name="covers_joined_listings", blocking=True,
             additional_deps=["joined_listings", "dedup_versions"],
             description="As committed: one dedup_state row per ASIN of joined_listings (as cleaning read it), and "
             "one dedup_versions row, naming the dedup index version the materialization recorded.")  # fmt: skip
def dedup_state_covers_joined(context: AssetCheckExecutionContext, lake: LakeResource):
    state = committed_asins(context, lake, "dedup_state")
    versions = committed(context, lake, "dedup_versions", [INDEX_VERSION])
    joined = committed_asins(context, lake, "joined_listings", read_by="dedup_state")
    recorded = recorded_metadata(context.instance, "dedup_versions", INDEX_VERSION)
    return check_result(dedup_state_covers(state, versions, joined, None if recorded is None else str(recorded)))


cleaning_checks = [objects_rows_accounted_for, object_scores_cover_judged, dedup_state_covers_joined]


def _positions(asins: list[str], subset: list[str]) -> pl.Series:
    where = {asin: i for i, asin in enumerate(asins)}
    return pl.Series([where[a] for a in subset])


def _read_previous(lake: LakeResource) -> tuple[int, dict[str, pl.DataFrame | None]]:
    """The last committed cleaning outputs, from one snapshot (they are written together)."""
    return lake.lake().read_together(list(_PREVIOUS))
