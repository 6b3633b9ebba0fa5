"""Text, vision and fusion models of every generation: generation 1 trains on the original values, generation
k + 1 on generation k's filled table (``filled_gen<k>``). One factory builds a generation's three model assets;
each returns one row per artifact (uri, version) and downstream assets load exactly that artifact. A build with new
or changed objects scores them with the current artifact (its other objects keep their predictions) until the
model is due for training (``retrain_after_days``, weekly by default, see ``models/retrain.py``)."""

import numpy as np
import polars as pl
from dagster import AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from assets.jobs import RETRAIN_TAG
from assets.metadata import png_markdown
from emma_pipeline.fill_in.training_data import filled_prepared
from emma_pipeline.models import artifacts
from emma_pipeline.models.fusion_model import fusion_input_keys, score_fusion_model, train_fusion_model
from emma_pipeline.models.input_keys import image_keys, text_keys
from emma_pipeline.models.pipeline import Built, Extension, artifact_frame, base_of, train_or_reuse
from emma_pipeline.models.prepare import TABLES, ModelTables, Prepared, prepare
from emma_pipeline.models.report import collapsed_share, modality_weights_png
from emma_pipeline.models.text_model import score_text_model, train_text_model
from emma_pipeline.models.vision_model import score_vision_model, train_vision_model

MODEL_ASSET_OPTIONS = {"kinds": {"pytorch", "duckdb"}, "required_resource_keys": {"lake", "model_training"}}
MERGERS = ("concat", "attention")


def model_asset_name(kind: str, generation: int) -> str:
    """text_model, vision_model, fusion_model for generation 1; text_model_gen2 ... after."""
    return f"{kind}_model" if generation == 1 else f"{kind}_model_gen{generation}"


def filled_name(generation: int) -> str:
    return f"filled_gen{generation}"


def group_of(generation: int) -> str:
    return "models" if generation == 1 else "fill_in"


def original_prepared(inputs: dict) -> Prepared:
    return prepare(ModelTables(*(inputs[t] for t in TABLES)))


def training_data(inputs: dict, generation: int) -> tuple[Prepared, Prepared]:
    """(original, what this generation trains on): the same for generation 1."""
    original = original_prepared(inputs)
    if generation == 1:
        return original, original
    return original, filled_prepared(original, inputs[filled_name(generation - 1)])


def _snapshots(lake, generation: int) -> dict[str, int]:
    """The lake snapshot of every table the model reads (recorded in its artifact)."""
    store = lake.lake()
    tables = (*TABLES, filled_name(generation - 1)) if generation > 1 else TABLES
    return {t: int(store.versions(t)["snapshot_id"][-1]) for t in tables}


def _metadata(built: Built) -> dict:
    model = built.model
    flat = {f"{split}/{name}": MetadataValue.float(float(v)) for split, values in model.metrics.items()
            for name, v in values.items() if np.isfinite(v)}  # fmt: skip
    scored = {"scored_objects": int(model.info["scored_objects"])} if built.how == "extended" else {}
    return {**flat, "artifact": built.uri, "reused_artifact": built.reused, "how": built.how, "why": built.reason, **scored,
            "info": MetadataValue.json({k: v for k, v in model.info.items() if not isinstance(v, np.ndarray)})}


def _filler_versions(inputs: dict, generation: int) -> tuple[str, ...]:
    """The trained artifacts that filled the table a later generation reads (its ``*_model_version`` values): when
    the filler is trained again, that generation's inputs change meaning and it trains again too."""
    if generation == 1:
        return ()
    filled = inputs[filled_name(generation - 1)]
    columns = [c for c in filled.columns if c.endswith("_model_version")]
    return tuple(sorted({v for c in columns for v in filled[c].drop_nulls().unique().to_list()}))


def _retrain_after_days(context: AssetExecutionContext) -> float:
    """The resource's age limit, or 0 (train now) in a run tagged ``emma/retrain=true`` (the weekly schedule)."""
    if context.run.tags.get(RETRAIN_TAG, "").lower() == "true":
        return 0.0
    return context.resources.model_training.retrain_after_days


def _previous_uri(lake, asset_name: str, model_name: str) -> str | None:
    """The artifact this asset wrote last for ``model_name`` (what a batch is scored with until retraining)."""
    frame = lake.latest(asset_name, columns=["model", "uri"])
    rows = frame.filter(pl.col("model") == model_name) if frame is not None else None
    return rows["uri"][0] if rows is not None and rows.height else None


def _ins(generation: int, *extra: str) -> dict[str, AssetIn]:
    names = [*TABLES, *extra] + ([filled_name(generation - 1)] if generation > 1 else [])
    return {name: AssetIn(name) for name in names}


