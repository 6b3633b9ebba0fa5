"""Standardize feature blocks into one matrix: each dense column to zero mean and unit variance over the objects
that have the block, absent blocks at 0 with a mask so no loss is taken on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emma_pipeline.object_embedding.features import FeatureBlocks

_MIN_STD = 1e-3  # a near-constant column (a material no fitted object has) is not blown up into noise


@dataclass(frozen=True)
class Standardizer:
    blocks: tuple[str, ...]
    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]

    @classmethod
    def fit(cls, features: FeatureBlocks) -> Standardizer:
        mean, std = {}, {}
        for name, values in features.dense.items():
            rows = values[features.present[name]]
            if len(rows) == 0:
                mean[name], std[name] = np.zeros(values.shape[1], np.float32), np.ones(values.shape[1], np.float32)
                continue
            mean[name] = rows.mean(axis=0).astype(np.float32)
            std[name] = np.maximum(rows.std(axis=0), _MIN_STD).astype(np.float32)
        return cls(tuple(features.dense), mean, std)

    @property
    def widths(self) -> dict[str, int]:
        return {name: len(self.mean[name]) for name in self.blocks}

    def transform(self, features: FeatureBlocks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, mask, presence): (n, D) standardized values (0 where absent), (n, D) mask of present entries,
        (n, blocks) presence flags in block order."""
        missing = set(self.blocks) - set(features.dense)
        if missing:
            raise ValueError(f"features lack block(s) {sorted(missing)} the embedding was trained with")
        values, masks = [], []
        for name in self.blocks:
            flag = features.present[name][:, None]
            standardized = (features.dense[name] - self.mean[name]) / self.std[name]
            values.append(np.where(flag, standardized, 0.0).astype(np.float32))
            masks.append(np.broadcast_to(flag, standardized.shape))
        presence = np.stack([features.present[name] for name in self.blocks], axis=1).astype(np.float32)
        return np.concatenate(values, axis=1), np.concatenate(masks, axis=1).astype(np.float32), presence

    def state(self) -> dict:
        return {"blocks": list(self.blocks), "mean": {k: v.tolist() for k, v in self.mean.items()},
                "std": {k: v.tolist() for k, v in self.std.items()}}  # fmt: skip

    @classmethod
    def from_state(cls, state: dict) -> Standardizer:
        return cls(tuple(state["blocks"]), {k: np.asarray(v, np.float32) for k, v in state["mean"].items()},
                   {k: np.asarray(v, np.float32) for k, v in state["std"].items()})  # fmt: skip
