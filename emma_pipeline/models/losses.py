"""The paper's task losses (appendix, "Losses") as pure torch functions. A missing target contributes nothing:
every loss averages only over the objects (and material nodes, category levels) that carry a label, and returns
an exact zero that still backpropagates when a batch holds none."""

from __future__ import annotations

import torch
import torch.nn.functional as F

TASK_WEIGHTS = {"price": 5.0, "mass": 5.0, "materials": 140.0, "category": 1.0, "ratings": 1.0}


def _zero(like: torch.Tensor) -> torch.Tensor:
    return like.sum() * 0.0


def alde_loss(log_pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Absolute log difference error |log p − log t| (image2mass), averaged over finite positive targets.
    ``log_pred`` is the network's output in log units; ``target`` in natural units, NaN where unknown."""
    known = torch.isfinite(target) & (target > 0)
    if not known.any():
        return _zero(log_pred)
    return (log_pred[known] - torch.log(target[known])).abs().mean()


def material_loss(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean BCE over the taxonomy's nodes per object, then over labeled objects. ``mask`` is 0 for nodes that do
    not count: every node of an object without material labels, and the descendants of a labeled internal node
    (the model is not penalized for being more specific than the label)."""
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none") * mask
    counted = mask.sum(dim=1)
    labeled = counted > 0
    if not labeled.any():
        return _zero(logits)
    return (bce.sum(dim=1)[labeled] / counted[labeled]).mean()


def conditional_log_probs(logits: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
    """log P(node | its parent): a log-softmax of (B, N) node logits within each sibling group (``group`` (N,))."""
    batch, _ = logits.shape
    n_groups = int(group.max()) + 1
    index = group.unsqueeze(0).expand_as(logits)
    floor = torch.full((batch, n_groups), float("-inf"), dtype=logits.dtype, device=logits.device)
    group_max = floor.scatter_reduce(1, index, logits.detach(), reduce="amax", include_self=True)
    shifted = logits - group_max.gather(1, index)
    sums = torch.zeros((batch, n_groups), dtype=logits.dtype, device=logits.device).scatter_add(1, index, shifted.exp())
    return shifted - sums.log().gather(1, index)


def level_weights(levels: int, decay: float = 0.5) -> torch.Tensor:
    """Weight of each taxonomy level, root first: ``decay ** level`` (matching the top matters most)."""
    return decay ** torch.arange(levels, dtype=torch.float32)


def category_loss(logits: torch.Tensor, paths: torch.Tensor, group: torch.Tensor, decay: float = 0.5) -> torch.Tensor:
    """Cross entropy at every level of the object's path, each among the children of the correct parent only,
    combined as a weighted mean over the levels the object has; objects without a category (all -1) are skipped.
    ``paths``: (B, L) node indices root first, -1 padded."""
    valid = paths >= 0
    has = valid.any(dim=1)
    if not has.any():
        return _zero(logits)
    log_p = conditional_log_probs(logits, group).gather(1, paths.clamp(min=0))
    weights = level_weights(paths.shape[1], decay).to(logits.device) * valid
    per_object = -(log_p * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-12)
    return per_object[has].mean()


def rating_loss(logits: torch.Tensor, target: torch.Tensor, review_count: torch.Tensor) -> torch.Tensor:
    """KL(target || predicted) of the 1–5 star distribution, each listing weighted by log(1 + its review count)
    (the paper's "log of the number of reviews"; the +1 keeps single-review listings from weighing exactly 0).
    ``target`` rows are NaN for listings without reviews."""
    known = torch.isfinite(target).all(dim=1) & (review_count > 0)
    if not known.any():
        return _zero(logits)
    t = target[known]
    kl = (torch.xlogy(t, t) - t * F.log_softmax(logits[known], dim=1)).sum(dim=1)
    weight = torch.log1p(review_count[known].float())
    return (kl * weight).sum() / weight.sum()


def combine(losses: dict[str, torch.Tensor], weights: dict[str, float] | None = None) -> torch.Tensor:
    """The weighted average of the task losses (paper Table 4 weights by default)."""
    weights = weights or TASK_WEIGHTS
    total = sum(weights[task] * loss for task, loss in losses.items())
    return total / sum(weights[task] for task in losses)
