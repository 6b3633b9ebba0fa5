"""Every key of a stage's input is in exactly one of its output tables, exactly once, and nothing else is.

Used for the ASIN stages (join: parsed listings -> joined + join removals; cleaning: joined -> objects + removals;
embeddings, splits: objects -> one row each). The inputs and outputs are read back from what was committed, so a
row lost or written twice between the stage's frames and the lake fails the check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from emma_pipeline.checks.outcome import CheckOutcome, outcome


def accounted_for(inputs: Iterable[object], outputs: Mapping[str, Iterable[object]]) -> CheckOutcome:
    """``inputs``: the input's keys (repeats allowed: five listings of one ASIN are one key). ``outputs``: each output
    table's keys with repeats. Offences: ``missing`` (an input key in no output), ``unexpected`` (an output key not in
    the input, or a null key), ``repeated`` (in two outputs, or twice in one)."""
    wanted = set(inputs) - {None}  # a listing without an ASIN cannot be joined; the parsers quarantine those
    seen: Counter = Counter()
    counts = {"keys_in": len(wanted)}
    for name, keys in outputs.items():
        rows = list(keys)
        counts[f"rows_{name}"] = len(rows)
        seen.update(rows)
    return outcome(
        counts,
        {
            "missing": wanted - set(seen),
            "unexpected": {"<null>" if k is None else k for k in seen if k is None or k not in wanted},
            "repeated": {k for k, n in seen.items() if n > 1 and k is not None},
        },
    )
