"""Whether a build fits the object autoencoder again or embeds with the one that wrote the current table.

Fitting is the expensive part (minutes at the sample's size, hours at millions of objects) and a new fit moves every
object's vector, so every index and label model built on them goes stale: a build embeds with the persisted model
until it is ``refit_after_days`` old (weekly by default), its training configuration changed, or the inputs no longer
have the blocks and widths it was fitted on (another encoder). Objects it never saw are embedded with it as they are;
a category or product type it has no embedding for counts as unknown, as in any query, until the next fit.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import asdict

from emma_pipeline.object_embedding.autoencoder import AutoencoderConfig
from emma_pipeline.object_embedding.features import FeatureBlocks

_NOT_TRAINING = ("device",)  # settings that change where a model runs, not what it is


def fitted_at(version: str) -> float:
    """UTC epoch seconds of the fit that made ``version`` (``store.new_version``: ``YYYYmmddTHHMMSS-<run>``)."""
    return float(calendar.timegm(time.strptime(version.split("-")[0], "%Y%m%dT%H%M%S")))


def refit_reason(version: str, trained: AutoencoderConfig, widths: dict[str, int], features: FeatureBlocks,
                 wanted: AutoencoderConfig, refit_after_days: float, now: float | None = None) -> str | None:  # fmt: skip
    """Why the model ``version`` (trained with ``trained`` on blocks of ``widths``) must not embed ``features`` for
    a build configured with ``wanted``; None when it may."""
    if refit_after_days <= 0:
        return "refit_after_days <= 0: every build fits"
    age = ((time.time() if now is None else now) - fitted_at(version)) / 86400
    if age >= refit_after_days:
        return f"the model is {age:.1f} days old (refit_after_days={refit_after_days:g})"
    old, new = _training_fields(trained), _training_fields(wanted)
    changed = sorted(k for k in new if old.get(k) != new[k])
    if changed:
        return f"training config changed: {', '.join(changed)}"
    have = {name: values.shape[1] for name, values in features.dense.items()}
    if have != dict(widths):
        return f"input blocks changed: fitted on {dict(widths)}, inputs have {have}"
    return None


def _training_fields(config: AutoencoderConfig) -> dict:
    fields = {k: v for k, v in asdict(config).items() if k not in _NOT_TRAINING}
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}  # a loaded tuple may be a list
