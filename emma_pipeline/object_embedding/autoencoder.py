"""The bottleneck autoencoder (paper appendix, Figure 7): one hidden layer between the standardized input and
its reconstruction. The categorical inputs enter through learned 128-d embeddings and are reconstructed as
classes (cross entropy), not as their own embeddings: a learned vector that is also its own target would shrink
to zero and look perfectly reconstructed."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class AutoencoderConfig:
    bottleneck: int = 2048  # the paper's embedding width
    categorical_dim: int = 128  # the paper's product-type and category embeddings
    epochs: int = 40
    batch_size: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    # Whole blocks (an image, the price, the materials...) hidden from the input, never from the target, with
    # this probability: the encoder learns to place an object that states only some attributes (a text query,
    # a listing without price) where the complete object would be.
    block_dropout: float = 0.2
    # True: each block weighs the same in the loss whatever its width (plain L2 lets the 1280-d image block
    # outweigh the 384-d text block and the one-column price and mass). Off by default, as in the paper: on a
    # 600-listing sample (25 search queries) it moved search Recall@1/5/10 from 0.56/0.88/1.00 to
    # 0.64/0.88/0.96, no clear gain.
    balance_blocks: bool = False
    categorical_weight: float = 0.1  # cross entropy next to a mean squared error of ~1 per entry at the start
    seed: int = 0
    device: str = "cpu"  # "cuda" / "mps" elsewhere: nothing else changes


class ObjectAutoencoder(nn.Module):
    def __init__(self, dense_dim: int, n_blocks: int, cardinalities: dict[str, int], config: AutoencoderConfig):
        super().__init__()
        self.cardinalities = dict(cardinalities)
        self.embeddings = nn.ModuleDict({k: nn.Embedding(n, config.categorical_dim) for k, n in cardinalities.items()})
        width = dense_dim + n_blocks + config.categorical_dim * len(cardinalities)
        self.encoder = nn.Linear(width, config.bottleneck)
        self.decoder = nn.Linear(config.bottleneck, dense_dim)
        self.heads = nn.ModuleDict({k: nn.Linear(config.bottleneck, n) for k, n in cardinalities.items()})

    def encode(self, values, presence, categorical: dict):
        parts = [values, presence] + [self.embeddings[k](categorical[k]) for k in self.embeddings]
        return nn.functional.gelu(self.encoder(torch.cat(parts, dim=1)))

    def forward(self, values, presence, categorical: dict):
        hidden = self.encode(values, presence, categorical)
        return hidden, self.decoder(hidden), {k: head(hidden) for k, head in self.heads.items()}


def reconstruction_loss(recon, values, mask, column_weight=None):
    """Mean squared error over the present standardized entries (the paper's standardized L2), each column
    weighted by ``column_weight`` when given."""
    weight = mask if column_weight is None else mask * column_weight
    return ((recon - values) ** 2 * weight).sum() / weight.sum().clamp_min(1e-12)


def categorical_loss(logits: dict, categorical: dict):
    """Cross entropy of each known categorical (id 0 = unknown contributes nothing)."""
    losses = []
    for name, scores in logits.items():
        target = categorical[name]
        known = target > 0
        if known.any():
            losses.append(nn.functional.cross_entropy(scores[known], target[known]))
    return torch.stack(losses).mean() if losses else torch.zeros((), device=next(iter(logits.values())).device)
