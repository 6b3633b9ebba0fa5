"""Pretrained text and image embeddings per ASIN, cached: a rebuild embeds only new or changed inputs."""

import polars as pl
from dagster import AssetExecutionContext, AutomationCondition, Output, asset

from emma_pipeline.embeddings import incremental_embed, input_hash
from resources.encoders import ImageEncoderResource, TextEncoderResource
from resources.lake import LakeResource


def _cache_metadata(frame: pl.DataFrame, computed: int, model: str) -> dict:
    return {
        "model": model,
        "dim": len(frame["embedding"][0]) if frame.height else 0,
        "computed": computed,
        "reused_from_previous_version": frame.height - computed,
    }


@asset(group_name="embeddings", kinds={"pytorch", "duckdb"}, automation_condition=AutomationCondition.eager())
def text_embeddings(
    context: AssetExecutionContext, joined_listings: pl.DataFrame, text_encoder: TextEncoderResource, lake: LakeResource
) -> Output[pl.DataFrame]:
    """Sentence embedding of title + features + description (unit norm; MiniLM 384-d by default, mpnet 768-d in
    the paper profile)."""
    encoder = text_encoder.get()
    texts = joined_listings["text"].fill_null("").to_list()
    hashes = [input_hash(encoder.name, t) for t in texts]

    def embed(rows: list[int]):
        context.log.info(f"embedding {len(rows):,} new or changed texts with {encoder.name}")
        return encoder.encode([texts[i] for i in rows], progress=True), [None] * len(rows)

    frame, computed = incremental_embed(
        joined_listings["asin"].to_list(), hashes, encoder.name, lake.latest("text_embeddings"), embed
    )
    return Output(frame, metadata=_cache_metadata(frame, computed, encoder.name))


@asset(group_name="embeddings", kinds={"pytorch", "duckdb"}, automation_condition=AutomationCondition.eager())
def image_embeddings(
    context: AssetExecutionContext, joined_listings: pl.DataFrame, image_encoder: ImageEncoderResource, lake: LakeResource
) -> Output[pl.DataFrame]:
    """Backbone features summed over all images of a listing (the paper's listing image representation); a
    listing with no readable image gets a zero vector and a reason."""
    encoder = image_encoder.get()
    images = [urls or [] for urls in joined_listings["image_urls"].to_list()]
    hashes = [input_hash(encoder.name, urls) for urls in images]

    def embed(rows: list[int]):
        context.log.info(f"embedding the images of {len(rows):,} new or changed listings with {encoder.name}")
        return encoder.encode_listings([images[i] for i in rows], progress=True)

    frame, computed = incremental_embed(
        joined_listings["asin"].to_list(), hashes, encoder.name, lake.latest("image_embeddings"), embed
    )
    reasons = frame.filter(pl.col("reason").is_not_null())
    metadata = _cache_metadata(frame, computed, encoder.name)
    metadata["listings_without_readable_image"] = int(reasons.filter(~pl.col("reason").str.starts_with("partial")).height)
    metadata["listings_with_some_unreadable_images"] = int(reasons.filter(pl.col("reason").str.starts_with("partial")).height)
    return Output(frame, metadata=metadata)
