"""Three `forumgrader worker` processes on PostgreSQL and Redis, against the local Crossref enforcing its limits:
one budget for all (no 429), each reference asked once (no request twice), every reference checked; a topic
submitted three times is checked once.

Runs when FORUMGRADER_TEST_DATABASE_URL points at PostgreSQL and FORUMGRADER_TEST_REDIS_URL at a Redis (`.ci/run`
starts both); tests/bench/bench_scaleout.py measures the same at a larger size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path

import pytest
from cluster import LIMITS, Cluster, asked_twice, build_topics, cluster
from conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from sqlalchemy import select

from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.store.db import Database
from forumgrader.store.models import ReferenceCheck

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL.startswith("postgresql") and TEST_REDIS_URL),
        reason="needs FORUMGRADER_TEST_DATABASE_URL (PostgreSQL) and FORUMGRADER_TEST_REDIS_URL",
    ),
]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    found = Database(database_url)
    yield found
    found.dispose()


@pytest.fixture
def workers(
    database_url: str, redis_url: str, crossref: LocalCrossref, tmp_path: Path
) -> Callable[[], AbstractContextManager[Cluster]]:
    """Start three worker processes on the test database and Redis, checking against the local Crossref."""
    crossref.configure(limits=LIMITS, latency=0.05)
    return partial(cluster, 3, database_url=database_url, redis_url=redis_url, crossref_url=crossref.url,
                   folder=tmp_path)  # fmt: skip


def verdicts(database: Database) -> set[str | None]:
    with database.sessions() as session:
        return set(session.scalars(select(ReferenceCheck.verdict)))


def test_three_workers_share_one_budget_and_ask_each_reference_once(
    database: Database, database_url: str, redis_url: str, crossref: LocalCrossref, tmp_path: Path
) -> None:
    crossref.configure(limits=LIMITS, latency=0.05)
    topics = build_topics(database, topics=3, posts=12, per_post=3, works=30)
    with cluster(
        3, database_url=database_url, redis_url=redis_url, crossref_url=crossref.url, folder=tmp_path
    ) as workers:
        finished = workers.wait(database, workers.submit(topics), seconds=300)
    assert [job.status for job in finished] == ["done"] * 3, [job.error for job in finished]
    log = crossref.log()
    assert crossref.stats()["too_many"] == 0
    assert asked_twice(log) == 0
    assert None not in verdicts(database) and "unchecked" not in verdicts(database)


def test_a_topic_submitted_three_times_is_checked_once(
    database: Database, database_url: str, redis_url: str, crossref: LocalCrossref, tmp_path: Path
) -> None:
    crossref.configure(limits=LIMITS, latency=0.05)
    [topic] = build_topics(database, topics=1, posts=12, per_post=3, works=30)
    with cluster(
        3, database_url=database_url, redis_url=redis_url, crossref_url=crossref.url, folder=tmp_path
    ) as workers:
        submitted = workers.submit([topic, topic, topic])
        finished = workers.wait(database, submitted, seconds=300)
    assert len(set(submitted)) == 1 and [job.status for job in finished] == ["done"]
    assert crossref.stats()["too_many"] == 0 and asked_twice(crossref.log()) == 0
    assert None not in verdicts(database)
