"""One small decoder per task on a shared representation. Output biases start at the training priors (log median
price and mass, material frequencies, mean rating distribution), so an untrained head predicts the baseline."""

from __future__ import annotations

import torch
from torch import nn


def output_sizes(n_materials: int, n_categories: int) -> dict[str, int]:
    return {"price": 1, "mass": 1, "materials": n_materials, "category": n_categories, "ratings": 5}


class TaskHeads(nn.Module):
    def __init__(self, in_dim: int, tasks: tuple[str, ...], n_materials: int, n_categories: int, hidden: int = 256,
                 dropout: float = 0.1, init_bias: dict[str, torch.Tensor] | None = None) -> None:
        super().__init__()
        sizes = output_sizes(n_materials, n_categories)
        self.tasks = tuple(tasks)
        self.decoders = nn.ModuleDict({
            task: nn.Sequential(nn.Linear(in_dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, sizes[task]))
            for task in self.tasks
        })  # fmt: skip
        for task, bias in (init_bias or {}).items():
            if task in self.decoders:
                with torch.no_grad():
                    self.decoders[task][-1].bias.copy_(torch.as_tensor(bias, dtype=torch.float32).reshape(-1))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out = {task: decoder(x) for task, decoder in self.decoders.items()}
        for task in ("price", "mass"):
            if task in out:
                out[task] = out[task].squeeze(-1)
        return out
