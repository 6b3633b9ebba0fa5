"""Thin Dagster definitions over the emma_pipeline library, one module per stage."""

from assets.embeddings import image_embeddings, text_embeddings
from assets.evaluation import join_evaluation
from assets.ingestion import ingest_assets
from assets.join import asin_join, quarantine

all_assets = [*ingest_assets, asin_join, quarantine, join_evaluation, text_embeddings, image_embeddings]
