"""The ``image_fetches`` table: one row per remote image reference with the outcome of its latest fetch.

A reference is requested only while it has no ``ok`` row (incremental: a rebuild fetches new URLs and retries
failed ones). References that normalize to one full-size URL share one request. Rows of references no longer
used by any listing stay, as the history of what the store holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from emma_pipeline.images.fetcher import FetchOutcome
from emma_pipeline.images.urls import is_remote, normalized_url_expr

FETCH_SCHEMA = {
    "url": pl.Utf8,  # the reference as joined_listings holds it
    "normalized_url": pl.Utf8,  # what was requested (thumbnail modifiers stripped)
    "status": pl.Utf8,  # ok | http_error | timeout | too_large | error
    "http_status": pl.Int32,
    "content_hash": pl.Utf8,  # sha256 of the bytes = the name in the image store (ok rows)
    "bytes": pl.Int64,
    "content_type": pl.Utf8,
    "attempts": pl.Int32,  # requests made by the latest fetch (1 + retries)
    "fetched_at": pl.Datetime("us", "UTC"),
    "error": pl.Utf8,
}


def empty_fetches() -> pl.DataFrame:
    return pl.DataFrame(schema=FETCH_SCHEMA)


def remote_refs(image_lists: Iterable[Sequence[str] | None]) -> list[str]:
    """The distinct http(s) references of all listings, in first-seen order."""
    return list(dict.fromkeys(r for refs in image_lists for r in (refs or ()) if is_remote(r)))


def _with_normalized(refs: Sequence[str]) -> pl.DataFrame:
    frame = pl.DataFrame({"url": list(refs)}, schema={"url": pl.Utf8})
    return frame.with_columns(normalized_url_expr(pl.col("url")).alias("normalized_url"))


def pending_urls(refs: Sequence[str], previous: pl.DataFrame | None) -> list[str]:
    """Normalized URLs to request: those of ``refs`` not yet fetched OK (under any reference)."""
    wanted = _with_normalized(refs).unique("normalized_url", maintain_order=True)
    if previous is not None and previous.height:
        done = previous.filter(pl.col("status") == "ok").select("normalized_url")
        wanted = wanted.join(done, on="normalized_url", how="anti")
    return wanted["normalized_url"].to_list()


def outcomes_frame(outcomes: Sequence[FetchOutcome]) -> pl.DataFrame:
    """Fetch outcomes keyed by the URL requested (``normalized_url``)."""
    columns = [c for c in FETCH_SCHEMA if c != "url"]
    rows = [{**{c: getattr(o, c, None) for c in columns}, "normalized_url": o.url} for o in outcomes]
    return pl.DataFrame(rows, schema={c: FETCH_SCHEMA[c] for c in columns})


def update_fetches(refs: Sequence[str], previous: pl.DataFrame | None, outcomes: Sequence[FetchOutcome]) -> pl.DataFrame:
    """The new table: fresh outcomes for requested URLs, earlier ``ok`` rows shared by every reference that
    normalizes to the same URL, earlier rows kept where nothing new was learned (fetching disabled)."""
    previous = empty_fetches() if previous is None else previous.select(list(FETCH_SCHEMA)).cast(FETCH_SCHEMA)
    ref_rows = _with_normalized(refs).unique("url", maintain_order=True)
    fresh = ref_rows.join(outcomes_frame(outcomes), on="normalized_url", how="inner")
    ok_before = previous.filter(pl.col("status") == "ok").unique("normalized_url", keep="last").drop("url")
    shared = ref_rows.join(fresh.select("url"), on="url", how="anti").join(ok_before, on="normalized_url", how="inner")
    answered = pl.concat([fresh.select("url"), shared.select("url")])
    unchanged = previous.join(answered, on="url", how="anti")
    table = pl.concat([unchanged, fresh.select(list(FETCH_SCHEMA)), shared.select(list(FETCH_SCHEMA))])
    return table.cast(FETCH_SCHEMA).sort("url")
