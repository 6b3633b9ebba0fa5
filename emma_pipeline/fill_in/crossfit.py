"""Bookkeeping that keeps a model from scoring a value it trained on.

Wherever observed values are scored (threshold tuning, mask-and-recover), the rows scored must be rows whose
values the scoring model never saw: either splits no model trains on, or the held-out fold of a K-fold split in
which the model of fold k is trained with fold k's values removed. ``fold_of`` is stable per ASIN (a hash), so a
rebuild puts an object in the same fold."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


class LeakError(AssertionError):
    """A model was asked to score values it trained on."""


def assert_not_trained_on(trained_rows: np.ndarray, scored_rows: np.ndarray, what: str) -> None:
    both = np.intersect1d(np.asarray(trained_rows), np.asarray(scored_rows))
    if both.size:
        raise LeakError(f"{what}: {both.size} scored rows were training rows of the scoring model (e.g. row {both[0]})")


def fold_of(asins: list[str], k: int, salt: str = "") -> np.ndarray:
    """(n,) fold in 0..k-1 from a hash of salt + ASIN."""
    if k < 1:
        raise ValueError(f"need at least one fold, got {k}")
    return np.array([int(hashlib.sha256(f"{salt}:{a}".encode()).hexdigest()[:8], 16) % k for a in asins], dtype=np.int64)


@dataclass(frozen=True)
class Fold:
    """One cross-fitting fold: per attribute the rows whose values are hidden from training and then scored."""

    index: int
    hidden: dict[str, np.ndarray]  # attribute -> row indices

    def check(self, training_observed: dict[str, np.ndarray]) -> None:
        """``training_observed``: attribute -> bool (n,) "the training tables state this value". Raises LeakError
        if any hidden value is still stated in the tables the fold's model trained on."""
        for attr, rows in self.hidden.items():
            if training_observed[attr][rows].any():
                leaked = rows[training_observed[attr][rows]]
                raise LeakError(f"fold {self.index}: {leaked.size} hidden {attr} values are in the training tables")


def kfold(asins: list[str], observed: dict[str, np.ndarray], k: int, salt: str = "crossfit") -> list[Fold]:
    """K folds over each attribute's observed rows (a row's fold is the same for every attribute); every observed
    value is hidden, and scored, exactly once."""
    folds = fold_of(asins, k, salt)
    return [Fold(f, {attr: np.flatnonzero(mask & (folds == f)) for attr, mask in observed.items()}) for f in range(k)]
