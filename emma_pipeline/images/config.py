"""How the images stage fetches: one frozen config, each default with its reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchConfig:
    enabled: bool = True  # off: nothing is requested; listings with only remote images get "images_not_fetched"
    concurrency: int = 8  # requests in flight at once (over all hosts)
    per_host_rate: float = 4.0  # requests per second to one host (0: unlimited); CDNs answer 429/503 to floods
    connect_timeout: float = 5.0  # seconds to open a connection
    read_timeout: float = 15.0  # seconds of silence while waiting for headers or the next body chunk
    total_timeout: float = 60.0  # seconds for one whole attempt (a server trickling bytes never trips read_timeout)
    max_bytes: int = 16 * 1024 * 1024  # a product photo is ~0.1-2 MB; anything over this is not one (too_large)
    retries: int = 3  # extra attempts after a 5xx, 429, 408, timeout or dropped connection (never after a 404)
    backoff_seconds: float = 0.5  # first wait; doubles per retry (with jitter), or the server's Retry-After
    max_backoff_seconds: float = 30.0
    max_redirects: int = 5
    user_agent: str = "emma-pipeline image fetcher"

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {self.concurrency}")
        if self.max_bytes < 1 or self.retries < 0 or self.per_host_rate < 0:
            raise ValueError("max_bytes must be >= 1, retries >= 0 and per_host_rate >= 0")
        if min(self.connect_timeout, self.read_timeout, self.total_timeout) <= 0:
            raise ValueError("timeouts must be > 0 seconds")
