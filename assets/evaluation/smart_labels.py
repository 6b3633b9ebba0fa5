"""The paper's Table 3 for one smart-label property; without held-out test labels it falls back to the sample's
hidden truth (a simulated labeler), so it lives with the other evaluation assets."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.smart_label_partitions import PARTITION, write_property
from emma_pipeline.labeling.evaluation import evaluate, test_labels
from resources.ground_truth import GroundTruth
from resources.label_store import LabelStoreResource
from resources.lake import LakeResource
from resources.lake_io_manager import markdown_preview


@asset(**PARTITION, deps=[AssetKey("smart_labels")])
def smart_label_evaluation(context: AssetExecutionContext, label_store: LabelStoreResource, lake: LakeResource,
                           ground_truth: GroundTruth) -> MaterializeResult:  # fmt: skip
    """Table 3 of the paper for this property: precision, recall, F1, accuracy and errors of the materialized
    smart labels on a uniform test set labeled apart from the training labels."""
    prop = context.partition_key
    smart = lake.lake().read("smart_labels", where="property = ?", params=[prop])
    history = label_store.store().label_history(prop)
    tests, source = test_labels(history, smart, ground_truth.load(), prop)
    row = evaluate(smart, tests, history, prop, source)
    snapshot = write_property(lake, "smart_label_evaluation", row, prop)
    values = {k: v for k, v in row.row(0, named=True).items() if isinstance(v, (int, float)) and v is not None}
    return MaterializeResult(metadata={**values, "test_source": source, "lake_snapshot": snapshot,
                                       "table": MetadataValue.md(markdown_preview(row))})
