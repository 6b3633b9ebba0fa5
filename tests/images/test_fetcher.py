"""The fetcher against a real loopback HTTP server: outcomes, retries, caps, the store, and incremental re-runs."""

import asyncio
from pathlib import Path

import polars as pl
import pytest

from emma_pipeline.images import FetchConfig, ImageStore, content_hash, fetch_urls, pending_urls, update_fetches
from emma_pipeline.images.rate_limit import HostRateLimiter

from .conftest import CAP, picture

FAST = FetchConfig(
    concurrency=4, per_host_rate=0, connect_timeout=1.0, read_timeout=0.3, total_timeout=5.0, max_bytes=CAP,
    retries=2, backoff_seconds=0.01,
)  # fmt: skip


@pytest.fixture
def store(tmp_path):
    return ImageStore(str(tmp_path / "landing" / "_images"))


def test_each_failure_mode_gets_its_status_and_ok_bytes_land_at_their_hash(image_server, store):
    paths = ["/ok.jpg", "/missing.jpg", "/slow.jpg", "/big.jpg", "/big-stream.jpg", "/truncated.jpg", "/flaky.jpg",
             "/busy.jpg", "/empty.jpg"]  # fmt: skip
    outcomes = {o.url.removeprefix(image_server.base): o for o in fetch_urls([image_server.url(p) for p in paths], store, FAST)}

    status = {p: (o.status, o.http_status, o.attempts) for p, o in outcomes.items()}
    assert status["/ok.jpg"] == ("ok", 200, 1)
    assert status["/missing.jpg"] == ("http_error", 404, 1)  # a 404 is final: no retry
    assert status["/slow.jpg"][0] == "timeout" and status["/slow.jpg"][2] == 3  # retried, then given up
    assert status["/big.jpg"] == ("too_large", 200, 1)
    assert status["/big-stream.jpg"] == ("too_large", 200, 1)
    assert status["/truncated.jpg"][0] == "error" and status["/truncated.jpg"][2] == 3
    assert "RemoteProtocolError" in outcomes["/truncated.jpg"].error
    assert status["/flaky.jpg"] == ("ok", 200, 3)  # 503, 503, then the image
    assert status["/busy.jpg"] == ("ok", 200, 2)  # 429 with Retry-After, then the image
    assert status["/empty.jpg"][0] == "error" and outcomes["/empty.jpg"].error == "empty body"
    assert image_server.hits["/missing.jpg"] == 1 and image_server.hits["/big.jpg"] == 1
    assert image_server.hits["/flaky.jpg"] == 3

    for path in ("/ok.jpg", "/flaky.jpg", "/busy.jpg"):
        outcome, data = outcomes[path], picture(path)
        assert outcome.content_hash == content_hash(data) and outcome.bytes == len(data)
        assert store.read(outcome.content_hash) == data
        assert store.path(outcome.content_hash).endswith(f"/{outcome.content_hash[:2]}/{outcome.content_hash}")
    stored = [p for p in Path(store.root).rglob("*") if p.is_file()]
    assert len(stored) == 3  # failures store nothing, not even partial files


def test_a_rerun_requests_only_what_is_not_fetched_ok(image_server, store):
    refs = [image_server.url(p) for p in ("/ok.jpg", "/flaky.jpg", "/missing.jpg")]
    first = update_fetches(refs, None, fetch_urls(pending_urls(refs, None), store, FAST))
    assert dict(zip(first["url"], first["status"])) == {refs[0]: "ok", refs[1]: "ok", refs[2]: "http_error"}
    hits = dict(image_server.hits)

    again = pending_urls(refs, first)
    assert again == [refs[2]]  # only the failed one is retried
    second = update_fetches(refs, first, fetch_urls(again, store, FAST))
    assert image_server.hits["/ok.jpg"] == hits["/ok.jpg"] and image_server.hits["/flaky.jpg"] == hits["/flaky.jpg"]
    assert image_server.hits["/missing.jpg"] == hits["/missing.jpg"] + 1
    assert second.filter(pl.col("status") == "ok").equals(first.filter(pl.col("status") == "ok"))

    assert pending_urls(refs[:2], second) == []  # everything fetched OK: nothing is requested
    assert update_fetches(refs[:2], second, []).equals(second)


def test_thumbnail_variants_are_fetched_once_as_the_full_image(image_server, store):
    thumb, large = image_server.url("/images/I/51abc._SS40_.jpg"), image_server.url("/images/I/51abc._AC_SL1500_.jpg")
    todo = pending_urls([thumb, large], None)
    assert todo == [image_server.url("/images/I/51abc.jpg")]

    table = update_fetches([thumb, large], None, fetch_urls(todo, store, FAST))

    assert image_server.hits == {"/images/I/51abc.jpg": 1}
    assert table["url"].to_list() == sorted([thumb, large])
    assert table["normalized_url"].unique().to_list() == todo
    assert table["content_hash"].unique().to_list() == [content_hash(picture("/images/I/51abc.jpg"))]


def test_no_more_than_concurrency_requests_are_in_flight(image_server, store):
    urls = [image_server.url(f"/hold/{i}.jpg") for i in range(5)]
    outcomes = fetch_urls(urls, store, FetchConfig(concurrency=2, per_host_rate=0, read_timeout=5.0))
    assert [o.status for o in outcomes] == ["ok"] * 5 and [o.url for o in outcomes] == urls
    assert image_server.max_in_flight == 2


def test_disabled_fetching_keeps_what_is_known():
    known = update_fetches(["http://h/a.jpg"], None, [])
    assert known.height == 0  # never requested: no row (the listing reads "images_not_fetched")


def test_per_host_rate_spaces_requests_to_one_host_only():
    now, slept = [100.0], []

    async def sleep(seconds):
        slept.append(round(seconds, 6))

    limiter = HostRateLimiter(rate=4.0, clock=lambda: now[0], sleep=sleep)

    async def burst():
        for host in ("a", "a", "a", "b"):
            await limiter.wait(host)

    asyncio.run(burst())
    assert slept == [0.25, 0.5]  # the 2nd and 3rd request to host a wait; host b does not
