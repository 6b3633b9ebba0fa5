"""Train the fusion ("everything") models: per task, one network reading both fine-tuned embeddings and every other
attribute (the paper's task-specific models), with the chosen merger. Also predicts with 30 % of the images
hidden (seeded) to show that the mask, not a zero image, carries the missing modality."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.data import MultiTaskData, target_arrays
from emma_pipeline.models.fusion_inputs import id_inputs, standardize, tabular_features
from emma_pipeline.models.fusion_net import FusionNet
from emma_pipeline.models.predictions import from_outputs
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.tasks import TASKS, TaskConfig, everything
from emma_pipeline.models.text_model import build_heads
from emma_pipeline.models.trained import TrainedModel, calibrated, finish
from emma_pipeline.models.training import fit, run, seed

DROP_SHARE = 0.3


def fusion_arrays(prepared: Prepared, text: TrainedModel | None, vision: TrainedModel | None,
                  inputs: tuple[str, ...], features: Prepared | None = None) -> dict[str, np.ndarray]:
    """Inputs from ``features`` (default ``prepared``; a later generation passes its filled data), targets
    from ``prepared``."""
    features = features or prepared
    train, n = prepared.rows("train"), len(prepared.asins)
    arrays: dict[str, np.ndarray] = {}
    if "text" in inputs and text is not None:
        arrays["text"] = standardize(text.embedding, train)
    if "image" in inputs and vision is not None:
        present = vision.predictions.available
        arrays["image"], arrays["image_present"] = standardize(vision.embedding, train, present), present.astype(np.float32)
    tabular = tabular_features(features, inputs)
    if tabular.shape[1]:
        arrays["tabular"] = tabular
    arrays.update(id_inputs(features, inputs))
    arrays.update(target_arrays(prepared.targets))
    assert all(len(v) == n for v in arrays.values())
    return arrays


def _net(task: TaskConfig, arrays: dict, prepared: Prepared, config: ModelConfig, merger: str) -> FusionNet:
    dims = {m: arrays[m].shape[1] for m in ("text", "image", "tabular") if m in arrays}
    n_types = int(arrays["product_type"].max()) + 1 if "product_type" in arrays else 0
    return FusionNet(lambda width: build_heads(width, task, prepared, config), dims, merger, width=config.hidden // 2,
                     n_product_types=n_types, n_category_nodes=prepared.hierarchy.size if "category_node" in arrays else 0,
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
    for task in tasks:
        spec = everything(task)
        arrays = fusion_arrays(prepared, text, vision, spec.inputs, features)
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
    return model
