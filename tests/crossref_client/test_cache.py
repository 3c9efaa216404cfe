"""Answers are kept in the database: a second run asks nothing, failures are never kept, old answers expire."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from forumgrader.crossref.batch import verify_references
from forumgrader.crossref.cache import CachedSource
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.crossref.model import Verdict
from forumgrader.store.crossref_cache import DatabaseCache
from forumgrader.store.db import Database
from forumgrader.store.models import CrossrefAnswer

from .conftest import HAMLIN, HAMLIN_TEXT, LookupVerify, asked, reference

Make = Callable[..., CrossrefSource]
REFERENCES = [
    reference("Hamlin et al. (2011). Sleep apnea. https://doi.org/10.1002/ajmg.b.31237", HAMLIN),
    reference(HAMLIN_TEXT),
    reference("Nobody, A. (2020). Nothing at all. https://doi.org/10.9999/none", "10.9999/none"),
    reference("The role of AI in ecology's computational carbon footprint"),
]


def _answers(database: Database) -> list[tuple[str, bool]]:
    with database.sessions() as session:
        return sorted(
            (kind, found) for kind, found in session.execute(select(CrossrefAnswer.kind, CrossrefAnswer.found))
        )


def test_a_second_run_makes_no_request(make_source: Make, crossref: LocalCrossref, database: Database) -> None:
    def run() -> list[Verdict]:
        source = CachedSource(make_source(), DatabaseCache(database), ttl_days=30)
        return [check.verdict for check in verify_references(REFERENCES, source, verify=LookupVerify(), workers=3)]

    first = run()
    requests = crossref.stats()["total"]
    assert first == [Verdict.VERIFIED, Verdict.VERIFIED, Verdict.BROKEN_DOI, Verdict.VERIFIED]
    assert len(asked(crossref)) == 4
    assert _answers(database) == [("search", True), ("search", True), ("work", False), ("work", True)]
    assert run() == first
    assert crossref.stats()["total"] == requests  # everything came from the database


def test_failures_are_not_cached(make_source: Make, crossref: LocalCrossref, database: Database) -> None:
    crossref.configure(fail=503)
    source = CachedSource(make_source(retries=1), DatabaseCache(database), ttl_days=30)
    checks = verify_references(REFERENCES, source, verify=LookupVerify(), workers=3)
    assert {check.verdict for check in checks} == {Verdict.UNCHECKED}
    assert _answers(database) == []
    crossref.configure(fail=None)
    again = CachedSource(make_source(), DatabaseCache(database), ttl_days=30)
    assert verify_references(REFERENCES, again, verify=LookupVerify(), workers=3)[0].verdict == Verdict.VERIFIED


def test_unreachable_crossref_leaves_everything_unchecked_and_nothing_cached(
    make_source: Make, database: Database
) -> None:
    closed = serve_in_thread([])
    closed.stop()
    source = CachedSource(make_source(base_url=closed.url, retries=1), DatabaseCache(database), ttl_days=30)
    checks = verify_references(REFERENCES, source, verify=LookupVerify(), workers=3)
    assert [check.verdict for check in checks] == [Verdict.UNCHECKED] * len(REFERENCES)
    assert all("could not reach" in check.message for check in checks)
    assert _answers(database) == []


def test_answers_expire_after_the_ttl(make_source: Make, crossref: LocalCrossref, database: Database) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def lookup(days_later: int) -> None:
        source = CachedSource(make_source(), DatabaseCache(database), 30, now=lambda: start + timedelta(days_later))
        assert source.work(HAMLIN) is not None

    lookup(0)
    lookup(29)
    assert crossref.stats()["total"] == 1
    lookup(31)
    assert crossref.stats()["total"] == 2
    lookup(32)  # refreshed on day 31
    assert crossref.stats()["total"] == 2


def test_a_confirmed_404_is_cached(make_source: Make, crossref: LocalCrossref, database: Database) -> None:
    for _ in range(2):
        source = CachedSource(make_source(), DatabaseCache(database), ttl_days=30)
        assert source.work("https://doi.org/10.9999/NONE") is None
        assert source.agency("10.9999/none") is None
    # the record and its agency, and once Crossref's count of works, which shows the 404s come from Crossref
    assert crossref.stats()["requests"] == {"lookup": 2, "search": 1}
    assert _answers(database) == [("agency", False), ("work", False)]


def test_racing_threads_fetch_a_key_once(make_source: Make, crossref: LocalCrossref, database: Database) -> None:
    crossref.configure(latency=0.2)
    source = CachedSource(make_source(), DatabaseCache(database), ttl_days=30)
    titles: list[str] = []
    threads = [threading.Thread(target=lambda: titles.append(source.work(HAMLIN).title)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(titles) == 6 and len(set(titles)) == 1
    assert crossref.stats()["total"] == 1


def test_a_search_for_more_rows_asks_again(make_source: Make, crossref: LocalCrossref) -> None:
    source = CachedSource(make_source(), None, ttl_days=30)
    assert len(source.search(HAMLIN_TEXT, rows=1)) == 1
    assert len(source.search(HAMLIN_TEXT, rows=1)) == 1
    assert len(source.search(HAMLIN_TEXT + " .", rows=3)) == 3  # same normalised query, more rows wanted
    assert crossref.stats()["requests"] == {"search": 2}


def test_concurrent_writes_of_one_key_keep_one_row(database: Database) -> None:
    cache = DatabaseCache(database)
    now = datetime.now(UTC)
    barrier = threading.Barrier(4)

    def put(found: bool) -> None:
        barrier.wait()
        cache.put("work", "10.1000/same", "10.1000/same", found, {"DOI": "10.1000/same"} if found else None,
                  fetched_at=now)  # fmt: skip

    threads = [threading.Thread(target=put, args=(index % 2 == 0,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CrossrefAnswer)) == 1
    assert cache.get("work", "10.1000/same", fresh_since=now - timedelta(seconds=1)) is not None
    assert cache.get("work", "10.1000/same", fresh_since=now + timedelta(seconds=1)) is None
