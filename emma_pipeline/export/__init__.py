"""The dataset as a user receives it: plain Parquet per split, a Hugging Face dataset card, the taxonomies."""

from emma_pipeline.export.card import LakeSource, dataset_card
from emma_pipeline.export.export import CARD_FILE, ExportError, ExportResult, export_dataset
from emma_pipeline.export.published import published_frame

__all__ = ["CARD_FILE", "ExportError", "ExportResult", "LakeSource", "dataset_card", "export_dataset", "published_frame"]
