"""Train the vision model (timm backbone + decoders, features summed over a listing's images) and predict every
object that has a readable image; also predict from the first image only, to measure what summing buys."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emma_pipeline.models.checkpoints import inference_checkpoint, load_weights
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.data import MultiTaskData, target_arrays
from emma_pipeline.models.input_keys import image_keys
from emma_pipeline.models.inputs import cached_trunk_features, listing_pixels
from emma_pipeline.models.predictions import from_outputs
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.tasks import TaskConfig, named
from emma_pipeline.models.text_model import build_heads
from emma_pipeline.models.trained import TrainedModel, calibrated, finish
from emma_pipeline.models.training import fit, run, seed
from emma_pipeline.models.vision_net import VisionNet, load_vision_backbone


def _image_inputs(net: VisionNet, image_lists: list, config: ModelConfig,
                  trunk_cache: Path | None = None) -> tuple[dict, object, np.ndarray]:
    """(arrays, per-row loader or None, (n, I) image mask). A frozen trunk is run once and cached (on disk under
    ``trunk_cache`` when given)."""
    if net.frozen_trunk:
        features, masks, _ = cached_trunk_features(net, image_lists, config.image_size, config.max_images,
                                                   cache_dir=trunk_cache)  # fmt: skip
        net.inputs_are_trunk_features = True
        return {"images": features, "image_mask": masks}, None, masks
    masks = np.stack([listing_pixels(paths, 8, config.max_images)[1] for paths in image_lists])

    def load(row: int) -> dict:
        pixels, mask = listing_pixels(image_lists[row], config.image_size, config.max_images)
        return {"images": pixels, "image_mask": mask}

    return {}, load, masks


def _vision_net(prepared: Prepared, config: ModelConfig, task: TaskConfig, backbone,
                n_categories: int | None = None) -> VisionNet:  # fmt: skip
    net = VisionNet(backbone if backbone is not None else load_vision_backbone(config.image_model), None,
                    config.vision_trainable_blocks)  # fmt: skip
    seed(config)
    net.heads = build_heads(net.dim, task, prepared, config, n_categories)
    return net


def train_vision_model(prepared: Prepared, config: ModelConfig, work_dir: Path, task: TaskConfig | None = None,
                       backbone=None, callbacks: tuple = (), trunk_cache: Path | None = None) -> TrainedModel:
    """``trunk_cache``: a folder for the frozen trunk's features, shared by every vision model on these images."""
    task = task or named("vision")[0]
    net = _vision_net(prepared, config, task, backbone)
    image_lists = [paths or [] for paths in prepared.objects["image_urls"].to_list()]
    arrays, loader, masks = _image_inputs(net, image_lists, config, trunk_cache)
    available = masks.sum(axis=1) > 0
    arrays.update(target_arrays(prepared.targets))
    train, val = (rows[available[rows]] for rows in (prepared.rows("train"), prepared.rows("val")))
    data = MultiTaskData(arrays, train, val, config.batch_size, config.seed, config.num_workers, loader)
    fit(net, data, task.outputs, prepared.hierarchy, config, work_dir, callbacks=callbacks)
    everyone = np.arange(len(prepared.asins))
    outputs = run(net, data.loader_for(everyone), prepared.hierarchy)
    info = {"image_model": config.image_model, "image_size": config.image_size, "max_images": config.max_images,
            "trainable_blocks": config.vision_trainable_blocks, "listings_without_readable_image": int((~available).sum())}  # fmt: skip
    model = finish("vision", "vision", None, outputs, available, prepared, task.outputs, info)
    model.state["input_key"] = image_keys(prepared)
    if loader is None:  # cached features: the first image alone costs only the top of the network
        first = {**arrays, "image_mask": masks * (np.arange(masks.shape[1]) == 0)}
        single = run(net, MultiTaskData(first, train, val, config.batch_size).loader_for(everyone), prepared.hierarchy)
        keep = {k: v for k, v in single.items() if k in task.outputs}
        model.variants["first_image_only"] = calibrated(from_outputs(keep, available), prepared)
    return model


def score_vision_model(folder: Path, prepared: Prepared, rows: np.ndarray, config: ModelConfig, state: dict,
                       task: TaskConfig | None = None, backbone=None) -> tuple[dict, np.ndarray]:
    """(raw outputs, available) of the trained network in ``folder`` (``state``: the stored model's) for ``rows``
    of ``prepared``. The frozen trunk runs on these rows' images only (no disk cache: its one entry belongs to the
    whole image set)."""
    known = prepared.hierarchy.prefix(len(state["category_nodes"]))
    net = load_weights(_vision_net(prepared, config, task or named("vision")[0], backbone, known.size), inference_checkpoint(folder))
    image_lists = [paths or [] for paths in prepared.objects["image_urls"].to_list()]
    arrays, loader, masks = _image_inputs(net, [image_lists[r] for r in rows], config)
    everyone = np.arange(len(rows))
    outputs = run(net, MultiTaskData(arrays, everyone, everyone, config.batch_size, loader=loader).loader_for(everyone), known)
    return outputs, masks.sum(axis=1) > 0
