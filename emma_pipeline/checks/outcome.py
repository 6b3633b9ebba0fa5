"""What a data check found: passed or not, the counts it compared, and a few offending keys to start from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SAMPLE_SIZE = 5


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    counts: dict[str, int] = field(default_factory=dict)  # e.g. asins_in, objects, missing
    samples: dict[str, list[str]] = field(default_factory=dict)  # offence -> up to SAMPLE_SIZE keys (sorted)

    def describe(self) -> str:
        """One line for logs and the build summary: the counts, then the offending samples."""
        counts = ", ".join(f"{k}={v:,}" for k, v in self.counts.items())
        offences = "; ".join(f"{k}: {', '.join(v)}" for k, v in self.samples.items() if v)
        return counts + (f" | {offences}" if offences else "")


def sample(keys: Iterable[object], size: int = SAMPLE_SIZE) -> list[str]:
    """The first ``size`` keys in sorted order (stable across runs, so a re-run shows the same offenders)."""
    return sorted(str(k) for k in keys)[:size]


def outcome(counts: dict[str, int], offences: dict[str, Iterable[object]]) -> CheckOutcome:
    """Passed when no offence has a key; each offence's size is added to the counts."""
    found = {name: sorted(str(k) for k in keys) for name, keys in offences.items()}
    counts = {**counts, **{name: len(keys) for name, keys in found.items()}}
    return CheckOutcome(
        passed=not any(found.values()),
        counts=counts,
        samples={name: keys[:SAMPLE_SIZE] for name, keys in found.items()},
    )


def combined(parts: dict[str, CheckOutcome]) -> CheckOutcome:
    """Several comparisons as one check: passed when all passed; counts and samples prefixed by the part's name."""
    return CheckOutcome(
        passed=all(p.passed for p in parts.values()),
        counts={f"{name}/{k}": v for name, p in parts.items() for k, v in p.counts.items()},
        samples={f"{name}/{k}": v for name, p in parts.items() for k, v in p.samples.items()},
    )
