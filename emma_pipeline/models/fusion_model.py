"""Train the fusion ("everything") models: per task, one network reading both fine-tuned embeddings and every other
attribute (the paper's task-specific models), with the chosen merger. Also predicts with 30 % of the images
hidden (seeded) to show that the mask, not a zero image, carries the missing modality. A trained model scores the
objects of a later batch with its stored scaling statistics (``score_fusion_model``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.data import MultiTaskData, target_arrays
from emma_pipeline.models.checkpoints import inference_checkpoint, load_weights
from emma_pipeline.models.fusion_inputs import Scaler, id_inputs, tabular_features
from emma_pipeline.models.fusion_net import FusionNet
from emma_pipeline.models.input_keys import fusion_keys
from emma_pipeline.models.predictions import from_outputs
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.tasks import TASKS, TaskConfig, everything
from emma_pipeline.models.text_model import build_heads
from emma_pipeline.models.trained import TrainedModel, calibrated, finish
from emma_pipeline.models.training import fit, run, seed

DROP_SHARE = 0.3


def fusion_arrays(prepared: Prepared, text: TrainedModel | None, vision: TrainedModel | None,
                  inputs: tuple[str, ...], features: Prepared | None = None, scaler: Scaler | None = None,
                  n_product_types: int | None = None, n_category_nodes: int | None = None) -> dict[str, np.ndarray]:
    """Inputs from ``features`` (default ``prepared``; a later generation passes its filled data), targets
    from ``prepared``. ``scaler``: the standardization statistics (fitted on the train split when new; a stored
    model's when it scores a later batch, with its ``n_product_types``)."""
    features = features or prepared
    scaler = scaler if scaler is not None else Scaler()
    train, n = prepared.rows("train"), len(prepared.asins)
    arrays: dict[str, np.ndarray] = {}
    if "text" in inputs and text is not None:
        arrays["text"] = scaler("text", text.embedding, train)
    if "image" in inputs and vision is not None:
        present = vision.predictions.available
        arrays["image"], arrays["image_present"] = scaler("image", vision.embedding, train, present), present.astype(np.float32)
    tabular = tabular_features(features, inputs, scaler)
    if tabular.shape[1]:
        arrays["tabular"] = tabular
    arrays.update(id_inputs(features, inputs, n_product_types, n_category_nodes))
    arrays.update(target_arrays(prepared.targets))
    assert all(len(v) == n for v in arrays.values())
    return arrays


def _product_types(arrays: dict) -> int:
    return int(arrays["product_type"].max()) + 1 if "product_type" in arrays else 0


def _net(task: TaskConfig, arrays: dict, prepared: Prepared, config: ModelConfig, merger: str,
         n_types: int | None = None, n_categories: int | None = None) -> FusionNet:
    """``n_types`` / ``n_categories``: a stored network's vocabularies (it is about to be loaded)."""
    dims = {m: arrays[m].shape[1] for m in ("text", "image", "tabular") if m in arrays}
    n_types = _product_types(arrays) if n_types is None else n_types
    nodes = prepared.hierarchy.size if n_categories is None else n_categories
    return FusionNet(lambda width: build_heads(width, task, prepared, config, n_categories), dims, merger, width=config.hidden // 2,
                     n_product_types=n_types, n_category_nodes=nodes if "category_node" in arrays else 0,
                     modality_dropout=config.modality_dropout, kl_free_max_weight=config.kl_free_max_weight)  # fmt: skip


def train_fusion_model(prepared: Prepared, text: TrainedModel, vision: TrainedModel, config: ModelConfig,
                       work_dir: Path, merger: str = "attention", tasks: tuple[str, ...] = TASKS,
                       features: Prepared | None = None) -> TrainedModel:
    """``features``: where the inputs come from when they differ from the targets' tables (generation k + 1
    reads generation k's filled attributes as inputs but learns each task only from its observed values)."""
    outputs: dict[str, np.ndarray] = {}
    dropped: dict[str, np.ndarray] = {}
    weights: dict[str, np.ndarray] = {}
    hide = np.random.default_rng(config.seed).random(len(prepared.asins)) < DROP_SHARE
    everyone = np.arange(len(prepared.asins))
    scaler, n_types = Scaler(), {}
    for task in tasks:
        spec = everything(task)
        arrays = fusion_arrays(prepared, text, vision, spec.inputs, features, scaler)
        n_types[task] = _product_types(arrays)
        seed(config)
        net = _net(spec, arrays, prepared, config, merger)
        data = MultiTaskData(arrays, prepared.rows("train"), prepared.rows("val"), config.batch_size * 4, config.seed)
        fit(net, data, spec.outputs, prepared.hierarchy, config, Path(work_dir) / task, epochs=config.fusion_epochs,
            freeze_epochs=0)  # fmt: skip
        result = run(net, data.loader_for(everyone), prepared.hierarchy)
        outputs[task] = result[task]
        if "modality_weights" in result:
            weights[task] = result["modality_weights"]
        if "image_present" in arrays:
            masked = {**arrays, "image_present": arrays["image_present"] * ~hide}
            dropped[task] = run(net, MultiTaskData(masked, everyone, everyone, config.batch_size * 4).loader_for(everyone),
                                prepared.hierarchy)[task]  # fmt: skip
    if weights:
        outputs["modality_weights"] = np.mean(np.stack(list(weights.values())), axis=0)
    name = f"fusion_{merger}"
    info = {"merger": merger, "kl_lambda": config.kl_lambda if merger == "attention" else None,
            "kl_free_max_weight": config.kl_free_max_weight if merger == "attention" else None,
            "modalities": list(net.modalities), "images_hidden_share": DROP_SHARE,
            "modality_weights_per_task": {t: w.mean(axis=0).round(4).tolist() for t, w in weights.items()}}  # fmt: skip
    model = finish(name, "fusion", merger, outputs, np.ones(len(everyone), bool), prepared, tasks, info)
    if dropped:
        model.variants["images_dropped_30"] = calibrated(from_outputs(dropped, np.ones(len(everyone), bool)), prepared)
    model.info["images_hidden_rows"] = hide
    model.state.update(scaler.state())
    model.state.update({f"n_product_types.{task}": np.asarray(k) for task, k in n_types.items()})
    model.state["input_key"] = fusion_input_keys(prepared, text, vision, features)
    return model


def _upstream_columns(text: TrainedModel | None, vision: TrainedModel | None) -> tuple:
    return (text.embedding if text is not None else None, vision.embedding if vision is not None else None,
            vision.predictions.available if vision is not None else None)  # fmt: skip


def fusion_input_keys(prepared: Prepared, text: TrainedModel | None, vision: TrainedModel | None,
                      features: Prepared | None = None) -> np.ndarray:  # fmt: skip
    return fusion_keys(features or prepared, *_upstream_columns(text, vision))


def score_fusion_model(folder: Path, state: dict[str, np.ndarray], prepared: Prepared, text: TrainedModel,
                       vision: TrainedModel, rows: np.ndarray, config: ModelConfig, merger: str,
                       tasks: tuple[str, ...] = TASKS, features: Prepared | None = None) -> tuple[dict, np.ndarray]:
    """(raw outputs, available) of the trained per-task networks in ``folder/<task>`` for ``rows``: inputs scaled
    with the stored statistics; product types and category nodes newer than the model count as unknown."""
    scaler, outputs, weights = Scaler.from_state(state), {}, {}
    known = prepared.hierarchy.prefix(len(state["category_nodes"]))
    for task in tasks:
        spec, n_types = everything(task), int(state[f"n_product_types.{task}"])
        arrays = fusion_arrays(prepared, text, vision, spec.inputs, features, scaler, n_types, known.size)
        net = _net(spec, arrays, prepared, config, merger, n_types, known.size)
        net = load_weights(net, inference_checkpoint(Path(folder) / task))
        result = run(net, MultiTaskData(arrays, rows, rows, config.batch_size * 4).loader_for(rows), known)
        outputs[task] = result[task]
        if "modality_weights" in result:
            weights[task] = result["modality_weights"]
    if weights:
        outputs["modality_weights"] = np.mean(np.stack(list(weights.values())), axis=0)
    return outputs, np.ones(len(rows), bool)
