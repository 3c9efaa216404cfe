"""One limiter per process paces every thread evenly, caps concurrent requests, and keeps the server from 429s."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2

from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.limits import LOOKUP, SEARCH, Limiter, Limits, Pacer, shared_limiter
from forumgrader.crossref.localserver import LocalCrossref

from .conftest import HAMLIN, HAMLIN_TEXT

Make = Callable[..., CrossrefSource]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pacer_gives_evenly_spaced_slots_without_bursts() -> None:
    clock = FakeClock()
    pacer = Pacer(4.0, clock)
    assert [round(pacer.reserve(), 3) for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    clock.now += 10  # idle for a while: capacity one means no saved-up burst afterwards
    assert [round(pacer.reserve(), 3) for _ in range(2)] == [0.0, 0.25]


def test_hold_delays_every_class() -> None:
    clock = FakeClock()
    waits: list[float] = []
    limiter = Limiter(Limits(10, 3, 3), clock=clock, sleep=waits.append)
    limiter.hold(2.0)
    with limiter.request(LOOKUP):
        pass
    with limiter.request(SEARCH):
        pass
    assert waits == [2.0, 2.0]


def test_concurrency_is_capped() -> None:
    limiter = Limiter(Limits(0, 0, 2))
    running = peak = 0
    lock = threading.Lock()
    release = threading.Event()

    def work() -> None:
        nonlocal running, peak
        with limiter.request(LOOKUP):
            with lock:
                running += 1
                peak = max(peak, running)
            release.wait(0.05)
            with lock:
                running -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


def test_one_limiter_per_base_url_and_the_newest_limits_win() -> None:
    first = shared_limiter("http://127.0.0.1:1/", Limits(10, 3, 3))
    assert shared_limiter("http://127.0.0.1:1", Limits(10, 3, 3)) is first
    assert shared_limiter("http://127.0.0.1:2", Limits(10, 3, 3)) is not first
    shared_limiter("http://127.0.0.1:1", Limits(5, 1.5, 2))
    assert first.limits == Limits(5, 1.5, 2)


def test_threads_sharing_a_limiter_are_paced_at_the_server(make_source: Make, crossref: LocalCrossref) -> None:
    rate = 20.0
    crossref.configure(limits={"lookup": rate, "search": 5, "concurrency": 3}, latency=0.02)
    source = make_source(limiter=Limiter(Limits(rate, 5, 3)))
    threads = [threading.Thread(target=lambda: [source.work(HAMLIN) for _ in range(6)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = sorted(entry[0] for entry in crossref.log())
    assert len(arrivals) == 24
    assert crossref.stats()["too_many"] == 0
    # 24 requests at 20/s take at least 23 intervals of 50 ms; generous bounds, the benchmark measures closely
    assert arrivals[-1] - arrivals[0] >= 23 / rate * 0.8
    busiest = max(sum(1 for later in arrivals if start <= later < start + 0.5) for start in arrivals)
    assert busiest <= 0.5 * rate + 4  # no bursts: half a second never holds much more than half a second's worth


def test_searches_and_lookups_are_paced_separately() -> None:
    clock = FakeClock()
    waits: list[tuple[str, float]] = []
    limiter = Limiter(Limits(10, 2, 3), clock=clock, sleep=lambda seconds: waits.append((kind, seconds)))
    for kind in (SEARCH, LOOKUP, SEARCH, LOOKUP, SEARCH, LOOKUP):
        with limiter.request(kind):
            pass
    assert [round(wait, 3) for kind, wait in waits if kind == SEARCH] == [0.5, 1.0]
    assert [round(wait, 3) for kind, wait in waits if kind == LOOKUP] == [0.1, 0.2]  # not behind the searches


def test_searches_keep_their_pace_at_the_server(make_source: Make, crossref: LocalCrossref) -> None:
    crossref.configure(limits={"lookup": 50, "search": 4, "concurrency": 3})
    source = make_source(limiter=Limiter(Limits(50, 4, 3)))
    threads = [threading.Thread(target=lambda: source.search(HAMLIN_TEXT)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    searches = sorted(arrived for arrived, _kind, _target, _status in crossref.log())
    assert searches[-1] - searches[0] >= 3 / 4 * 0.8  # 4 searches at 4/s
    assert crossref.stats()["too_many"] == 0


def test_an_unpaced_burst_meets_429s(crossref: LocalCrossref) -> None:
    # the other side of the limiter: the local server enforces the limits it is given
    crossref.configure(limits={"lookup": 2, "search": 1, "concurrency": 20})
    statuses: list[int] = []
    burst = [
        threading.Thread(target=lambda: statuses.append(httpx2.get(f"{crossref.url}/works/{HAMLIN}").status_code))
        for _ in range(10)
    ]
    for thread in burst:
        thread.start()
    for thread in burst:
        thread.join()
    assert statuses.count(429) >= 5
    assert crossref.stats()["too_many"] == statuses.count(429)
