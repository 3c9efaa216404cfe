"""One Crossref budget: requests evenly paced per class, a cap on requests in flight, holds after a 429; shared by the
threads of a process, or by every process on one Redis; the server never answers 429."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.limits import (
    LOOKUP,
    MEMORY,
    SEARCH,
    WAITING_SECONDS,
    Budget,
    Limiter,
    Limits,
    MemoryBudget,
    budget_from_config,
    shared_limiter,
)
from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.crossref.model import LookupFailed
from forumgrader.crossref.redisshared import RedisBudget

from .conftest import HAMLIN, HAMLIN_TEXT

Make = Callable[..., CrossrefSource]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slots_are_evenly_spaced_and_idle_time_saves_up_no_burst() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    limits = Limits(4.0, 1.0, 10)
    assert budget.take(LOOKUP, limits).lease is not None
    assert budget.take(LOOKUP, limits).wait == pytest.approx(0.25)
    clock.now += 0.25
    assert budget.take(LOOKUP, limits).lease is not None
    clock.now += 10  # idle for a while: the next request goes at once, the one after waits its interval again
    assert budget.take(LOOKUP, limits).lease is not None
    assert budget.take(LOOKUP, limits).wait == pytest.approx(0.25)


def test_a_class_waiting_for_its_pace_holds_no_connection_and_does_not_slow_the_other() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    limits = Limits(10.0, 2.0, 2)
    assert budget.take(SEARCH, limits).lease is not None
    assert budget.take(SEARCH, limits).wait == pytest.approx(0.5)  # waiting: no connection taken
    assert budget.take(LOOKUP, limits).lease is not None  # the second connection is still free for a lookup
    assert budget.take(LOOKUP, limits).wait == pytest.approx(0.1)


def test_a_full_cap_waits_for_a_connection_given_back() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    limits = Limits(0, 0, 2)
    first, second = budget.take(LOOKUP, limits).lease, budget.take(SEARCH, limits).lease
    assert first is not None and second is not None
    assert budget.take(LOOKUP, limits).lease is None
    budget.give_back(first)
    assert budget.take(LOOKUP, limits).lease is not None


def test_a_connection_freed_goes_to_the_slower_class_waiting_for_one() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    limits = Limits(10.0, 2.0, 2)
    first, _search = budget.take(LOOKUP, limits).lease, budget.take(SEARCH, limits).lease
    assert first is not None
    clock.now += 0.5  # the next search's slot has come, but both connections are taken
    assert budget.take(SEARCH, limits).lease is None
    budget.give_back(first)
    assert budget.take(LOOKUP, limits).lease is None  # the free connection is the waiting search's
    taken = budget.take(SEARCH, limits).lease
    assert taken is not None
    clock.now += 0.5
    assert budget.take(SEARCH, limits).lease is None  # none free: waiting again
    budget.give_back(taken)
    clock.now += 2 * WAITING_SECONDS  # ... but it stopped asking: its mark lapses and the lookup goes
    assert budget.take(LOOKUP, limits).lease is not None


def test_a_waiting_lookup_holds_no_connection_back_from_a_search() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    limits = Limits(10.0, 2.0, 2)
    first, second = budget.take(LOOKUP, limits).lease, budget.take(SEARCH, limits).lease
    assert first is not None and second is not None
    clock.now += 0.5
    assert budget.take(LOOKUP, limits).lease is None  # waiting for a connection
    budget.give_back(second)
    assert budget.take(SEARCH, limits).lease is not None


def test_a_hold_delays_every_class() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    budget.hold(2.0)
    assert budget.take(LOOKUP, Limits()).wait == pytest.approx(2.0)
    assert budget.take(SEARCH, Limits()).wait == pytest.approx(2.0)
    clock.now += 2.0
    assert budget.take(SEARCH, Limits()).lease is not None


@pytest.fixture(params=["memory", "redis"])
def budgets(request: pytest.FixtureRequest) -> Iterator[Callable[[], Budget]]:
    """Make budgets that share one pace and cap: the same MemoryBudget (threads of one process), or RedisBudgets on
    one Redis, each with its own connection (as separate processes have)."""
    if request.param == "memory":
        one = MemoryBudget()
        yield lambda: one
        return
    url = request.getfixturevalue("redis_url")
    import redis

    clients: list[redis.Redis] = []

    def make() -> Budget:
        clients.append(redis.Redis.from_url(url))
        return RedisBudget(clients[-1], "http://crossref.test")

    yield make
    for client in clients:
        client.close()


def test_a_budget_paces_and_caps(budgets: Callable[[], Budget]) -> None:
    one, other = budgets(), budgets()
    limits = Limits(5.0, 0, 2)
    assert one.take(LOOKUP, limits).lease is not None
    wait = other.take(LOOKUP, limits).wait
    assert wait is not None and 0.1 < wait <= 0.2
    lease = one.take(SEARCH, limits).lease
    assert lease is not None
    assert other.take(SEARCH, limits).lease is None  # two in flight: the cap
    other.give_back(lease)
    assert other.take(SEARCH, limits).lease is not None


def test_a_hold_is_kept_by_every_sharer(budgets: Callable[[], Budget]) -> None:
    one, other = budgets(), budgets()
    one.hold(1.0)
    wait = other.take(SEARCH, Limits()).wait
    assert wait is not None and 0.8 < wait <= 1.0


def test_a_connection_whose_process_died_frees_itself(redis_url: str) -> None:
    import redis

    budget = RedisBudget(redis.Redis.from_url(redis_url), "http://crossref.test", lease_seconds=0.3)
    limits = Limits(0, 0, 1)
    assert budget.take(LOOKUP, limits).lease is not None  # never given back: its process is gone
    assert budget.take(LOOKUP, limits).lease is None
    time.sleep(0.35)
    assert budget.take(LOOKUP, limits).lease is not None


def _limiter(budgets: Callable[[], Budget], limits: Limits) -> Limiter:
    return Limiter(limits, budget=budgets())


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_limiters_sharing_a_budget_are_paced_at_the_server(
    make_source: Make, crossref: LocalCrossref, budgets: Callable[[], Budget]
) -> None:
    rate = 20.0
    crossref.configure(limits={"lookup": rate, "search": 5, "concurrency": 3}, latency=0.02)
    limits = Limits(rate, 5, 3)
    sources = [make_source(limiter=_limiter(budgets, limits)) for _ in range(2)]  # two workers, one budget
    _run([threading.Thread(target=lambda s=s: [s.work(HAMLIN) for _ in range(6)]) for s in sources for _ in range(2)])
    arrivals = sorted(entry[0] for entry in crossref.log())
    assert len(arrivals) == 24
    assert crossref.stats()["too_many"] == 0
    # 24 requests at 20/s take at least 23 intervals of 50 ms; generous bounds, the benchmark measures closely
    assert arrivals[-1] - arrivals[0] >= 23 / rate * 0.8
    busiest = max(sum(1 for later in arrivals if start <= later < start + 0.5) for start in arrivals)
    assert busiest <= 0.5 * rate + 2  # no bursts: half a second never holds more than half a second's worth


def test_requests_queued_behind_slow_answers_never_leave_in_a_burst(
    make_source: Make, crossref: LocalCrossref, budgets: Callable[[], Budget]
) -> None:
    # One connection, slow answers, lookups keeping it busy: searches queue for the connection. Each one still
    # leaves a whole interval (0.25 s) after the search before it, never back to back as the connection frees
    # (0.1 s apart); the margin is for the time a request takes to reach the server on a busy machine.
    crossref.configure(limits={"lookup": 50, "search": 4, "concurrency": 1}, latency=0.1)
    source = make_source(limiter=_limiter(budgets, Limits(50, 4, 1)))
    lookups = [threading.Thread(target=lambda: [source.work(HAMLIN) for _ in range(8)]) for _ in range(2)]
    searches = [threading.Thread(target=lambda: source.search(HAMLIN_TEXT)) for _ in range(5)]
    _run(lookups + searches)
    sent = sorted(arrived for arrived, kind, _target, _status in crossref.log() if kind == SEARCH)
    assert len(sent) == 5 and crossref.stats()["too_many"] == 0
    assert min(later - earlier for earlier, later in itertools.pairwise(sent)) >= 0.75 / 4


def test_concurrency_is_capped_across_limiters(budgets: Callable[[], Budget]) -> None:
    limiters = [_limiter(budgets, Limits(0, 0, 2)) for _ in range(3)]
    running = peak = 0
    lock = threading.Lock()

    def work(limiter: Limiter) -> None:
        nonlocal running, peak
        with limiter.request(LOOKUP):
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.05)
            with lock:
                running -= 1

    _run([threading.Thread(target=work, args=(limiter,)) for limiter in limiters for _ in range(3)])
    assert peak == 2


def test_a_budget_redis_cannot_give_leaves_the_reference_unchecked(make_source: Make) -> None:
    closed = serve_in_thread([])  # a port nothing listens on once stopped
    closed.stop()
    port = closed.url.rsplit(":", 1)[1]
    budget = RedisBudget.from_url(f"redis://127.0.0.1:{port}/0", "http://crossref.test")
    source = make_source(limiter=Limiter(Limits(), budget=budget))
    with pytest.raises(LookupFailed, match="Redis, which the Crossref workers share, cannot be reached"):
        source.work(HAMLIN)


def test_one_limiter_per_base_url_and_budget_and_the_newest_limits_win(redis_url: str) -> None:
    first = shared_limiter("http://127.0.0.1:1/", Limits(10, 3, 3))
    assert shared_limiter("http://127.0.0.1:1", Limits(10, 3, 3)) is first
    assert shared_limiter("http://127.0.0.1:2", Limits(10, 3, 3)) is not first
    shared_limiter("http://127.0.0.1:1", Limits(5, 1.5, 2))
    assert first.limits == Limits(5, 1.5, 2)
    in_redis = shared_limiter("http://127.0.0.1:1", Limits(10, 3, 3), redis_url)
    assert in_redis is not first and isinstance(in_redis.budget, RedisBudget)


@pytest.mark.parametrize(
    ("settings", "budget"),
    [
        ({}, MEMORY),
        ({"TASK_QUEUE": "sqlite", "REDIS_URL": "redis://queue:6379/0"}, MEMORY),
        ({"TASK_QUEUE": "redis", "REDIS_URL": "redis://queue:6379/0"}, "redis://queue:6379/0"),
        ({"TASK_QUEUE": "redis", "REDIS_URL": "redis://queue/0", "CROSSREF_LIMITS_URI": "memory://"}, MEMORY),
        ({"TASK_QUEUE": "sqlite", "CROSSREF_LIMITS_URI": "redis://limits:6379/2"}, "redis://limits:6379/2"),
    ],
)
def test_the_budget_follows_the_job_queue_unless_told(settings: dict[str, Any], budget: str) -> None:
    assert budget_from_config(settings) == budget


def test_a_budget_address_that_is_not_redis_is_refused() -> None:
    with pytest.raises(ValueError, match="CROSSREF_LIMITS_URI='memcached://x'"):
        budget_from_config({"CROSSREF_LIMITS_URI": "memcached://x"})


def test_an_unpaced_burst_meets_429s(crossref: LocalCrossref) -> None:
    # the other side of the limiter: the local server enforces the limits it is given
    crossref.configure(limits={"lookup": 2, "search": 1, "concurrency": 20})
    statuses: list[int] = []
    _run(
        [
            threading.Thread(target=lambda: statuses.append(httpx2.get(f"{crossref.url}/works/{HAMLIN}").status_code))
            for _ in range(10)
        ]
    )
    assert statuses.count(429) >= 5
    assert crossref.stats()["too_many"] == statuses.count(429)
