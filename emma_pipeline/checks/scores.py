"""Per-object score tables: a probability per object and property (``smart_labels``), the filters' scores
(``object_scores``) and the dedup state, each covering exactly the objects it scores (the dedup state with the
one row of versions its decisions were made on)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from emma_pipeline.checks.coverage import accounted_for
from emma_pipeline.checks.outcome import CheckOutcome, combined, outcome


def _outside_unit_interval(frame: pl.DataFrame, key: str, column: str, required: bool) -> set[str]:
    value = pl.col(column)
    bad = ~value.is_between(0.0, 1.0) | value.is_nan()  # NaN sorts above 1, so is_between is False for it too
    bad = (bad | value.is_null()) if required else bad.fill_null(False)
    return set(frame.filter(bad)[key].to_list())


def smart_labels_cover(labels: pl.DataFrame, objects: Iterable[str], prop: str) -> CheckOutcome:
    """One property's rows (object_id, property, probability): one per object, exactly once, each a probability in
    [0, 1] (not null, not NaN), all of property ``prop``."""
    other = labels.filter(pl.col("property").is_null() | (pl.col("property") != prop))
    values = outcome(
        {"rows": labels.height},
        {"probability_out_of_range": _outside_unit_interval(labels, "object_id", "probability", required=True),
         "other_property": set(other["object_id"].to_list())},
    )  # fmt: skip
    return combined({"rows": accounted_for(objects, {"smart_labels": labels["object_id"].to_list()}), "values": values})


def object_scores_cover(scores: pl.DataFrame, objects: Iterable[str], filtered: Iterable[str]) -> CheckOutcome:
    """The filters score every listing they judged: one row per ASIN of ``objects`` and of the filter removals
    (``filtered``), nothing else; ``non_physical_probability`` in [0, 1] where written."""
    judged = [*objects, *filtered]
    values = outcome({"rows": scores.height}, {"probability_out_of_range": _outside_unit_interval(
        scores, "asin", "non_physical_probability", required=False)})  # fmt: skip
    return combined({"rows": accounted_for(judged, {"object_scores": scores["asin"].to_list()}), "values": values})


def dedup_state_covers(state_asins: Iterable[str], versions: pl.DataFrame, joined: Iterable[str],
                       recorded_version: str | None) -> CheckOutcome:  # fmt: skip
    """One ``dedup_state`` row per ASIN of ``joined_listings`` (the hashes the next run compares with), and exactly
    one ``dedup_versions`` row (``index_version``), naming the dedup index version the materialization recorded
    (``recorded_version``; None: not recorded, any version but none)."""
    named = versions["index_version"].to_list()
    wrong = {v for v in named if v is None or (recorded_version is not None and v != recorded_version)}
    values = outcome({"version_rows": versions.height},
                     {"version_rows_not_one": {f"{versions.height} rows"} if versions.height != 1 else set(),
                      "index_version_not_recorded": {"<null>" if v is None else v for v in wrong}})  # fmt: skip
    return combined({"rows": accounted_for(joined, {"dedup_state": list(state_asins)}), "versions": values})
