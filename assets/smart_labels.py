"""Smart labels: per property (a dynamic partition), the label-store export, the final model's probability on every
object (the paper's Table 3 evaluation, which may read the sample's truth, is in ``assets/evaluation/``). A sensor re-materializes a property when its
labels, features or the objects change."""

import json
import warnings

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    MaterializeResult,
    PreviewWarning,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset,
    asset_check,
    define_asset_job,
    sensor,
)

from assets.check_results import check_result
from emma_pipeline.checks import smart_labels_cover
from emma_pipeline.labeling.features import object_embedding_feature_set, pretrained_feature_set
from emma_pipeline.labeling.materialize import smart_labels as score_property
from resources.label_store import LabelStoreResource
from resources.lake import LakeResource
from resources.lake_io_manager import read_as_read_by, snapshot_of
from assets.evaluation.smart_labels import smart_label_evaluation
from assets.smart_label_partitions import PARTITION as _PARTITION
from assets.smart_label_partitions import smart_label_properties, write_property as _write

@asset(**_PARTITION)
def labels(context: AssetExecutionContext, label_store: LabelStoreResource, lake: LakeResource) -> MaterializeResult:
    """Every label event of the property from the label store (who, when, mode; ``is_current`` marks the latest
    per object), for analysts."""
    prop = context.partition_key
    history = label_store.store().label_history(prop)
    snapshot = _write(lake, "labels", history, prop)
    current = history.filter(pl.col("is_current") & pl.col("value").is_not_null())
    return MaterializeResult(metadata={"dagster/row_count": history.height, "current_labels": current.height,
                                       "positives": int(current["value"].sum() or 0), "lake_snapshot": snapshot})  # fmt: skip


@asset(**_PARTITION, deps=[labels], ins={n: AssetIn(n) for n in ("objects", "text_embeddings", "image_embeddings")})
def smart_labels(context: AssetExecutionContext, objects: pl.DataFrame, text_embeddings: pl.DataFrame,
                 image_embeddings: pl.DataFrame, label_store: LabelStoreResource, lake: LakeResource) -> MaterializeResult:  # fmt: skip
    """The final logistic regression of the property, trained on every stored label (test-set labels held out),
    and its probability for every object, with the model and label-store versions."""
    prop = context.partition_key
    store = label_store.store()
    features = _features(context, objects, text_embeddings, image_embeddings, lake.latest("object_embeddings"))
    frame, meta = score_property(store, features, prop)
    if meta["positives"] == 0 or meta["negatives"] == 0:
        context.log.warning(f"{prop}: labels of one class only; every probability is the smoothed base rate")
    snapshot = _write(lake, "smart_labels", frame, prop)
    return MaterializeResult(metadata={**meta, "dagster/row_count": frame.height, "lake_snapshot": snapshot})


def _features(context, objects, text_embeddings, image_embeddings, object_embeddings):
    """The paper's object embedding when it covers every object, else the pretrained embeddings (same interface)."""
    if object_embeddings is not None and object_embeddings.height:
        features = object_embedding_feature_set(objects, object_embeddings)
        if len(features.object_ids) == objects.height:
            return features
        context.log.warning("object_embeddings does not cover every object: using the pretrained embeddings")
    return pretrained_feature_set(objects, text_embeddings, image_embeddings)


def _cover_objects(context: AssetCheckExecutionContext, lake: LakeResource):
    prop, store = context.partition_key, lake.lake()
    version = snapshot_of(context.instance, AssetKey("smart_labels"), prop)
    rows = store.read("smart_labels", version=version, where='"property" = ?', params=[prop],
                      columns=["object_id", "property", "probability"])  # fmt: skip
    objects = read_as_read_by(store, context.instance, "objects", "smart_labels", ["asin"], partition=prop)
    return check_result(smart_labels_cover(rows, objects["asin"].to_list(), prop))


with warnings.catch_warnings():  # a check per partition is a preview API in Dagster 1.13; each property is its own run
    warnings.simplefilter("ignore", PreviewWarning)
    smart_labels_cover_objects = asset_check(
        asset="smart_labels", name="covers_objects_probabilities", blocking=True, additional_deps=["objects"],
        partitions_def=smart_label_properties,
        description="As committed, per property: one smart_labels row per object (as the property's model read "
        "objects), exactly once, each probability in [0, 1].",
    )(_cover_objects)  # fmt: skip


smart_label_assets = [labels, smart_labels, smart_label_evaluation]
smart_label_checks = [smart_labels_cover_objects]
smart_labels_job = define_asset_job(
    "materialize_smart_labels", selection=AssetSelection.assets(*smart_label_assets), partitions_def=smart_label_properties,
    description="Export the labels of one property, train its final model, label every object, evaluate.",
)


@sensor(job=smart_labels_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def smart_labels_sensor(context: SensorEvaluationContext, label_store: LabelStoreResource):
    """Register each property as a partition and re-materialize it when its label-store version moves (a label,
    feature or decision changed) or a new version of ``objects`` lands."""
    cursor = json.loads(context.cursor) if context.cursor else {"versions": {}, "objects": None}
    versions = label_store.store().versions()
    event = context.instance.get_latest_materialization_event(AssetKey("objects"))
    objects_id = event.timestamp if event is not None else None  # when the current objects version landed
    if objects_id is None:
        return SkipReason("no objects materialized yet")
    objects_changed = objects_id != cursor.get("objects")
    changed = [p for p, v in versions.items() if objects_changed or cursor["versions"].get(p) != v]
    known = set(context.instance.get_dynamic_partitions(smart_label_properties.name))
    new = [p for p in versions if p not in known]
    requests = [RunRequest(partition_key=p, run_key=f"{p}:v{versions[p]}:o{objects_id}") for p in changed]
    return SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[smart_label_properties.build_add_request(new)] if new else [],
        cursor=json.dumps({"versions": versions, "objects": objects_id}),
    )
