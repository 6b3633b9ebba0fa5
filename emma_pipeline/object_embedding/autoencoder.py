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
    # Steps, not epochs, bring the loss down: batches of 64 give the 3,000-listing sample (2,580 objects) ~1,200
    # steps in 30 epochs, ~2 CPU minutes; batches of 256 for 20 epochs left the loss at ~0.12 (standardized).
    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 3e-3  # the peak of a one-cycle schedule (warm-up, then cosine annealing)
    weight_decay: float = 1e-4
    # Whole blocks (an image, the price, the materials...) hidden from the reconstruction's input, never from
    # its target, with this probability (denoising). Off: it keeps the reconstruction from going below ~0.04
    # (standardized), and the contrastive views below teach partial objects where to land more directly.
    block_dropout: float = 0.0
    # Each block weighs the same in the loss whatever its width: plain L2 lets the 1280-d image block outweigh
    # the 384-d text block and drown the one-column price and mass.
    balance_blocks: bool = True
    categorical_weight: float = 0.1  # cross entropy next to a mean squared error of ~1 per entry at the start
    # InfoNCE between each object and a view of it as another seller would list it: the listing-level blocks
    # (price, mass, materials, reviews, the image) and the categoricals hidden at ``view_dropout``, the identity
    # blocks kept (hidden at ``view_identity_dropout``), Gaussian noise of ``view_noise`` standard deviations on
    # what is shown; on the batch-standardized bottleneck. A re-listing, or a query that states only its text,
    # then lands on the object, apart from the others of its category. Tuned on generator seed 0 (95 queries;
    # search Recall@1/5/10): off 0.63/0.85/0.95; text and image kept, the rest hidden at 0.5, noise 0.2,
    # 0.74/0.95/0.99; text as the only identity block, the rest hidden at 0.7, noise 0.1, 0.98/1/1 (raw text
    # 0.99/1/1). The image is not an identity block by default: sellers re-shoot or edit pictures, and a
    # pretrained image encoder finds another listing's photo of the product only a third of the time at rank 1
    # (image alone 0.35). Seed 1, out of sample: 0.94/0.99/1 against 0.69/0.85/0.96 off (README).
    contrastive_weight: float = 1.0
    view_dropout: float = 0.7
    identity_blocks: tuple[str, ...] = ("text",)
    view_identity_dropout: float = 0.0
    view_noise: float = 0.1
    temperature: float = 0.1
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


def contrastive_loss(first, second, temperature: float):
    """Symmetric InfoNCE: row i of ``first`` and of ``second`` are two views of one object, every other row of
    the batch a negative. Both are standardized per unit over the batch (as the published embedding is over the
    objects), then compared by cosine."""
    def unit(h):
        h = (h - h.mean(dim=0)) / h.std(dim=0).clamp_min(1e-6)
        return nn.functional.normalize(h, dim=1)

    logits = unit(first) @ unit(second).T / temperature
    target = torch.arange(len(first), device=first.device)
    return (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.T, target)) / 2


def categorical_loss(logits: dict, categorical: dict):
    """Cross entropy of each known categorical (id 0 = unknown contributes nothing)."""
    losses = []
    for name, scores in logits.items():
        target = categorical[name]
        known = target > 0
        if known.any():
            losses.append(nn.functional.cross_entropy(scores[known], target[known]))
    return torch.stack(losses).mean() if losses else torch.zeros((), device=next(iter(logits.values())).device)
