"""Cleaned objects: near-duplicates removed (incrementally, against persisted ANN indexes), then the paper's
filters (no title/image, no core attributes, non-physical, generic images, text-image mismatch)."""

from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    AutomationCondition,
    MetadataValue,
    Output,
    multi_asset,
)

from assets.metadata import counts_markdown
from emma_pipeline.cleaning.dedup import DedupConfig
from emma_pipeline.cleaning.dedup_store import load_dedup_index, save_dedup_index
from emma_pipeline.cleaning.filters import FilterConfig, apply_filters
from emma_pipeline.cleaning.incremental import DedupState, deduplicate
from emma_pipeline.embeddings import as_matrix
from emma_pipeline.encoders.image_encoder import has_embedding
from emma_pipeline.settings import load_settings
from resources.lake import LakeResource

ROWS_CHECK = "rows_accounted_for"
_EAGER = AutomationCondition.eager()


def _out(description: str) -> AssetOut:
    return AssetOut(group_name="cleaning", kinds={"duckdb"}, automation_condition=_EAGER, description=description)


@multi_asset(
    outs={
        "objects": _out("The cleaned objects: joined listings minus duplicates and the paper's filtered entries."),
        "duplicate_groups": _out("Every duplicate group: members, the kept one, similarity and what matched."),
        "removals": _out("Every ASIN removed by any stage (join, dedup, filters) with reason, detail, kept twin."),
        "object_scores": _out("Per object: non-physical probability, generic-image group, text-image agreement."),
        "dedup_state": _out("Input hashes the duplicate decisions were made on (lets rebuilds check only new ASINs)."),
    },
    ins={name: AssetIn(name) for name in ("joined_listings", "join_removals", "text_embeddings", "image_embeddings")},
    check_specs=[
        AssetCheckSpec(ROWS_CHECK, asset="objects", description="joined rows = objects + dedup + filter removals")
    ],
)
def clean_objects(
    context: AssetExecutionContext,
    joined_listings: pl.DataFrame,
    join_removals: pl.DataFrame,
    text_embeddings: pl.DataFrame,
    image_embeddings: pl.DataFrame,
    lake: LakeResource,
):
    asins = joined_listings["asin"].to_list()
    text, image = as_matrix(text_embeddings, asins), as_matrix(image_embeddings, asins)
    image_rows = pl.DataFrame({"asin": asins}).join(image_embeddings.select("asin", "reason", "input_hash"), on="asin", how="left")
    hashes = pl.DataFrame({"asin": asins}).join(
        text_embeddings.select("asin", pl.col("input_hash").alias("text_hash")), on="asin", how="left"
    ).join(image_rows.select("asin", pl.col("input_hash").alias("image_hash")), on="asin", how="left")
    index_dir = load_settings().index_dir
    previous, index = _previous_dedup(lake, index_dir)
    dedup = deduplicate(joined_listings, text, image, hashes, previous, index, DedupConfig())
    context.log.info(f"dedup judged {dedup.checked:,} new or changed listings; {dedup.removals.height:,} duplicates in all")
    save_dedup_index(dedup.index, index_dir / "dedup")

    kept = dedup.kept["asin"].to_list()
    rows = _positions(asins, kept)
    image_ok = [has_embedding(r) for r in image_rows["reason"].to_list()]
    image_reasons = pl.Series(image_rows["reason"]).gather(rows).to_list()
    filtered = apply_filters(dedup.kept, text[rows], image[rows], pl.Series(image_ok)[rows].to_numpy(), FilterConfig(),
                             image_reasons=image_reasons)

    removals = pl.concat([join_removals, dedup.removals, filtered.removals], how="vertical_relaxed")
    removed_here = dedup.removals.height + filtered.removals.height
    yield Output(filtered.kept, output_name="objects", metadata={
        "joined": joined_listings.height, "duplicates_removed": dedup.removals.height,
        "filtered": filtered.removals.height, "objects": filtered.kept.height, "dedup_checked": dedup.checked,
        **{k: v for k, v in filtered.summary.items() if isinstance(v, (int, float))},
    })  # fmt: skip
    yield Output(dedup.groups, output_name="duplicate_groups", metadata={"groups": dedup.groups["group_id"].n_unique()})
    yield Output(removals, output_name="removals", metadata={"by_stage_and_reason": counts_markdown(
        removals.with_columns(pl.concat_str("stage", "reason", separator=": ").alias("stage_reason")), "stage_reason")})
    yield Output(filtered.scores, output_name="object_scores")
    yield Output(dedup.state, output_name="dedup_state")
    yield AssetCheckResult(
        asset_key="objects",
        check_name=ROWS_CHECK,
        passed=joined_listings.height == filtered.kept.height + removed_here,
        metadata={"joined": joined_listings.height, "kept": filtered.kept.height, "removed": removed_here,
                  "removal_reasons": MetadataValue.md(counts_markdown(removals, "reason").value)},
    )  # fmt: skip


def _positions(asins: list[str], subset: list[str]) -> pl.Series:
    where = {asin: i for i, asin in enumerate(asins)}
    return pl.Series([where[a] for a in subset])


def _previous_dedup(lake: LakeResource, index_dir: Path) -> tuple[DedupState | None, tuple | None]:
    """The last run's decisions and the persisted index pair, when both exist (else a full run)."""
    state, groups, removals = (lake.latest(t) for t in ("dedup_state", "duplicate_groups", "removals"))
    if state is None or groups is None or removals is None:
        return None, None
    try:
        index = load_dedup_index(index_dir / "dedup")
    except FileNotFoundError:
        return None, None
    return DedupState(state=state, groups=groups, removals=removals.filter(pl.col("stage") == "dedup")), index
