"""Fit a network with Lightning (resuming from its last checkpoint) and run it over rows to stack its outputs."""

from __future__ import annotations

import logging
from pathlib import Path

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger

from emma_pipeline.models.callbacks import FreezeEncoder
from emma_pipeline.models.checkpoints import LAST_CHECKPOINT
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.data import MultiTaskData
from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.module import MultiTaskModule, stack_outputs



def seed(config: ModelConfig) -> None:
    """Seed every generator before a network's random initialization, so a model's weights depend on its config's
    seed alone, not on what ran before it in the process (``fit`` seeds again before training)."""
    L.seed_everything(config.seed, workers=True, verbose=False)


def fit(net: torch.nn.Module, data: MultiTaskData, tasks: tuple[str, ...], hierarchy: CategoryHierarchy,
        config: ModelConfig, work_dir: Path, epochs: int | None = None, freeze_epochs: int | None = None,
        callbacks: tuple = ()) -> MultiTaskModule:
    """Train ``net`` in place; checkpoints go to ``work_dir/checkpoints`` every epoch, and a re-run after an
    interruption resumes from ``last.ckpt`` (same epoch count, same optimizer state). When there are val rows, the
    epoch with the lowest ``val/loss`` is kept and its weights are loaded back at the end (early stopping by
    selection: the many-epoch fusion runs would otherwise predict from their most over-fitted epoch), and training
    stops after ``config.early_stopping_patience`` epochs without improvement."""
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    seed(config)
    module = MultiTaskModule(net, tasks, hierarchy, config)
    checkpoints = Path(work_dir) / "checkpoints"
    monitor = "val/loss" if len(data.val_rows) else None
    saver = ModelCheckpoint(dirpath=checkpoints, save_last=True, save_top_k=1, every_n_epochs=1, monitor=monitor, mode="min")
    stopper = [EarlyStopping(monitor, patience=config.early_stopping_patience, mode="min")] if monitor and config.early_stopping_patience > 0 else []
    trainer = L.Trainer(
        max_epochs=config.epochs if epochs is None else epochs,
        accelerator=config.accelerator, devices=config.devices, strategy=config.strategy, precision=config.precision,
        gradient_clip_val=config.gradient_clip, callbacks=[FreezeEncoder(config.freeze_epochs if freeze_epochs is None else freeze_epochs), saver, *stopper, *callbacks],
        logger=CSVLogger(str(work_dir), name="logs", version=0), enable_progress_bar=False, enable_model_summary=False,
        num_sanity_val_steps=0, limit_train_batches=config.limit_batches, limit_val_batches=config.limit_batches,
        deterministic="warn",
    )  # fmt: skip
    last = checkpoints / LAST_CHECKPOINT
    trainer.fit(module, datamodule=data, ckpt_path=str(last) if last.exists() else None)
    if monitor and saver.best_model_path and Path(saver.best_model_path).exists():
        best = torch.load(saver.best_model_path, map_location="cpu", weights_only=False)
        module.load_state_dict(best["state_dict"])
        module.best_epoch = int(best["epoch"])
    return module


@torch.no_grad()
def run(net: torch.nn.Module, loader, hierarchy: CategoryHierarchy) -> dict[str, np.ndarray]:
    """Stacked raw outputs (and ``embedding`` / ``modality_weights``) of ``net`` in eval mode over ``loader``."""
    net.eval()
    group = torch.as_tensor(hierarchy.group, dtype=torch.long)
    parts: dict[str, list[np.ndarray]] = {}
    for batch in loader:
        outputs, extras = net(batch)
        stacked = {**stack_outputs(outputs, group), **{k: v for k, v in extras.items() if v.dim() > 0}}
        for key, value in stacked.items():
            parts.setdefault(key, []).append(value.float().cpu().numpy())
    return {key: np.concatenate(values) for key, values in parts.items()}
