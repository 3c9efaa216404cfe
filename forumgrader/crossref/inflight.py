"""Fetch each answer once, however many ask for it at the same moment: the first fetches, the others wait for it.

An `InFlight` is shared as widely as its answers should be: by the threads of one process (`LocalInFlight`, one per
Crossref URL, whatever the batch or job), or by every process and machine on one Redis
(forumgrader.crossref.redisshared.RedisInFlight). Whoever becomes the one to fetch first reads the cache again
(`settled`), since the one before may have just finished; the ones who waited for it read the answer it left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from forumgrader.crossref.model import LookupFailed

T = TypeVar("T")


class InFlight(Protocol):
    """Where "someone is already fetching this" is known."""

    def once(self, name: str, produce: Callable[[], T], settled: Callable[[], T | None]) -> T:
        """Return the answer for `name`: settled (cached) already, fetched by another asker, or produced here."""
        ...


class LocalInFlight:
    """The fetches running in this process; the others asking for the same name wait for its answer or failure."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Future[Any]] = {}

    def once(self, name: str, produce: Callable[[], T], settled: Callable[[], T | None]) -> T:
        """Return the answer for `name`: settled (cached) already, fetched by another thread, or produced here."""
        with self._lock:
            running = self._running.get(name)
            if running is None:
                mine: Future[Any] = Future()
                self._running[name] = mine
        if running is not None:
            return wait_for(running)  # type: ignore[no-any-return]  # the running fetch is for the same name
        try:
            answer = settled()
            if answer is None:
                answer = produce()
        except BaseException as error:
            mine.set_exception(error)
            raise
        else:
            mine.set_result(answer)
        finally:
            with self._lock:
                del self._running[name]
        return answer


def wait_for(running: Future[T]) -> T:
    """Wait for another thread's fetch; its failure is ours too, raised afresh in this thread."""
    try:
        return running.result()
    except LookupFailed as error:
        raise type(error)(*error.args) from error


_registry_lock = threading.Lock()
_registry: dict[tuple[str, str], InFlight] = {}


def shared_inflight(base_url: str, store: str) -> InFlight:
    """Return this process's in-flight registry for a Crossref URL: in memory, or in Redis (store: a redis:// URL)."""
    key = (base_url.rstrip("/").lower(), store)
    with _registry_lock:
        found = _registry.get(key)
        if found is None:
            found = _registry[key] = _make(store, key[0])
        return found


def _make(store: str, base_url: str) -> InFlight:
    if store.startswith("memory://"):
        return LocalInFlight()
    from forumgrader.crossref.redisshared import RedisInFlight  # redis is an optional dependency

    return RedisInFlight.from_url(store, base_url)
