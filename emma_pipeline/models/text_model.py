"""Train the text model (sentence encoder + decoders) on the train split and predict every object; score the objects
of a later batch with the trained network."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emma_pipeline.models.baselines import priors
from emma_pipeline.models.checkpoints import inference_checkpoint, load_weights
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.data import MultiTaskData, target_arrays
from emma_pipeline.models.heads import TaskHeads
from emma_pipeline.models.input_keys import text_keys
from emma_pipeline.models.inputs import cached_text_trunk, text_trunk_bytes, tokenize
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.tasks import TaskConfig, named
from emma_pipeline.models.text_net import TextNet, load_text_backbone
from emma_pipeline.models.trained import TrainedModel, finish
from emma_pipeline.models.training import fit, run, seed


def build_heads(in_dim: int, task: TaskConfig, prepared: Prepared, config: ModelConfig,
                n_categories: int | None = None) -> TaskHeads:  # fmt: skip
    """Decoders with biases at the training priors; ``n_categories``: the category-node count of a stored network
    that is about to be loaded (no priors: its weights replace them)."""
    if n_categories is not None:
        return TaskHeads(in_dim, task.outputs, prepared.materials.size, n_categories, config.hidden, config.dropout)
    init = priors(prepared.targets.subset(prepared.rows("train")), prepared.hierarchy)
    return TaskHeads(in_dim, task.outputs, prepared.materials.size, prepared.hierarchy.size, config.hidden,
                     config.dropout, init_bias=init)  # fmt: skip


def _text_net(prepared: Prepared, config: ModelConfig, task: TaskConfig, backbone: tuple | None,
              n_categories: int | None = None) -> tuple[TextNet, object]:  # fmt: skip
    model, tokenizer = backbone or load_text_backbone(config.text_model)
    net = TextNet(model, None, config.text_trainable_layers)
    seed(config)
    net.heads = build_heads(net.dim, task, prepared, config, n_categories)
    return net, tokenizer


def _text_inputs(net: TextNet, tokenizer, texts: list, config: ModelConfig) -> dict[str, np.ndarray]:
    tokens = tokenize(texts, tokenizer, config.max_seq_len)
    # the frozen bottom runs once here instead of in every epoch and prediction pass, when its outputs fit the budget
    if net.cacheable and text_trunk_bytes(net, tokens) <= config.trunk_cache_max_gb * 2**30:
        tokens = cached_text_trunk(net, tokens)
        net.inputs_are_trunk_features = True
    return tokens


def train_text_model(prepared: Prepared, config: ModelConfig, work_dir: Path, task: TaskConfig | None = None,
                     backbone: tuple | None = None, callbacks: tuple = ()) -> TrainedModel:
    """``backbone``: an already built (transformers model, tokenizer) pair, e.g. a tiny one in tests."""
    task = task or named("text")[0]
    net, tokenizer = _text_net(prepared, config, task, backbone)
    tokens = _text_inputs(net, tokenizer, prepared.objects["text"].to_list(), config)
    arrays = {**tokens, **target_arrays(prepared.targets)}
    data = MultiTaskData(arrays, prepared.rows("train"), prepared.rows("val"), config.batch_size, config.seed, config.num_workers)
    fit(net, data, task.outputs, prepared.hierarchy, config, work_dir, callbacks=callbacks)
    outputs = run(net, data.loader_for(np.arange(len(prepared.asins))), prepared.hierarchy)
    info = {"text_model": config.text_model, "max_seq_len": config.max_seq_len, "trainable_layers": config.text_trainable_layers,
            "cached_trunk": net.inputs_are_trunk_features}
    model = finish("text", "text", None, outputs, np.ones(len(prepared.asins), bool), prepared, task.outputs, info)
    model.state["input_key"] = text_keys(prepared)
    return model


def score_text_model(folder: Path, prepared: Prepared, rows: np.ndarray, config: ModelConfig, state: dict,
                     task: TaskConfig | None = None, backbone: tuple | None = None) -> tuple[dict, np.ndarray]:
    """(raw outputs, available) of the trained network in ``folder`` (``state``: the stored model's) for ``rows``
    of ``prepared``; category outputs over the nodes the network was trained on."""
    known = prepared.hierarchy.prefix(len(state["category_nodes"]))
    net, tokenizer = _text_net(prepared, config, task or named("text")[0], backbone, known.size)
    load_weights(net, inference_checkpoint(folder))
    texts = prepared.objects["text"].to_list()
    tokens = _text_inputs(net, tokenizer, [texts[r] for r in rows], config)
    everyone = np.arange(len(rows))
    outputs = run(net, MultiTaskData(tokens, everyone, everyone, config.batch_size).loader_for(everyone), known)
    return outputs, np.ones(len(rows), bool)
