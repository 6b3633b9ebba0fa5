"""Train the text model (sentence encoder + decoders) on the train split and predict every object."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emma_pipeline.models.baselines import priors
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.data import MultiTaskData, target_arrays
from emma_pipeline.models.heads import TaskHeads
from emma_pipeline.models.inputs import cached_text_trunk, text_trunk_bytes, tokenize
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.tasks import TaskConfig, named
from emma_pipeline.models.text_net import TextNet, load_text_backbone
from emma_pipeline.models.trained import TrainedModel, finish
from emma_pipeline.models.training import fit, run, seed


def build_heads(in_dim: int, task: TaskConfig, prepared: Prepared, config: ModelConfig) -> TaskHeads:
    init = priors(prepared.targets.subset(prepared.rows("train")), prepared.hierarchy)
    return TaskHeads(in_dim, task.outputs, prepared.materials.size, prepared.hierarchy.size, config.hidden,
                     config.dropout, init_bias=init)  # fmt: skip


def train_text_model(prepared: Prepared, config: ModelConfig, work_dir: Path, task: TaskConfig | None = None,
                     backbone: tuple | None = None, callbacks: tuple = ()) -> TrainedModel:
    """``backbone``: an already built (transformers model, tokenizer) pair, e.g. a tiny one in tests."""
    task = task or named("text")[0]
    model, tokenizer = backbone or load_text_backbone(config.text_model)
    net = TextNet(model, None, config.text_trainable_layers)
    seed(config)
    net.heads = build_heads(net.dim, task, prepared, config)
    tokens = tokenize(prepared.objects["text"].to_list(), tokenizer, config.max_seq_len)
    # the frozen bottom runs once here instead of in every epoch and prediction pass, when its outputs fit the budget
    if net.cacheable and text_trunk_bytes(net, tokens) <= config.trunk_cache_max_gb * 2**30:
        tokens = cached_text_trunk(net, tokens)
        net.inputs_are_trunk_features = True
    arrays = {**tokens, **target_arrays(prepared.targets)}
    data = MultiTaskData(arrays, prepared.rows("train"), prepared.rows("val"), config.batch_size, config.seed, config.num_workers)
    fit(net, data, task.outputs, prepared.hierarchy, config, work_dir, callbacks=callbacks)
    outputs = run(net, data.loader_for(np.arange(len(prepared.asins))), prepared.hierarchy)
    info = {"text_model": config.text_model, "max_seq_len": config.max_seq_len, "trainable_layers": config.text_trainable_layers,
            "cached_trunk": net.inputs_are_trunk_features}
    return finish("text", "text", None, outputs, np.ones(len(prepared.asins), bool), prepared, task.outputs, info)
