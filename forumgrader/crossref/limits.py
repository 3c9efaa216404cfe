"""Keep to Crossref's limits: requests evenly paced per class, a cap on concurrent requests, one limiter per process.

Crossref counts requests per IP address, over every process and machine behind it. This limiter is shared by all
threads of one process (`shared_limiter` hands out one per base URL), but it knows nothing of other processes. When
several processes call Crossref from one address (a web process and a worker, or two workers), divide the configured
limits among them: with Crossref's polite limits of 10 lookups/s, 3 searches/s and 3 concurrent requests, give a web
process and a worker each FORUMGRADER_CROSSREF_LOOKUPS_PER_SECOND=5, FORUMGRADER_CROSSREF_SEARCHES_PER_SECOND=1.5,
and split the concurrency (2 and 1). Each process then stays under its share, and together they stay under the limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

LOOKUP = "lookup"  # /works/{doi} and /works/{doi}/agency
SEARCH = "search"  # /works?query.bibliographic=...


@dataclass(frozen=True, slots=True)
class Limits:
    """How fast and how many at once: requests per second per class (0: unpaced), and concurrent requests."""

    lookups_per_second: float = 10.0
    searches_per_second: float = 3.0
    concurrency: int = 3

    def rate(self, request_class: str) -> float:
        """Return the requests per second allowed for a request class."""
        return {LOOKUP: self.lookups_per_second, SEARCH: self.searches_per_second}[request_class]


class Pacer:
    """A token bucket of capacity one: each request gets the next free slot, 1/rate after the previous one."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self._clock = clock
        self._lock = threading.Lock()
        self._next_free = 0.0

    def reserve(self) -> float:
        """Reserve the next slot and return how long to wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_free)
            self._next_free = slot + 1.0 / self.rate if self.rate > 0 else slot
            return slot - now

    def hold(self, seconds: float) -> None:
        """Give out no slot for the next `seconds` (Crossref asked us to wait)."""
        with self._lock:
            self._next_free = max(self._next_free, self._clock() + seconds)


class Limiter:
    """Pace requests per class and cap how many run at once; safe to share between threads."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._pacers: dict[str, Pacer] = {}
        self._running = 0
        self._slots_free = threading.Condition()
        self.limits = Limits()
        self.configure(limits or Limits())

    def configure(self, limits: Limits) -> None:
        """Change the limits in place (the newest configuration wins)."""
        with self._slots_free:
            self.limits = limits
            for request_class in (LOOKUP, SEARCH):
                if request_class in self._pacers:
                    self._pacers[request_class].rate = limits.rate(request_class)
                else:
                    self._pacers[request_class] = Pacer(limits.rate(request_class), self._clock)
            self._slots_free.notify_all()

    @contextmanager
    def request(self, request_class: str) -> Iterator[None]:
        """Wait for this class's next slot, then for a free connection, and hold it while the request runs."""
        # Pace first, outside the concurrency cap: a thread waiting for a search slot must not hold a connection
        # that a lookup could use.
        wait = self._pacers[request_class].reserve()
        if wait > 0:
            self._sleep(wait)
        with self._slots_free:
            self._slots_free.wait_for(lambda: self._running < max(1, self.limits.concurrency))
            self._running += 1
        try:
            yield
        finally:
            with self._slots_free:
                self._running -= 1
                self._slots_free.notify()

    def hold(self, seconds: float) -> None:
        """Send nothing, of any class, for the next `seconds` (after a 429 with Retry-After)."""
        for pacer in self._pacers.values():
            pacer.hold(seconds)


_registry_lock = threading.Lock()
_registry: dict[str, Limiter] | None = None


def shared_limiter(base_url: str, limits: Limits) -> Limiter:
    """Return this process's limiter for a Crossref base URL, created on first use, set to the given limits."""
    global _registry
    key = base_url.rstrip("/").lower()
    with _registry_lock:
        if _registry is None:
            _registry = {}
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _registry[key] = Limiter(limits)
    if limiter.limits != limits:
        limiter.configure(limits)
    return limiter


def limits_from_config(config: Mapping[str, Any]) -> Limits:
    """Read the three limits from a configuration mapping (CROSSREF_LOOKUPS_PER_SECOND, ...)."""
    return Limits(
        lookups_per_second=float(config.get("CROSSREF_LOOKUPS_PER_SECOND", 10.0)),
        searches_per_second=float(config.get("CROSSREF_SEARCHES_PER_SECOND", 3.0)),
        concurrency=int(config.get("CROSSREF_CONCURRENCY", 3)),
    )
