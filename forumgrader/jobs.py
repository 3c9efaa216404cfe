"""Background work on huey: embedded on SQLite by default, on Redis for several machines, progress in the Job table."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.store.db import utcnow
from forumgrader.store.models import Job

log = logging.getLogger(__name__)
EXTENSION = "forumgrader.huey"

# A job kind is a function (session, job, progress) -> None; progress(done, total, message) records how far it got.
Progress = Callable[[int, int, str], None]
JobFunction = Callable[[Session, Job, Progress], None]
KINDS: dict[str, JobFunction] = {}


def kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the body of jobs of this kind."""

    def register(function: JobFunction) -> JobFunction:
        KINDS[name] = function
        return function

    return register


def init_app(app: Flask) -> None:
    """Create the queue the configuration asks for and register the one task that runs jobs."""
    mode = app.config["TASK_QUEUE"]
    if mode == "redis":
        huey: Huey = RedisHuey("forumgrader", url=app.config["REDIS_URL"])
    elif mode == "immediate":
        huey = MemoryHuey("forumgrader", immediate=True)
    elif mode == "sqlite":
        huey = SqliteHuey("forumgrader", filename=f"{app.instance_path}/jobs.sqlite")
    else:
        raise ValueError(f"TASK_QUEUE={mode!r}: use sqlite, redis or immediate")

    @huey.task(retries=2, retry_delay=10, context=True)
    def run(job_id: int, task: Any = None) -> None:
        with app.app_context():
            execute(job_id)

    app.extensions[EXTENSION] = (huey, run)


def submit(session: Session, kind_name: str, *, params: dict[str, Any] | None = None, **owner: Any) -> Job:
    """Record a job and queue it; the caller commits first so the worker can see it (see `enqueue`)."""
    if kind_name not in KINDS:
        raise ValueError(f"unknown job kind {kind_name!r}")
    job = Job(kind=kind_name, params=params or {}, **owner)
    session.add(job)
    session.flush()
    return job


def enqueue(job: Job) -> None:
    """Hand a committed job to the queue."""
    _huey, run = current_app.extensions[EXTENSION]
    run(job.id)


def execute(job_id: int) -> None:
    """Run one job to the end, recording progress, success or the reason it failed."""
    database = store.database()
    with database.session() as session:
        job = session.get(Job, job_id)
        if job is None or job.status == "done":
            return
        job.status, job.started_at, job.attempts, job.error = "running", utcnow(), job.attempts + 1, ""
    with database.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None

        def progress(done: int, total: int, message: str) -> None:
            # each report is also a checkpoint: what was done so far is kept if the job is cut short
            job.done, job.total, job.message = done, total, message
            session.commit()

        try:
            KINDS[job.kind](session, job, progress)
            session.commit()
        except Exception as error:  # a job's failure is recorded for the user, then re-raised for huey's retry
            session.rollback()
            _finish(job_id, "failed", error=f"{type(error).__name__}: {error}")
            log.exception("job %s failed", job_id)
            raise
    _finish(job_id, "done")


def _finish(job_id: int, status: str, error: str = "") -> None:
    with store.database().session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = status, error, utcnow()


def resume_interrupted(app: Flask) -> int:
    """Queue again the jobs a restart cut short (queued or running); their work is idempotent."""
    with app.app_context(), store.database().session() as session:
        stale = session.scalars(select(Job).where(Job.status.in_(("queued", "running")))).all()
        ids = [job.id for job in stale]
    with app.app_context():
        _huey, run = app.extensions[EXTENSION]
        for job_id in ids:
            run(job_id)
    return len(ids)


def start_worker(app: Flask, *, threads: int | None = None) -> Consumer:
    """Start a huey consumer in this process's threads (embedded mode) and return it."""
    huey, _run = app.extensions[EXTENSION]
    consumer = huey.create_consumer(workers=threads or app.config["WORKER_THREADS"], worker_type="thread")
    threading.Thread(target=consumer.start, name="forumgrader-worker", daemon=True).start()
    return consumer
