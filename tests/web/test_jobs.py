"""Background jobs: progress is stored, failures say why, interrupted jobs resume, a job never runs twice at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from forumgrader import create_app, jobs
from forumgrader.store.models import Job

Runs = list[int]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    """Register test job kinds; the list records each run's job id."""
    seen: Runs = []

    def count(session: Session, job: Job, progress: jobs.Progress) -> None:
        seen.append(job.id)
        total = job.params.get("total", 3)
        for done in range(1, total + 1):
            time.sleep(job.params.get("pause", 0))
            progress(done, total, f"{done} of {total} posts checked")

    def refuse(session: Session, job: Job, progress: jobs.Progress) -> None:
        seen.append(job.id)
        raise jobs.JobFailed("This export has no posts: export the discussion again with its replies.")

    def flaky(session: Session, job: Job, progress: jobs.Progress) -> None:
        seen.append(job.id)
        if len(seen) == 1:
            raise ConnectionError("the database went away")
        progress(1, 1, "1 of 1 posts checked")

    for name, function in {"test-count": count, "test-refuse": refuse, "test-flaky": flaky}.items():
        monkeypatch.setitem(jobs.KINDS, name, function)
    return seen


def start(app: Flask, kind: str, **params: Any) -> int:
    with app.app_context():
        database = app.extensions["forumgrader.db"]
        with database.session() as session:
            job = jobs.submit(session, kind, params=params)
        jobs.enqueue(job)
        return job.id


def job_row(app: Flask, job_id: int) -> Job:
    with app.extensions["forumgrader.db"].sessions() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def wait_for(app: Flask, job_id: int, statuses: set[str], seconds: float = 15) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = job_row(app, job_id)
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is still {job_row(app, job_id).status}")


def test_a_job_records_its_progress_and_finishes(app: Flask, runs: Runs) -> None:
    job = job_row(app, start(app, "test-count", total=4))
    assert (job.status, job.done, job.total, job.message) == ("done", 4, 4, "4 of 4 posts checked")
    assert job.attempts == 1 and job.started_at is not None and job.finished_at is not None
    assert jobs.percent(job) == 100


def test_a_job_that_refuses_says_why_and_is_not_retried(app: Flask, runs: Runs) -> None:
    job = job_row(app, start(app, "test-refuse"))
    assert job.status == "failed"
    assert job.error == "This export has no posts: export the discussion again with its replies."
    assert job.attempts == 1


def test_an_unexpected_failure_is_recorded_with_its_reason(app: Flask, runs: Runs) -> None:
    job = job_row(app, start(app, "test-flaky"))
    # immediate: no retry; the error is said without its exception's class name, which the log keeps
    assert (job.status, job.error) == (
        "failed",
        "an unexpected error stopped it (the database went away); the site's log has the details",
    )


def test_a_job_of_a_kind_this_worker_does_not_know_fails_with_the_reason(app: Flask, runs: Runs) -> None:
    with app.app_context(), app.extensions["forumgrader.db"].session() as session:
        job = Job(kind="from-a-newer-version")
        session.add(job)
    with app.app_context():
        jobs.enqueue(job)
    found = job_row(app, job.id)
    assert found.status == "failed"
    assert (
        found.error
        == "This worker cannot run 'from-a-newer-version' jobs: run the same forumgrader version everywhere."
    )


def test_percent_is_unknown_until_the_size_of_the_work_is() -> None:
    assert jobs.percent(Job(status="running", done=0, total=0)) is None
    assert jobs.percent(Job(status="running", done=1, total=3)) == 33
    assert jobs.percent(Job(status="done", done=0, total=0)) == 100


@pytest.fixture
def queued_app(
    app_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], Flask]]:
    """Build apps on the embedded SQLite queue (as `forumgrader serve` runs), sharing one instance folder."""
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(jobs, "RETRY_DELAY_SECONDS", 0)
    built: list[Flask] = []

    def build() -> Flask:
        built.append(create_app({**app_config, "TASK_QUEUE": "sqlite"}))
        return built[-1]

    yield build
    for application in built:
        application.extensions["forumgrader.db"].dispose()


@pytest.fixture
def worker() -> Iterator[Callable[[Flask], None]]:
    consumers = []

    def run(application: Flask) -> None:
        consumers.append(jobs.start_worker(application, threads=2))

    yield run
    for consumer in consumers:
        consumer.stop(graceful=True)


