"""Keep to Crossref's limits: one budget of requests per second per class and of requests in flight.

Crossref counts requests per IP address, over every process and machine behind it, so the budget is shared as widely
as the processes that call it: by the threads of one process (`MemoryBudget`), or by every process and machine that
points at the same Redis (`forumgrader.crossref.redisshared.RedisBudget`, chosen by CROSSREF_LIMITS_URI, which
follows the job queue's Redis by default). `shared_limiter` hands out one limiter per Crossref URL and budget.

A request leaves only when it holds both a connection (fewer than `concurrency` requests in flight) and its class's
next slot (1/rate after the last request of its class left), taken together at the moment it is sent. A request that
waits for its class's pace holds no connection, so lookups pass the searches that wait; a request that waits for a
connection holds no slot, so requests queued behind slow answers never leave in a burst when the answers come back.
Slots count from the moment a request leaves: no credit builds up while idle, and a slot missed is not made up. So
a request whose slot has come but finds every connection taken marks its class waiting, and requests of a faster
class leave the next free connection to it: the slower class's slots are the scarcer ones.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

LOOKUP = "lookup"  # /works/{doi} and /works/{doi}/agency
SEARCH = "search"  # /works?query.bibliographic=...
CLASSES = (LOOKUP, SEARCH)
MEMORY = "memory://"  # the budget of this process alone
WAITING_SECONDS = 0.5  # a class marked waiting for a connection stays marked this long unless it asks again
# While waiting for a connection, a process asks again about this often (and marks its class waiting anew): each of
# its waiting threads as often as this times their number, so that a busy process does not flood Redis.
POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class Limits:
    """How fast and how many at once: requests per second per class (0: unpaced), and concurrent requests."""

    lookups_per_second: float = 10.0
    searches_per_second: float = 3.0
    concurrency: int = 3

    def rate(self, request_class: str) -> float:
        """Return the requests per second allowed for a request class."""
        return {LOOKUP: self.lookups_per_second, SEARCH: self.searches_per_second}[request_class]

    def interval(self, request_class: str) -> float:
        """Return the seconds between two requests of a class (0 when unpaced)."""
        rate = self.rate(request_class)
        return 1.0 / rate if rate > 0 else 0.0

    def slower(self, request_class: str) -> tuple[str, ...]:
        """Return the classes paced slower than this one (an unpaced class is the fastest)."""
        rate = self.rate(request_class)
        return tuple(
            other
            for other in CLASSES
            if other != request_class and self.rate(other) > 0 and (rate <= 0 or self.rate(other) < rate)
        )


@dataclass(frozen=True, slots=True)
class Taken:
    """A budget's answer: the lease of a connection and slot taken now, or how long to wait before asking again."""

    lease: str | None = None
    wait: float = 0.0  # seconds to the class's next slot, or to asking again for a connection
    full: bool = False  # waiting for a connection, not for the class's slot


class Budget(Protocol):
    """Where the slots and connections are counted: this process, or Redis for every process."""

    given_back: threading.Condition  # notified whenever this process gives a connection back: waiters ask again

    def take(self, request_class: str, limits: Limits) -> Taken:
        """Take a connection and the class's next slot together if both are free now."""
        ...

    def give_back(self, lease: str) -> None:
        """Free the connection a request held."""
        ...

    def hold(self, seconds: float) -> None:
        """Give out no slot, of any class, for the next `seconds`."""
        ...


class MemoryBudget:
    """The budget of one process, shared by its threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.given_back = threading.Condition()  # also the lock of what follows
        self._next_slot: dict[str, float] = {}
        self._held_until = 0.0
        self._leases: set[str] = set()
        self._waiting: dict[str, float] = {}  # class -> when a request of it last found no connection free
        self._numbers = itertools.count(1)

    def take(self, request_class: str, limits: Limits) -> Taken:
        """Take a connection and the class's next slot together if both are free now."""
        with self.given_back:
            now = self._clock()
            ready = max(self._next_slot.get(request_class, 0.0), self._held_until)
            if ready > now:
                return Taken(wait=ready - now)
            waiting = [other for other in limits.slower(request_class)
                       if now - self._waiting.get(other, -WAITING_SECONDS) < WAITING_SECONDS]  # fmt: skip
            if len(self._leases) + len(waiting) >= max(1, limits.concurrency):
                self._waiting[request_class] = now
                return Taken(wait=POLL_SECONDS, full=True)
            self._waiting.pop(request_class, None)
            self._next_slot[request_class] = now + limits.interval(request_class)
            lease = str(next(self._numbers))
            self._leases.add(lease)
            return Taken(lease=lease)

    def give_back(self, lease: str) -> None:
        """Free the connection a request held."""
        with self.given_back:
            self._leases.discard(lease)
            self.given_back.notify_all()

    def hold(self, seconds: float) -> None:
        """Give out no slot, of any class, for the next `seconds`."""
        with self.given_back:
            self._held_until = max(self._held_until, self._clock() + seconds)