def _artifact_name(name: str, generation: int) -> str:
    return name if generation == 1 else f"{name}_gen{generation}"


def _single_asset(kind: str, train_fn, score_fn, keys_fn, generation: int, doc: str):
    name = model_asset_name(kind, generation)

    @asset(name=name, ins=_ins(generation), group_name=group_of(generation), description=doc, **MODEL_ASSET_OPTIONS)
    def _model(context: AssetExecutionContext, **inputs):
        _, prepared = training_data(inputs, generation)
        training = context.resources.model_training
        config = training.config()
        extra = {"trunk_cache": training.cache() / "vision_trunk"} if kind == "vision" else {}
        extension = Extension(_previous_uri(context.resources.lake, name, kind), lambda: keys_fn(prepared),
                              lambda folder, state, rows: score_fn(folder, prepared, rows, config, state), _retrain_after_days(context),
                              _filler_versions(inputs, generation))  # fmt: skip
        built = train_or_reuse(_artifact_name(kind, generation), lambda work: train_fn(prepared, config, work, **extra),
                               prepared, config, _snapshots(context.resources.lake, generation), training.root,
                               training.cache(), extension=extension)  # fmt: skip
        context.log.info(f"{name}: {built.how} ({built.reason})")
        return Output(artifact_frame([built], generation), metadata=_metadata(built))

    return _model


def _fusion_asset(generation: int):
    name, text_in, vision_in = (model_asset_name(k, generation) for k in ("fusion", "text", "vision"))

    @asset(name=name, ins=_ins(generation, text_in, vision_in), group_name=group_of(generation), **MODEL_ASSET_OPTIONS)
    def _fusion(context: AssetExecutionContext, **inputs):
        """Per task, a network on both fine-tuned embeddings plus all other attributes (masked when missing); one
        artifact per merger (concatenation, modality attention with KL-to-uniform). From generation 2 on the
        inputs are the filled attributes; each task still learns only from its observed values. A batch of new
        objects is scored with the current networks until they are due for training (``retrain_after_days``)."""
        original, features = training_data(inputs, generation)
        training = context.resources.model_training
        config, upstream = training.config(), (inputs[text_in]["uri"][0], inputs[vision_in]["uri"][0])
        text, vision = artifacts.load(upstream[0])[0], artifacts.load(upstream[1])[0]
        bases = (*(base_of(u) for u in upstream), *_filler_versions(inputs, generation))
        built = []
        for merger in MERGERS:
            model_name = f"fusion_{merger}"
            train = lambda work, m=merger: train_fusion_model(original, text, vision, config, work, m, features=features)  # noqa: E731
            score = lambda folder, state, rows, m=merger: score_fusion_model(folder, state, original, text, vision, rows, config, m, features=features)  # noqa: E731
            extension = Extension(_previous_uri(context.resources.lake, name, model_name),
                                  lambda: fusion_input_keys(original, text, vision, features), score,
                                  _retrain_after_days(context), bases)  # fmt: skip
            built.append(train_or_reuse(_artifact_name(model_name, generation), train, original, config,
                                        _snapshots(context.resources.lake, generation), training.root, training.cache(),
                                        upstream, extension))  # fmt: skip
            context.log.info(f"generation {generation} fusion model, {merger} merger: {built[-1].how} ({built[-1].reason})")
        attention = built[1].model
        weights = attention.predictions.modality_weights
        metadata = {f"{b.model.name}:{k}": v for b in built for k, v in _metadata(b).items()}
        metadata["collapsed_share"] = MetadataValue.float(collapsed_share(weights))
        metadata["modality_weights"] = png_markdown(modality_weights_png(weights, attention.info["modalities"]), "modality weights")
        metadata["mean_modality_weights"] = MetadataValue.json(dict(zip(attention.info["modalities"], weights.mean(axis=0).round(3).tolist())))
        return Output(artifact_frame(built, generation), metadata=metadata)

    return _fusion


def generation_model_assets(generation: int) -> list:
    """The text, vision and fusion model assets of one generation."""
    return [
        _single_asset("text", train_text_model, score_text_model, text_keys, generation,
                      "Sentence encoder fine-tuned with one decoder per task (price, mass, materials, category, ratings)."),
        _single_asset("vision", train_vision_model, score_vision_model, image_keys, generation,
                      "timm backbone fine-tuned on all of a listing's images (features summed), same decoders."),
        _fusion_asset(generation),
    ]  # fmt: skip


def load_models(*frames: pl.DataFrame):
    """(model, asins) of every artifact row of the given model-asset frames."""
    return [artifacts.load(uri) for frame in frames for uri in frame["uri"].to_list()]


text_model, vision_model, fusion_model = generation_model_assets(1)