def test_the_embedded_worker_runs_queued_jobs(queued_app: Callable[[], Flask], worker: Any, runs: Runs) -> None:
    app = queued_app()
    job_id = start(app, "test-count", total=3)
    assert job_row(app, job_id).status == "queued"  # nothing runs it until a worker does
    worker(app)
    job = wait_for(app, job_id, {"done", "failed"})
    assert (job.status, job.done, job.total) == ("done", 3, 3)


def test_a_failed_attempt_is_retried_and_its_reason_kept_until_then(
    queued_app: Callable[[], Flask], worker: Any, runs: Runs
) -> None:
    app = queued_app()
    worker(app)
    job = wait_for(app, start(app, "test-flaky"), {"done", "failed"})
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    assert len(runs) == 2


def test_jobs_a_restart_cut_short_are_resumed(queued_app: Callable[[], Flask], worker: Any, runs: Runs) -> None:
    before = queued_app()
    with before.app_context(), before.extensions["forumgrader.db"].session() as session:
        crashed = Job(kind="test-count", status="running", done=1, total=3, attempts=1, params={"total": 3})
        lost = Job(kind="test-count", params={"total": 2})  # recorded, but never reached the queue
        session.add_all([crashed, lost])
    after = queued_app()  # the restart
    assert jobs.resume_interrupted(after) == 2
    worker(after)
    resumed = wait_for(after, crashed.id, {"done", "failed"})
    assert (resumed.status, resumed.done, resumed.attempts) == ("done", 3, 2)
    assert wait_for(after, lost.id, {"done", "failed"}).status == "done"


def test_a_job_queued_twice_runs_once(queued_app: Callable[[], Flask], worker: Any, runs: Runs) -> None:
    app = queued_app()
    job_id = start(app, "test-count", total=2, pause=0.2)
    with app.app_context():
        jobs.enqueue(job_row(app, job_id))  # e.g. resumed while the first copy was still queued
    worker(app)
    wait_for(app, job_id, {"done", "failed"})
    time.sleep(0.5)  # give the second copy time to be picked up, and refused
    assert runs == [job_id]


def test_a_restart_leaves_alone_a_job_another_worker_is_still_running(
    queued_app: Callable[[], Flask], worker: Any, runs: Runs
) -> None:
    app = queued_app()
    now = datetime.now(UTC)
    with app.app_context(), app.extensions["forumgrader.db"].session() as session:
        busy = Job(kind="test-count", status="running", attempts=1, heartbeat_at=now - timedelta(seconds=20))
        gone = Job(kind="test-count", status="running", attempts=1, heartbeat_at=now - jobs.STALE_AFTER * 2)
        session.add_all([busy, gone])
    restarted = queued_app()  # e.g. `forumgrader worker` starting on a second machine
    assert jobs.resume_interrupted(restarted) == 1
    worker(restarted)
    assert wait_for(restarted, gone.id, {"done", "failed"}).status == "done"
    assert job_row(restarted, busy.id).status == "running"
    assert runs == [gone.id]


def test_a_job_whose_worker_stopped_beating_is_taken_over_by_the_sweep(
    queued_app: Callable[[], Flask], worker: Any, runs: Runs
) -> None:
    app = queued_app()
    with app.app_context(), app.extensions["forumgrader.db"].session() as session:
        silent = Job(kind="test-count", status="running", attempts=1, done=1, total=3, params={"total": 3})
        silent.heartbeat_at = datetime.now(UTC) - jobs.STALE_AFTER - timedelta(seconds=1)
        session.add(silent)
    # swept before the worker starts: its own once-a-minute sweep would otherwise race this one at a minute's turn
    assert jobs.requeue_stale(app) == 1
    assert jobs.requeue_stale(app) == 0  # taken once
    worker(app)
    resumed = wait_for(app, silent.id, {"done", "failed"})
    assert (resumed.status, resumed.done, resumed.attempts) == ("done", 3, 2)


def test_a_running_job_beats_so_that_no_sweep_takes_it(app: Flask, runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    beats: list[datetime | None] = []

    def watch(session: Session, job: Job, progress: jobs.Progress) -> None:
        for _ in range(2):
            time.sleep(0.3)
            with app.extensions["forumgrader.db"].sessions() as other:
                beats.append(other.get_one(Job, job.id).heartbeat_at)
            assert jobs.requeue_stale(app) == 0

    monkeypatch.setitem(jobs.KINDS, "test-watch", watch)
    assert job_row(app, start(app, "test-watch")).status == "done"
    first, second = beats
    assert first is not None and second is not None and second > first
