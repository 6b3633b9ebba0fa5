"""Whether a build trains a model again or scores its new objects with the one it has (``extension.py``).

Training is the expensive part (minutes on the sample, hours at millions of objects) and a new model moves every
object's predictions and the fill-in built on them, so a batch is scored with the current model until it is
``retrain_after_days`` old (weekly by default; 0 trains whenever the inputs changed), or its training config,
the material taxonomy, a node of the category tree it knew, or an upstream model (the fusion models' text and vision
models) changed. Nodes added to the category tree are no reason: they get probability 0 until the next training. The same policy as the object embedding's refit (``object_embedding/refit.py``)."""

from __future__ import annotations

import json
import time

import numpy as np

from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.trained import TrainedModel, taxonomy_state

COMPUTE = ("accelerator", "devices", "strategy", "precision", "num_workers")  # where it runs, not what it is
LINEAGE = ("model", "upstream", "upstream_bases", "base", "extends", "trained_at")


def _normal(values: dict) -> dict:
    return json.loads(json.dumps(values, sort_keys=True, default=str))


def retrain_reason(resolved: dict, previous: TrainedModel, config: ModelConfig, prepared: Prepared,
                   upstream_bases: list[str], retrain_after_days: float, now: float | None = None) -> str | None:  # fmt: skip
    """Why the artifact of ``resolved`` (its config.json) and ``previous`` must not score ``prepared``; None if it may."""
    if retrain_after_days <= 0:
        return "retrain_after_days <= 0: every change of the inputs trains"
    if "trained_at" not in resolved or "input_key" not in previous.state:
        return "the current artifact predates scoring batches with a stored model"
    age = ((time.time() if now is None else now) - float(resolved["trained_at"])) / 86400
    if age >= retrain_after_days:
        return f"the model is {age:.1f} days old (retrain_after_days={retrain_after_days:g})"
    old = _normal({k: v for k, v in resolved.items() if k not in (*LINEAGE, *COMPUTE)})
    new = _normal({k: v for k, v in config.as_dict().items() if k not in COMPUTE})
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if changed:
        return f"training config changed: {', '.join(changed)}"
    for key, value in taxonomy_state(prepared).items():
        stored = previous.state.get(key)
        # the category tree may grow (new nodes take the last indexes): what the model knew must be unchanged
        known = value[: len(stored)] if stored is not None and key.startswith("category") else value
        if stored is None or not np.array_equal(stored, known):
            return f"the {key.split('_')[0]} taxonomy changed ({key})"
    if list(resolved.get("upstream_bases", [])) != list(upstream_bases):
        return "an upstream model was trained again"
    return None
