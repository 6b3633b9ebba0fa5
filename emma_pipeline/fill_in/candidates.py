"""A generation's candidate value and confidence for every object and attribute, from its trained models: the
filler (a fusion model) gives the value; confidence is the filler's own probability for materials and category,
and the agreement of the generation's models (text, vision, both fusion mergers) for price, mass and ratings,
which have no probability of their own."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emma_pipeline.fill_in.thresholds import mean_stars
from emma_pipeline.materials.consistency import Forest, make_consistent
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.trained import TrainedModel


@dataclass(frozen=True)
class Candidates:
    price: np.ndarray  # (n,)
    mass: np.ndarray
    material_probs: np.ndarray  # (n, M) taxonomy-consistent, original labels clamped
    model_material_probs: np.ndarray  # (n, M) the model's own consistent probabilities (nothing clamped): tuning
    material_sets: list[list[int]]  # per object the most specific node indices at p >= the material threshold
    material_cut: float  # the filler's material decision threshold (chosen on held-out rows when it was trained)
    category_paths: np.ndarray  # (n, L) node indices, -1 padded (greedy path)
    category_probs: np.ndarray  # (n, L) marginal probability of each path node, nan padded
    ratings: np.ndarray  # (n, 5)
    confidence: dict[str, np.ndarray]  # attribute -> (n,)
    consistency_conflicts: int


def material_forest(prepared: Prepared) -> Forest:
    return Forest(tuple(int(p) for p in prepared.materials.parent))


def agreement(values: list[np.ndarray]) -> np.ndarray:
    """exp(-std) of the models' values (NaN where a model had no input); 1 when they all agree."""
    stacked = np.stack(values)
    counts = np.isfinite(stacked).sum(axis=0)
    spread = np.nanstd(np.where(np.isfinite(stacked), stacked, np.nan), axis=0) if stacked.size else np.zeros(0)
    return np.where(counts >= 2, np.exp(-np.nan_to_num(spread, nan=np.inf)), np.nan)


def _per_model(models: dict[str, TrainedModel], task: str, transform) -> list[np.ndarray]:
    out = []
    for model in models.values():
        p = model.predictions
        value = getattr(p, task)
        if value is not None:
            out.append(np.where(p.available, transform(value), np.nan))
    return out


def most_specific_sets(probs: np.ndarray, parents: np.ndarray, cut: float = 0.5) -> list[list[int]]:
    """Nodes at p >= cut none of whose children are; the single likeliest node when none reach the cut."""
    held = probs >= cut
    has_held_child = np.zeros_like(held)
    for node, parent in enumerate(parents):
        if parent >= 0:
            has_held_child[:, parent] |= held[:, node]
    chosen = held & ~has_held_child
    return [np.flatnonzero(row).tolist() or [int(np.argmax(p))] for row, p in zip(chosen, probs)]


def candidates(models: dict[str, TrainedModel], filler: str, prepared: Prepared) -> Candidates:
    """``models`` by name (text, vision, fusion_concat, fusion_attention) of one generation."""
    p, t, h = models[filler].predictions, prepared.targets, prepared.hierarchy
    clamped = t.materials_mask > 0  # an original label (positive or negative) stays what the source said
    raw = np.where(clamped, t.materials, p.material_probs())
    forest = material_forest(prepared)
    consistent = make_consistent(raw, forest, clamped)
    unclamped = make_consistent(p.material_probs(), forest).probabilities.astype(np.float32)
    cut = float(p.material_threshold)
    sets = most_specific_sets(consistent.probabilities, prepared.materials.parent, cut)
    material_conf = np.array([consistent.probabilities[r, s].min() for r, s in enumerate(sets)])
    marginals = h.marginals(p.category_log_probs)
    paths = h.greedy_paths(marginals)
    rows = np.arange(len(paths))[:, None]
    path_probs = np.where(paths >= 0, marginals[rows, np.maximum(paths, 0)], np.nan)
    depth = (paths >= 0).sum(axis=1)
    leaf_prob = path_probs[np.arange(len(paths)), np.maximum(depth - 1, 0)]
    confidence = {
        "price": agreement(_per_model(models, "price", np.log)),
        "mass": agreement(_per_model(models, "mass", np.log)),
        "materials": material_conf.astype(np.float64),
        "category": np.where(depth > 0, leaf_prob, 0.0),
        "ratings": agreement(_per_model(models, "ratings", mean_stars)),
    }
    return Candidates(p.price.astype(np.float64), p.mass.astype(np.float64), consistent.probabilities.astype(np.float32),
                      unclamped, sets, cut, paths, path_probs, p.ratings.astype(np.float32), confidence,
                      int(consistent.conflicts.sum()))  # fmt: skip
