"""The local Crossref's state: records, the faults and limits it is told to apply, and the requests it counted.

Limits are enforced as Crossref does, whoever asks: a token bucket per request class holding one second's worth, and a
cap on concurrent requests, answered with 429 beyond.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from forumgrader.crossref.index import Index
from forumgrader.crossref.limits import LOOKUP, SEARCH


@dataclass(frozen=True, slots=True)
class Faults:
    """What the server does wrong on purpose: fail with a status (for the next `fail_times` requests or all), answer
    slowly, and enforce limits ({"lookup": per second, "search": per second, "concurrency": at once}, or None)."""

    fail: int | None = None
    fail_times: int | None = None
    retry_after: float | str | None = None
    latency: float = 0.0
    limits: Mapping[str, float] | None = None


class Bucket:
    """Crossref's view of a client: a bucket of `rate` tokens refilled at `rate` per second."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class ServerState:
    """What the server holds, what it is told to do wrong, and what it counted."""

    records: dict[str, Mapping[str, Any]]
    index: Index
    agencies: Mapping[str, str]
    defaults: Faults
    faults: Faults = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: int = 0
    buckets: dict[str, Bucket] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    log: list[tuple[float, str, str, int]] = field(default_factory=list)
    counting_since: float = 0.0  # answers to requests that arrived before the last reset are not counted

    def __post_init__(self) -> None:
        self.faults = self.defaults

    def change(self, changes: Mapping[str, Any]) -> None:
        if "fail" in changes and "fail_times" not in changes:
            changes = {**changes, "fail_times": None}  # a new fault lasts until switched off unless told otherwise
        self.set_faults(replace(self.faults, **changes))

    def set_faults(self, faults: Faults) -> None:
        with self.lock:
            self.faults = faults
            limits = faults.limits or {}
            self.buckets = {name: Bucket(float(limits[name])) for name in (LOOKUP, SEARCH) if limits.get(name)}

    def reset(self) -> None:
        self.set_faults(self.defaults)
        with self.lock:
            self.counting_since = time.monotonic()
            self.requests.clear()
            self.statuses.clear()
            self.log.clear()

    def admit(self, request_class: str) -> tuple[float, int | None, Faults]:
        """Count a request in; return when, and the status it must fail with (429, or an injected fault), if any."""
        with self.lock:
            arrived = time.monotonic()
            self.requests[request_class] += 1
            self.running += 1
            return arrived, self._failure(request_class), self.faults

    def _failure(self, request_class: str) -> int | None:
        faults = self.faults
        limits = faults.limits or {}
        if limits.get("concurrency") and self.running > int(limits["concurrency"]):
            return 429
        bucket = self.buckets.get(request_class)
        if bucket is not None and not bucket.take():
            return 429
        if faults.fail is not None and faults.fail_times != 0:
            if faults.fail_times is not None:
                self.faults = replace(faults, fail_times=faults.fail_times - 1)
            return faults.fail
        return None

    def finish(self, request_class: str, target: str, status: int, arrived: float) -> None:
        with self.lock:
            self.running -= 1
            if arrived >= self.counting_since:
                self.statuses[status] += 1
                self.log.append((arrived, request_class, target, status))

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": dict(self.requests),
                "total": sum(self.requests.values()),
                "statuses": {str(status): count for status, count in self.statuses.items()},
                "too_many": self.statuses[429],
            }
