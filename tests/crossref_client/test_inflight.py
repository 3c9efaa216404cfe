"""A key being fetched is never fetched again at the same moment: not by another batch of the same process, not by
another worker on the same Redis; a failure reaches those who waited, and a fetcher that died blocks no one long."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from forumgrader.crossref.cache import CachedSource
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.inflight import LocalInFlight, shared_inflight
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.model import LookupFailed
from forumgrader.crossref.redisshared import RedisInFlight
from forumgrader.store.crossref_cache import DatabaseCache
from forumgrader.store.db import Database

from .conftest import HAMLIN

Make = Callable[..., CrossrefSource]


@pytest.fixture
def workers(redis_url: str) -> Iterator[Callable[..., RedisInFlight]]:
    """Make RedisInFlights as separate worker processes have them: each with its own connection to the one Redis."""
    clients: list[redis.Redis] = []

    def make(**options: Any) -> RedisInFlight:
        clients.append(redis.Redis.from_url(redis_url))
        return RedisInFlight(clients[-1], "http://crossref.test", **options)

    yield make
    for client in clients:
        client.close()


def _together(*calls: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except LookupFailed as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_batches_of_one_process_fetch_a_shared_reading_once(
    make_source: Make, crossref: LocalCrossref, database: Database
) -> None:
    crossref.configure(latency=0.2)
    inflight = shared_inflight(crossref.url, "memory://")
    assert shared_inflight(crossref.url + "/", "memory://") is inflight
    # two jobs checking two topics that cite the same reading, each with its own source
    jobs = [CachedSource(make_source(), DatabaseCache(database), 30, inflight=inflight) for _ in range(2)]
    titles = _together(*(lambda source=source: source.work(HAMLIN).title for source in jobs for _ in range(3)))
    assert len(set(titles)) == 1 and titles[0]
    assert crossref.stats()["total"] == 1


def test_workers_on_one_redis_fetch_a_key_once(
    make_source: Make, crossref: LocalCrossref, database: Database, workers: Callable[..., RedisInFlight]
) -> None:
    crossref.configure(latency=0.2)
    sources = [CachedSource(make_source(), DatabaseCache(database), 30, inflight=workers()) for _ in range(3)]
    titles = _together(*(lambda source=source: source.work(HAMLIN).title for source in sources))
    assert len(set(titles)) == 1 and titles[0]
    assert crossref.stats()["total"] == 1


def test_a_failure_reaches_those_who_waited_and_is_not_kept(workers: Callable[..., RedisInFlight]) -> None:
    asked: list[str] = []

    def failing() -> Any:
        asked.append("first")
        time.sleep(0.3)
        raise LookupFailed("Crossref did not answer in time while fetching the record of 10.1/x")

    def later() -> Any:
        time.sleep(0.1)  # the first worker holds the key by now
        return other.once("work:10.1/x", lambda: asked.append("second"), lambda: None)

    one, other = workers(), workers()
    results = _together(lambda: one.once("work:10.1/x", failing, lambda: None), later)
    assert [str(result) for result in results] == [
        "Crossref did not answer in time while fetching the record of 10.1/x"
    ] * 2
    assert asked == ["first"]  # the waiter did not ask again at the same moment
    assert one.once("work:10.1/x", lambda: "answered", lambda: None) == "answered"  # the next try asks afresh


def test_a_key_whose_fetcher_died_is_fetched_by_the_next_asker(workers: Callable[..., RedisInFlight]) -> None:
    one = workers()
    # a worker took the key and died: its lock is never renewed and expires
    one.client.set(one.lock_key("work:10.1/x"), "a worker that died", px=400)
    started = time.monotonic()
    assert one.once("work:10.1/x", lambda: "fetched here", lambda: None) == "fetched here"
    assert 0.3 <= time.monotonic() - started < 5


def test_a_slow_fetch_keeps_its_key_past_the_lock_ttl(workers: Callable[..., RedisInFlight]) -> None:
    asked: list[str] = []
    answers: dict[str, str] = {}

    def slow() -> str:
        asked.append("slow")
        time.sleep(1.0)  # three times the lock's ttl: renewed meanwhile
        answers["work:10.1/x"] = "the record"
        return "the record"

    def later() -> Any:
        time.sleep(0.1)
        return other.once("work:10.1/x", lambda: asked.append("again"), lambda: answers.get("work:10.1/x"))

    one, other = workers(ttl=0.3), workers(ttl=0.3)
    assert _together(lambda: one.once("work:10.1/x", slow, lambda: None), later) == ["the record"] * 2
    assert asked == ["slow"]


def test_threads_of_one_process_share_one_fetch() -> None:
    inflight, asked = LocalInFlight(), []

    def fetch() -> str:
        asked.append("x")
        time.sleep(0.2)
        return "the record"

    assert (
        _together(*(lambda: inflight.once("work:10.1/x", fetch, lambda: None) for _ in range(5))) == ["the record"] * 5
    )
    assert asked == ["x"]
