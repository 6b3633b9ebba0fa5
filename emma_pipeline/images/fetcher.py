"""Download image URLs into the content-addressed store: bounded concurrency, per-host rate, retries, size cap.

Each URL ends with one outcome: ``ok`` (bytes stored under their sha256), ``http_error`` (a non-2xx answer),
``timeout``, ``too_large`` (declared or streamed body over ``max_bytes``; the download is aborted, not read to
the end) or ``error`` (connection dropped, body shorter than its Content-Length, invalid URL, empty body).
Transient outcomes (5xx, 429, 408, timeouts, dropped connections) are retried with exponential backoff and
jitter (or the server's numeric Retry-After); a 404 or an oversized body is final at once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import httpx
from tqdm.auto import tqdm

from emma_pipeline.images.config import FetchConfig
from emma_pipeline.images.rate_limit import HostRateLimiter
from emma_pipeline.images.store import ImageStore
from emma_pipeline.images.urls import url_host

STATUSES = ("ok", "http_error", "timeout", "too_large", "error")
_RETRY_HTTP = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class FetchOutcome:
    url: str
    status: str  # one of STATUSES
    http_status: int | None = None
    content_hash: str | None = None
    bytes: int | None = None
    content_type: str | None = None
    error: str | None = None
    attempts: int = 1
    fetched_at: datetime | None = None
    retry: bool = False  # transient: worth another attempt
    retry_after: float | None = None


def fetch_urls(
    urls: Sequence[str],
    store: ImageStore,
    config: FetchConfig = FetchConfig(),
    progress: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[FetchOutcome]:
    """One outcome per URL, in order (each distinct URL requested once). Blocking; runs its own event loop."""
    distinct = list(dict.fromkeys(urls))
    outcomes = asyncio.run(_fetch_all(distinct, store, config, progress, transport))
    by_url = dict(zip(distinct, outcomes))
    return [by_url[u] for u in urls]


async def _fetch_all(urls, store, config, progress, transport) -> list[FetchOutcome]:
    timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
    limits = httpx.Limits(max_connections=config.concurrency, max_keepalive_connections=config.concurrency)
    limiter = HostRateLimiter(config.per_host_rate)
    async with httpx.AsyncClient(
        timeout=timeout, limits=limits, transport=transport, follow_redirects=True,
        max_redirects=config.max_redirects, headers={"User-Agent": config.user_agent},
    ) as client:  # fmt: skip
        outcomes: list[FetchOutcome | None] = [None] * len(urls)
        queue = iter(enumerate(urls))  # workers pull from one iterator: memory stays flat for millions of URLs
        with tqdm(total=len(urls), unit="img", disable=not progress, desc="fetching images") as bar:

            async def worker() -> None:
                for i, url in queue:
                    outcomes[i] = await _fetch_with_retries(client, url, store, config, limiter)
                    bar.update(1)

            await asyncio.gather(*(worker() for _ in range(min(config.concurrency, len(urls)))))
        return outcomes  # type: ignore[return-value]


async def _fetch_with_retries(client, url, store, config, limiter) -> FetchOutcome:
    attempt = 0
    while True:
        attempt += 1
        await limiter.wait(url_host(url))
        outcome = await _attempt(client, url, store, config)
        if not outcome.retry or attempt > config.retries:
            return replace(outcome, attempts=attempt, retry=False, fetched_at=datetime.now(timezone.utc))
        await asyncio.sleep(_backoff(attempt, outcome.retry_after, config))


def _backoff(attempt: int, retry_after: float | None, config: FetchConfig) -> float:
    if retry_after is not None:
        return min(max(retry_after, 0.0), config.max_backoff_seconds)
    delay = config.backoff_seconds * 2 ** (attempt - 1)
    return min(delay * random.uniform(0.5, 1.0), config.max_backoff_seconds)


async def _attempt(client: httpx.AsyncClient, url: str, store: ImageStore, config: FetchConfig) -> FetchOutcome:
    fail = _failure(url)
    try:
        async with asyncio.timeout(config.total_timeout):
            async with client.stream("GET", url) as response:
                code, kind = response.status_code, response.headers.get("content-type")
                if not 200 <= code < 300:
                    return fail("http_error", f"HTTP {code}", code, retry=code in _RETRY_HTTP,
                                retry_after=_retry_after(response.headers.get("retry-after")))  # fmt: skip
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > config.max_bytes:
                    return fail("too_large", f"Content-Length {declared} > max_bytes {config.max_bytes}", code)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > config.max_bytes:
                        return fail("too_large", f"body exceeds max_bytes {config.max_bytes}; aborted", code)
        if not body:
            return fail("error", "empty body", code)
        digest = await asyncio.to_thread(store.put, bytes(body))
        return FetchOutcome(url, "ok", code, digest, len(body), kind)
    except (TimeoutError, httpx.TimeoutException) as exc:
        return fail("timeout", f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, retry=True)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
        return fail("error", f"{type(exc).__name__}: {exc}")
    except httpx.TransportError as exc:  # refused, reset, or closed before Content-Length bytes arrived
        return fail("error", f"{type(exc).__name__}: {exc}", retry=True)


def _failure(url: str) -> Callable[..., FetchOutcome]:
    def fail(status: str, error: str, code: int | None = None, retry: bool = False, retry_after=None) -> FetchOutcome:
        return FetchOutcome(url, status, http_status=code, error=error, retry=retry, retry_after=retry_after)

    return fail


def _retry_after(value: str | None) -> float | None:
    """Seconds from a numeric Retry-After header (an HTTP date is ignored: exponential backoff applies)."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
