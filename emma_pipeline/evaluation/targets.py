"""The quality targets the evaluation assets check (as warnings: the sample's truth is not a user's data).

A target names a metric of an evaluation table and the bound it should meet; ``attained`` says which targets a
metrics dict meets. Metric names are the evaluation tables' own (``dedup_precision``, ``hijack_recall``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emma_pipeline.fill_in.config import FillInConfig


@dataclass(frozen=True)
class Target:
    metric: str
    at_least: float | None = None
    at_most: float | None = None

    def met_by(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)

    def __str__(self) -> str:
        return f"{self.metric} >= {self.at_least}" if self.at_least is not None else f"{self.metric} <= {self.at_most}"


# the paper's dedup targets; the join's are the acceptance figures of the graph test
JOIN_TARGETS = (Target("hijack_recall", at_least=0.80), Target("clean_asins_wrongly_discarded_share", at_most=0.01))
DEDUP_TARGETS = (Target("dedup_precision", at_least=0.98), Target("dedup_recall", at_least=0.95))
# the fill-in sets each attribute's threshold for this precision on held-out rows: does it hold on the truth?
FILL_IN_PASSING_PRECISION = Target("precision_passing", at_least=FillInConfig().precision)


@dataclass(frozen=True)
class TargetResult:
    target: Target
    value: float | None  # None: the metric was not computed (e.g. no truth for it)

    @property
    def met(self) -> bool:
        return self.value is not None and self.target.met_by(self.value)


def attained(metrics: Mapping[str, float], targets: tuple[Target, ...]) -> list[TargetResult]:
    return [TargetResult(t, None if metrics.get(t.metric) is None else float(metrics[t.metric])) for t in targets]
