"""A topic's check: one at a time per topic (a second submit joins it), cut into chunks that any worker takes, each
chunk done once, a chunk whose worker stopped taken again, progress that adds up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import create_app, jobs
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.store import checks, pipeline
from forumgrader.store.checks import analyse_topic, pending_keys
from forumgrader.store.models import CheckChunk, Grade, Job, ReferenceCheck, Topic
from forumgrader.store.topics import submit_check

pytestmark = pytest.mark.local_crossref(retries=1)


def job_row(app: Flask, job_id: int) -> Job:
    with app.extensions["forumgrader.db"].sessions() as other:
        return other.get_one(Job, job_id)


def test_a_second_check_of_a_topic_joins_the_one_under_way(app: Flask, session: Session, topic_id: int) -> None:
    topic = session.get_one(Topic, topic_id)
    with app.app_context():
        first = submit_check(session, topic, None)
        session.commit()
        assert submit_check(session, topic, None).id == first.id  # queued: joined
        first.status = "running"
        session.commit()
        assert submit_check(session, topic, None).id == first.id  # running: joined
        first.status = "done"
        session.commit()
        again = submit_check(session, topic, None)  # the check is over: a new one starts
        session.commit()
    assert again.id != first.id
    assert session.scalars(select(Job.id).where(Job.kind == "check_topic").order_by(Job.id)).all() == [
        first.id,
        again.id,
    ]


def test_submits_racing_make_one_job(app: Flask, topic_id: int) -> None:
    database = app.extensions["forumgrader.db"]
    barrier, ids, errors = threading.Barrier(4), [], []

    def submit() -> None:
        with app.app_context(), database.sessions() as own:
            barrier.wait()
            try:
                ids.append(submit_check(own, own.get_one(Topic, topic_id), None).id)
                own.commit()
            except Exception as error:  # an IntegrityError here is the bug this guards against
                errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(ids)) == 1
    with database.sessions() as own:
        assert len(own.scalars(select(Job).where(Job.topic_id == topic_id)).all()) == 1


@pytest.fixture
def worker_app(
    app_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Flask]]:
    """Build apps on the embedded SQLite queue with a worker of `threads` threads, sharing one instance folder."""
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    started: list[tuple[Flask, Any]] = []

    def build(threads: int = 3) -> Flask:
        application = create_app({**app_config, "TASK_QUEUE": "sqlite"})
        started.append((application, jobs.start_worker(application, threads=threads)))
        return application

    yield build
    for application, consumer in started:
        consumer.stop(graceful=True)
        application.extensions["forumgrader.db"].dispose()


def wait_for(app: Flask, job_id: int, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = job_row(app, job_id)
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is still {job_row(app, job_id).status}")


def test_the_chunks_of_one_topic_are_shared_by_the_workers(
    worker_app: Callable[..., Flask],
    session: Session,
    topic_id: int,
    crossref: LocalCrossref,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crossref.configure(latency=0.1)
    monkeypatch.setattr(checks, "CHUNK", 2)
    monkeypatch.setattr(pipeline, "CHUNK", 2)
    by: dict[int, str] = {}
    real = pipeline._verify

    def noted(database: Any, chunk: Any) -> None:
        by[chunk.id] = threading.current_thread().name
        real(database, chunk)

    monkeypatch.setattr(pipeline, "_verify", noted)
    app = worker_app(threads=3)
    with app.app_context():
        job = submit_check(session, session.get_one(Topic, topic_id), None)
        session.commit()
        jobs.enqueue(job)
    finished = wait_for(app, job.id)
    assert finished.status == "done", finished.error
    chunks = session.scalars(select(CheckChunk).where(CheckChunk.job_id == job.id)).all()
    assert len(chunks) == 5 and {chunk.status for chunk in chunks} == {"done"}  # 9 distinct references, 2 a chunk
    assert sorted(by) == sorted(chunk.id for chunk in chunks)  # each chunk verified once
    assert len(set(by.values())) > 1  # by more than one worker thread
    assert None not in {row.verdict for row in session.scalars(select(ReferenceCheck))}
    assert crossref.stats()["total"] > 0 and not pending_keys(session, topic_id)
    assert session.scalars(select(Grade).where(Grade.topic_id == topic_id)).all()


def test_a_chunk_whose_worker_stopped_is_taken_again_and_counted_once(
    app: Flask, session: Session, topic_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    analyse_topic(session, topic_id)
    keys = pending_keys(session, topic_id)
    job = Job(kind="check_topic", topic_id=topic_id, status="running", attempts=1, total=len(keys))
    session.add(job)
    session.flush()
    # an earlier run: its first chunk done, its second taken by a worker that died halfway, its third never taken
    session.add_all(
        [
            CheckChunk(job_id=job.id, number=0, keys=keys[:3], status="open"),
            CheckChunk(job_id=job.id, number=1, keys=keys[3:6], status="taken", done=2,
                       heartbeat_at=datetime.now(UTC) - jobs.STALE_AFTER - timedelta(seconds=1)),
            CheckChunk(job_id=job.id, number=2, keys=keys[6:], status="open"),
        ]
    )  # fmt: skip
    session.commit()
    seen: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, message: str) -> None:
        seen.append((done, total, message))
        session.commit()

    with app.app_context():
        pipeline.check_topic(session, job, progress)
    session.commit()
    rows = session.scalars(select(CheckChunk).where(CheckChunk.job_id == job.id).order_by(CheckChunk.number)).all()
    assert [(row.status, row.done) for row in rows] == [("done", 3), ("done", 3), ("done", len(keys) - 6)]
    assert rows[1].attempts == 1  # taken again once
    assert (f"Checked {len(keys)} references") in [message for _done, _total, message in seen]
    assert None not in {row.verdict for row in session.scalars(select(ReferenceCheck))}


def test_a_failed_chunk_goes_back_for_another_worker(
    app: Flask, session: Session, topic_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyse_topic(session, topic_id)
    job = Job(kind="check_topic", topic_id=topic_id, status="running")
    session.add(job)
    session.flush()
    session.add(CheckChunk(job_id=job.id, number=0, keys=pending_keys(session, topic_id)))
    session.commit()
    chunk_id = session.scalars(select(CheckChunk.id)).one()

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(pipeline, "verify_keys", broken)
    with app.app_context(), pytest.raises(ConnectionError):
        pipeline.check_chunk(job.id, chunk_id)
    session.expire_all()
    assert session.get_one(CheckChunk, chunk_id).status == "open"


def test_the_chunks_of_a_finished_check_go_when_the_topic_is_checked_again(
    app: Flask, session: Session, topic_id: int
) -> None:
    earlier = Job(kind="check_topic", topic_id=topic_id, status="failed")
    session.add(earlier)
    session.flush()
    session.add(CheckChunk(job_id=earlier.id, number=0, keys=["a" * 64], status="taken"))
    job = Job(kind="check_topic", topic_id=topic_id, status="running")
    session.add(job)
    session.commit()
    with app.app_context():
        pipeline.check_topic(session, job, lambda *_: session.commit())
    session.commit()
    assert session.scalars(select(CheckChunk.job_id).distinct()).all() == [job.id]
