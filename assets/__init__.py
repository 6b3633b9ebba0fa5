"""Thin Dagster definitions over the emma_pipeline library, one module per stage."""

from assets.categories import categories, object_categories_consistent
from assets.cleaning import clean_objects, cleaning_checks
from assets.embeddings import embedding_checks, image_embeddings, text_embeddings
from assets.evaluation import cleaning_evaluation, fill_in_truth_evaluation, join_evaluation, search_evaluation
from assets.images import image_fetches
from assets.ingestion import ingest_assets
from assets.join import asin_join, join_checks, quarantine
from assets.materials import map_materials, material_ids_in_taxonomy, material_taxonomy
from assets.fill_in import fill_in_assets, fill_in_checks
from assets.model_tables import model_metrics, model_predictions, model_table_checks
from assets.models import fusion_model, text_model, vision_model
from assets.object_embedding import object_embedding_checks, object_embeddings, product_neighbors
from assets.splits import splits, splits_cover_objects

base_assets = [
    *ingest_assets, asin_join, quarantine, image_fetches, text_embeddings, image_embeddings, clean_objects,
    material_taxonomy, map_materials, categories, splits, join_evaluation, cleaning_evaluation, object_embeddings,
    product_neighbors, search_evaluation, text_model, vision_model, fusion_model,
    model_predictions, model_metrics,
]  # fmt: skip

# the default graph (two generations); definitions.py builds the one EMMA_FILL_GENERATIONS asks for
all_assets = [*base_assets, *fill_in_assets(2), fill_in_truth_evaluation]

# the checks defined beside their stage's assets (checks inside an asset, e.g. ingestion's, travel with it)
base_checks = [
    *join_checks, *embedding_checks, *cleaning_checks, material_ids_in_taxonomy, object_categories_consistent,
    splits_cover_objects, *object_embedding_checks, *model_table_checks,
]  # fmt: skip
# with the fill-in's checks of the default graph (definitions.py adds the ones EMMA_FILL_GENERATIONS asks for)
all_checks = [*base_checks, *fill_in_checks(2)]