class Limiter:
    """Send each request when it holds a connection and its class's slot; safe to share between threads."""

    def __init__(self, limits: Limits | None = None, *, budget: Budget | None = None) -> None:
        self.limits = limits or Limits()
        self.budget: Budget = budget if budget is not None else MemoryBudget()
        self._asking = 0  # threads of this process waiting for a connection

    def configure(self, limits: Limits) -> None:
        """Change the limits in place (the newest configuration wins)."""
        with self.budget.given_back:
            self.limits = limits
            self.budget.given_back.notify_all()

    @contextmanager
    def request(self, request_class: str) -> Iterator[None]:
        """Wait until a connection and this class's next slot are both free, and hold the connection meanwhile."""
        # Asking and waiting under the budget's condition: a connection given back in between is never missed.
        with self.budget.given_back:
            while True:
                taken = self.budget.take(request_class, self.limits)
                if taken.lease is not None:
                    break
                self._asking += taken.full
                try:
                    self.budget.given_back.wait(taken.wait * max(1, self._asking) if taken.full else taken.wait)
                finally:
                    self._asking -= taken.full
        try:
            yield
        finally:
            self.budget.give_back(taken.lease)

    def hold(self, seconds: float) -> None:
        """Send nothing, of any class, for the next `seconds` (after a 429 with Retry-After), in every process."""
        self.budget.hold(seconds)


_registry_lock = threading.Lock()
_registry: dict[tuple[str, str], Limiter] | None = None


def shared_limiter(base_url: str, limits: Limits, budget: str = MEMORY, *, lease_seconds: float = 60.0) -> Limiter:
    """Return this process's limiter for a Crossref URL and budget (memory:// or redis://...), set to the limits.

    `lease_seconds`: how long a connection taken from a Redis budget stays counted if its process dies holding it.
    """
    global _registry
    key = (base_url.rstrip("/").lower(), budget)
    with _registry_lock:
        if _registry is None:
            _registry = {}
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _registry[key] = Limiter(limits, budget=_budget(budget, key[0], lease_seconds))
    if limiter.limits != limits:
        limiter.configure(limits)
    return limiter


def _budget(uri: str, base_url: str, lease_seconds: float) -> Budget:
    if uri == MEMORY:
        return MemoryBudget()
    from forumgrader.crossref.redisshared import RedisBudget  # redis is an optional dependency

    return RedisBudget.from_url(uri, base_url, lease_seconds=lease_seconds)


def limits_from_config(config: Mapping[str, Any]) -> Limits:
    """Read the three limits from a configuration mapping (CROSSREF_LOOKUPS_PER_SECOND, ...)."""
    return Limits(
        lookups_per_second=float(config.get("CROSSREF_LOOKUPS_PER_SECOND", 10.0)),
        searches_per_second=float(config.get("CROSSREF_SEARCHES_PER_SECOND", 3.0)),
        concurrency=int(config.get("CROSSREF_CONCURRENCY", 3)),
    )


def budget_from_config(config: Mapping[str, Any]) -> str:
    """Return where the Crossref budget lives: CROSSREF_LIMITS_URI, else the job queue's Redis, else this process."""
    configured = str(config.get("CROSSREF_LIMITS_URI") or "")
    if configured:
        if configured != MEMORY and not configured.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"CROSSREF_LIMITS_URI={configured!r}: use memory:// or a redis:// address")
        return configured
    if config.get("TASK_QUEUE") == "redis" and config.get("REDIS_URL"):
        return str(config["REDIS_URL"])
    return MEMORY
