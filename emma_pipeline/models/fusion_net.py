"""Fusion ("everything") model: standardized text and image embeddings plus tabular attributes, merged by
concatenation (the paper's late fusion) or by the Rakuten modality-attention merger (per-modality LayerNorm,
softmax weights over the modalities present, KL-to-uniform regularizer)."""

from __future__ import annotations

import math

import torch
from torch import nn

MERGERS = ("concat", "attention")


def kl_budget(k: torch.Tensor, free_max_weight: float) -> torch.Tensor:
    """KL to uniform of the weights (m, (1 − m)/(k − 1), ...) over k modalities, m = ``free_max_weight``: the
    KL an object may have before the regularizer acts. 0 where m ≤ 1/k (and for k ≤ 1)."""
    k = k.clamp(min=1)
    m = torch.clamp(torch.full_like(k, float(free_max_weight)), max=1 - 1e-6)
    rest = ((1 - m) / (k - 1).clamp(min=1)).clamp(min=1e-12)
    kl = k.log() + m * m.clamp(min=1e-12).log() + (1 - m) * rest.log()
    return torch.where((k > 1) & (m > 1 / k), kl, torch.zeros_like(kl))


def kl_to_uniform(weights: torch.Tensor, present: torch.Tensor, free_max_weight: float = 0.0) -> torch.Tensor:
    """Mean over objects of KL(p || uniform over the modalities present) = log k − H(p), the Rakuten paper's
    regularizer. With ``free_max_weight`` m > 0 only the KL beyond that of weights (m, rest spread evenly) counts
    (a hinge): objects whose weights are no more peaked than that are not pushed toward uniform at all, so the
    penalty acts against collapse onto one modality without bending balanced weights."""
    p = weights.clamp(min=1e-12)
    entropy = -(weights * p.log() * present).sum(dim=1)
    k = present.sum(dim=1)
    kl = k.clamp(min=1).log() - entropy
    if free_max_weight > 0:
        kl = (kl - kl_budget(k, free_max_weight)).clamp(min=0)
    return kl.mean()


class FusionNet(nn.Module):
    """``dims``: input width per modality (``text``, ``image``, ``tabular``; absent keys are not used).
    ``n_product_types`` / ``n_category_nodes``: embedding vocabularies for id inputs (0 = missing), or 0."""

    def __init__(self, heads_factory, dims: dict[str, int], merger: str = "attention", width: int = 128,
                 n_product_types: int = 0, n_category_nodes: int = 0, id_dim: int = 16,
                 modality_dropout: float = 0.0, kl_free_max_weight: float = 0.0) -> None:
        super().__init__()
        self.kl_free_max_weight = kl_free_max_weight  # see ``kl_to_uniform``
        self.modality_dropout = modality_dropout  # training only: hide the image of this share of objects
        if merger not in MERGERS:
            raise ValueError(f"merger must be one of {MERGERS}, got {merger!r}")
        self.merger, self.modalities = merger, tuple(m for m in ("text", "image", "tabular") if dims.get(m))
        self.product_type = nn.Embedding(n_product_types, id_dim) if n_product_types else None
        self.category = nn.Embedding(n_category_nodes + 1, id_dim) if n_category_nodes else None
        extra = id_dim * ((self.product_type is not None) + (self.category is not None))
        if extra and "tabular" not in self.modalities:
            self.modalities = (*self.modalities, "tabular")
        in_dims = {m: dims.get(m, 0) + (extra if m == "tabular" else 0) for m in self.modalities}
        self.project = nn.ModuleDict({m: nn.Sequential(nn.LayerNorm(d), nn.Linear(d, width), nn.GELU(), nn.LayerNorm(width))
                                      for m, d in in_dims.items()})  # fmt: skip
        self.score = nn.Linear(width * len(self.modalities), len(self.modalities)) if merger == "attention" else None
        self.heads = heads_factory(width * len(self.modalities))

    def _tabular(self, batch: dict) -> torch.Tensor:
        parts = [batch["tabular"]] if "tabular" in batch else []
        if self.product_type is not None:
            parts.append(self.product_type(batch["product_type"]))
        if self.category is not None:
            parts.append(self.category(batch["category_node"]))
        return torch.cat(parts, dim=1)

    def forward(self, batch: dict) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        inputs = {m: (self._tabular(batch) if m == "tabular" else batch[m]) for m in self.modalities}
        present = torch.stack([batch.get(f"{m}_present", torch.ones(len(inputs[m]), device=inputs[m].device))
                               for m in self.modalities], dim=1).float()  # fmt: skip
        if self.training and self.modality_dropout and "image" in self.modalities:
            column = self.modalities.index("image")
            keep = (torch.rand(len(present), device=present.device) >= self.modality_dropout).float()
            present = present.clone()
            present[:, column] = present[:, column] * keep
        hidden = [self.project[m](inputs[m]) * present[:, i : i + 1] for i, m in enumerate(self.modalities)]
        extras: dict[str, torch.Tensor] = {}
        if self.score is not None:
            scores = self.score(torch.cat(hidden, dim=1)).masked_fill(present == 0, -math.inf)
            weights = torch.softmax(scores, dim=1)
            hidden = [h * weights[:, i : i + 1] * len(self.modalities) for i, h in enumerate(hidden)]
            extras = {"modality_weights": weights, "kl_to_uniform": kl_to_uniform(weights, present, self.kl_free_max_weight)}
        merged = torch.cat(hidden, dim=1)
        extras["embedding"] = merged
        return self.heads(merged), extras
