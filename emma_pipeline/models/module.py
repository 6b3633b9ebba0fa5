"""The LightningModule: receives the network, computes the paper's weighted multi-task loss in one shared step,
logs ``train/loss`` and the metrics under ``val/<metric>`` (the same names as the metrics table)."""

from __future__ import annotations

import math

import lightning as L
import numpy as np
import torch

from emma_pipeline.models import losses
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.predictions import evaluate, from_outputs
from emma_pipeline.models.targets import Targets
from emma_pipeline.optim import adamw


def task_losses(outputs: dict, batch: dict, tasks: tuple[str, ...], group: torch.Tensor, decay: float) -> dict:
    found = {}
    for task in tasks:
        if task in ("price", "mass"):
            found[task] = losses.alde_loss(outputs[task], batch[f"t_{task}"])
        elif task == "materials":
            found[task] = losses.material_loss(outputs[task], batch["t_materials"], batch["t_materials_mask"])
        elif task == "category":
            found[task] = losses.category_loss(outputs[task], batch["t_category"], group, decay)
        elif task == "ratings":
            found[task] = losses.rating_loss(outputs[task], batch["t_ratings"], batch["t_review_count"])
    return found


class MultiTaskModule(L.LightningModule):
    def __init__(self, net: torch.nn.Module, tasks: tuple[str, ...], hierarchy: CategoryHierarchy,
                 config: ModelConfig) -> None:
        super().__init__()
        self.save_hyperparameters({"tasks": list(tasks), "config": config.as_dict()})
        self.net, self.tasks, self.hierarchy, self.config = net, tuple(tasks), hierarchy, config
        self.register_buffer("group", torch.as_tensor(hierarchy.group, dtype=torch.long), persistent=False)
        self._val_outputs: list[dict] = []

    def forward(self, batch: dict):
        return self.net(batch)

    def _step(self, batch: dict, stage: str) -> tuple[torch.Tensor, dict]:
        """(weighted loss, the network's outputs): validation reuses the outputs instead of a second forward."""
        outputs, extras = self.net(batch)
        found = task_losses(outputs, batch, self.tasks, self.group, self.config.category_level_decay)
        loss = losses.combine(found, self.config.task_weights)
        if "kl_to_uniform" in extras and self.config.kl_lambda:
            loss = loss + self.config.kl_lambda * extras["kl_to_uniform"]
        size = len(batch["t_price"])
        self.log(f"{stage}/loss", loss, batch_size=size, prog_bar=stage == "train", on_epoch=True)
        for task, value in found.items():
            self.log(f"{stage}/loss_{task}", value, batch_size=size, on_epoch=True)
        return loss, outputs

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        return self._step(batch, "train")[0]

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        _, outputs = self._step(batch, "val")
        self._val_outputs.append({**{k: v.detach().cpu() for k, v in stack_outputs(outputs, self.group).items()},
                                  **{k: v.detach().cpu() for k, v in batch.items() if k.startswith("t_")}})  # fmt: skip

    def on_validation_epoch_end(self) -> None:
        if not self._val_outputs:
            return
        merged = {k: torch.cat([o[k] for o in self._val_outputs]).numpy() for k in self._val_outputs[0]}
        self._val_outputs.clear()
        targets = Targets(price=merged["t_price"], mass=merged["t_mass"], materials=merged["t_materials"],
                          materials_mask=merged["t_materials_mask"], category=merged["t_category"],
                          ratings=merged["t_ratings"], review_count=merged["t_review_count"])  # fmt: skip
        preds = from_outputs({t: merged[t] for t in self.tasks}, np.ones(len(targets), dtype=bool))
        for name, value in evaluate(preds, targets, self.hierarchy).items():
            if not math.isnan(value):
                self.log(f"val/{name}", value)

    def configure_optimizers(self):
        encoder = list(getattr(self.net, "encoder_parameters", lambda: [])())
        ids = {id(p) for p in encoder}
        head = [p for p in self.net.parameters() if id(p) not in ids and p.requires_grad]
        groups = [{"params": head, "lr": self.config.lr_head}]
        if encoder:
            groups.append({"params": encoder, "lr": self.config.lr_encoder})
        optimizer = adamw(groups, weight_decay=self.config.weight_decay)
        total = max(int(self.trainer.estimated_stepping_batches), 1)
        warmup = max(int(total * self.config.warmup_fraction), 1)

        def schedule(step: int) -> float:  # linear warmup, then cosine down to 1 % (the paper's factor of 100)
            if step < warmup:
                return (step + 1) / warmup
            progress = min((step - warmup) / max(total - warmup, 1), 1.0)
            return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}


def stack_outputs(outputs: dict[str, torch.Tensor], group: torch.Tensor) -> dict[str, torch.Tensor]:
    """Raw outputs in the form ``predictions.from_outputs`` expects (category as log P(node | parent))."""
    out = dict(outputs)
    if "category" in out:
        out["category"] = losses.conditional_log_probs(out["category"], group)
    return out
