"""When to stop labeling: the "stabilizing predictions" criterion (Bloodgood & Vijay-Shanker, 2009).

A fixed random sample of objects (the *stop set*, chosen once per property and never shown for labeling on its
own account) is scored after every retrain. When the predicted labels of the last ``window`` retrains agree with
their predecessors at Cohen's kappa >= ``kappa`` and both classes have at least ``min_per_class`` labels, new
labels have stopped changing the model's decisions: the hint says to review, then materialize. Kappa (not raw
agreement) keeps a rare property from looking stable just because almost everything is negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STOP_SET_SIZE = 2000
KAPPA = 0.99
WINDOW = 3
MIN_PER_CLASS = 25


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if len(a) == 0:
        return 1.0
    observed = float(np.mean(a == b))
    pa, pb = float(a.mean()), float(b.mean())
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected >= 1.0 else (observed - expected) / (1 - expected)


def stop_set(n_objects: int, seed: int, size: int = STOP_SET_SIZE) -> np.ndarray:
    return np.sort(np.random.default_rng(seed).choice(n_objects, min(size, n_objects), replace=False))


@dataclass(frozen=True)
class StoppingHint:
    stop: bool
    message: str
    kappas: tuple[float, ...]


def stopping_hint(predictions: list[np.ndarray], positives: int, negatives: int, kappa: float = KAPPA,
                  window: int = WINDOW, min_per_class: int = MIN_PER_CLASS) -> StoppingHint:  # fmt: skip
    """``predictions``: the stop set's predicted labels after each retrain, oldest first."""
    kappas = tuple(cohen_kappa(a, b) for a, b in zip(predictions[:-1], predictions[1:]))[-window:]
    if positives < min_per_class or negatives < min_per_class:
        need = f"{max(0, min_per_class - positives)} more positives, {max(0, min_per_class - negatives)} more negatives"
        return StoppingHint(False, f"keep labeling: at least {min_per_class} of each class first ({need})", kappas)
    if len(kappas) < window:
        return StoppingHint(False, f"keep labeling: {window - len(kappas)} more retrain(s) before stability can be judged", kappas)
    if min(kappas) >= kappa:
        return StoppingHint(True, f"predictions stable (kappa >= {kappa} over the last {window} retrains): "
                                  "review, then materialize", kappas)  # fmt: skip
    return StoppingHint(False, f"keep labeling: predictions still moving (lowest kappa {min(kappas):.3f} < {kappa})", kappas)
