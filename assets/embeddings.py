"""Pretrained text and image embeddings per ASIN, cached: a rebuild embeds only new or changed inputs, and
writes only those rows (by ASIN); the rows of ASINs no longer joined are dropped."""

import polars as pl
from dagster import AssetCheckExecutionContext, AssetExecutionContext, Output, asset, asset_check

from assets.check_results import check_result, committed_asins
from emma_pipeline.checks import accounted_for
from emma_pipeline.embeddings import EmbeddingUpdate, image_input_hash, incremental_embed, input_hash
from emma_pipeline.images import FETCH_REASONS, listing_image_reason, resolve_images
from emma_pipeline.warehouse.keyed_update import KeyedUpdate
from resources.encoders import ImageEncoderResource, TextEncoderResource
from resources.image_store import ImageStoreResource
from resources.lake import LakeResource


_KEY_COLUMNS = ["asin", "input_hash", "model", "reason"]  # what reuse is decided on: stored vectors are not read


def _update(result: EmbeddingUpdate) -> KeyedUpdate:
    """Only the rows embedded now are written (by ASIN); reused rows stay as they are in the lake."""
    return KeyedUpdate(result.rows, result.gone)


def _cache_metadata(result: EmbeddingUpdate, model: str, dim: int) -> dict:
    return {
        "model": model,
        "dim": dim,
        "computed": result.computed,
        "reused_from_previous_version": result.reasons.len() - result.computed,
    }


@asset(group_name="embeddings", kinds={"pytorch", "duckdb"})
def text_embeddings(
    context: AssetExecutionContext, joined_listings: pl.DataFrame, text_encoder: TextEncoderResource, lake: LakeResource
) -> Output[KeyedUpdate]:
    """Sentence embedding of title + features + description (unit norm; MiniLM 384-d by default, mpnet 768-d in
    the paper profile)."""
    encoder = text_encoder.get()
    texts = joined_listings["text"].fill_null("").to_list()
    hashes = [input_hash(encoder.name, t) for t in texts]

    def embed(rows: list[int]):
        context.log.info(f"embedding {len(rows):,} new or changed texts with {encoder.name}")
        return encoder.encode([texts[i] for i in rows], progress=True), [None] * len(rows)

    previous = lake.latest("text_embeddings", columns=_KEY_COLUMNS)
    result = incremental_embed(joined_listings["asin"].to_list(), hashes, encoder.name, previous, embed)
    return Output(_update(result), metadata=_cache_metadata(result, encoder.name, encoder.dim))


@asset(group_name="embeddings", kinds={"pytorch", "duckdb"})
def image_embeddings(
    context: AssetExecutionContext,
    joined_listings: pl.DataFrame,
    image_fetches: pl.DataFrame,
    image_encoder: ImageEncoderResource,
    image_store: ImageStoreResource,
    lake: LakeResource,
) -> Output[KeyedUpdate]:
    """Backbone features summed over all images of a listing (the paper's listing image representation); a
    listing with no readable image gets a zero vector and a reason, and is tried again when its images change
    (fetched, replaced, appeared) or the failure was one its key cannot see (``embeddings.retried``).
    Remote images are read from the image store (fetched OK), local files where they are; unfetched ones are
    named in the reason."""
    encoder = image_encoder.get()
    resolved = resolve_images(joined_listings["image_urls"].to_list(), image_fetches, image_store.store())
    # keyed on the references and on each file read (size + mtime): a photo replaced at its path is new
    hashes = [image_input_hash(encoder.name, keys, paths) for keys, paths in zip(resolved.keys, resolved.paths)]

    def embed(rows: list[int]):
        context.log.info(f"embedding the images of {len(rows):,} new or changed listings with {encoder.name}")
        vectors, reasons = encoder.encode_listings([resolved.paths[i] for i in rows], progress=True)
        return vectors, [
            listing_image_reason(r, resolved.fetch_reasons[i], len(resolved.paths[i]), resolved.references[i])
            for r, i in zip(reasons, rows)
        ]

    previous = lake.latest("image_embeddings", columns=_KEY_COLUMNS)
    result = incremental_embed(joined_listings["asin"].to_list(), hashes, encoder.name, previous, embed)
    reasons = result.reasons.drop_nulls()
    metadata = _cache_metadata(result, encoder.name, encoder.dim)
    metadata["listings_without_readable_image"] = int((~reasons.str.starts_with("partial")).sum())
    metadata["listings_with_some_unreadable_images"] = int(reasons.str.starts_with("partial").sum())
    for code in FETCH_REASONS:
        metadata[f"listings_{code}"] = int(reasons.str.starts_with(code).sum())
    return Output(_update(result), metadata=metadata)


def _covers_joined_listings(table: str):
    @asset_check(
        asset=table, name="covers_joined_listings", blocking=True, additional_deps=["joined_listings"],
        description=f"As committed: one {table} row per ASIN of joined_listings, exactly once, and no other ASIN.",
    )  # fmt: skip
    def _check(context: AssetCheckExecutionContext, lake: LakeResource):
        joined = committed_asins(context, lake, "joined_listings", read_by=table)
        return check_result(accounted_for(joined, {table: committed_asins(context, lake, table)}))

    return _check


embedding_checks = [_covers_joined_listings("text_embeddings"), _covers_joined_listings("image_embeddings")]
