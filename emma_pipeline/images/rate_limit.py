"""Per-host request spacing for the fetcher's event loop: at most ``rate`` request starts per second per host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class HostRateLimiter:
    """Each request to a host reserves the next free slot (slots ``1/rate`` seconds apart) and sleeps until it.

    Reservation and sleep are separated, so many waiting requests queue in order without a lock (the event
    loop runs one coroutine at a time between awaits). ``rate`` 0 disables the limit.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}

    async def wait(self, host: str) -> None:
        if not self.interval:
            return
        now = self._clock()
        slot = max(now, self._next.get(host, now))
        self._next[host] = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)
