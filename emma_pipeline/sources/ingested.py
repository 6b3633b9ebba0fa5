"""Which landing batches still need ingesting, decided from what the lake holds (never from run history, which
may belong to another lake or be gone).

Source ``s`` has batch ``b`` when ``<s>_listings`` or ``<s>_quarantine`` holds a row of ``b``; a batch is
ingested when every source that has files in it has it (a source without files in a batch writes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from emma_pipeline.sources.batch import SOURCES
from emma_pipeline.warehouse.lake import Lake

PARTITION_COLUMN = "batch"


def ingested_batches(lake: Lake, sources: Iterable[str] = SOURCES) -> dict[str, set[str]]:
    """Per source, the batches with at least one parsed or quarantined row in the lake."""
    try:
        tables = set(lake.tables())
    except FileNotFoundError:  # no lake catalog yet: nothing ingested
        tables = set()
    found: dict[str, set[str]] = {}
    for source in sources:
        batches: set[str] = set()
        for table in (f"{source}_listings", f"{source}_quarantine"):
            if table in tables:
                rows = lake.query(f'SELECT DISTINCT "{PARTITION_COLUMN}" AS b FROM "{table}"')
                batches |= {b for b in rows["b"].to_list() if b is not None}
        found[source] = batches
    return found


def pending_batches(
    ready: Iterable[str], ingested: dict[str, set[str]], has_files: Callable[[str, str], bool]
) -> list[str]:
    """The ``ready`` batches some source with files in them (``has_files(source, batch)``) has not ingested."""
    return [b for b in ready if any(b not in done and has_files(source, b) for source, done in ingested.items())]
