"""Background work on huey: embedded on SQLite by default, on Redis for several machines, progress in the Job table.

A job may be cut into parts that any worker can take (`part`, `enqueue_part`): a topic's check hands its chunks of
references to the queue, so that every worker helps with one topic. A topic has at most one check queued or running:
submitting another returns the one under way (a unique index decides when two submits race).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, NamedTuple

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from huey.exceptions import CancelExecution
from sqlalchemy import ColumnElement, Update, or_, select, update
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.store.db import INSERTS, Database, utcnow
from forumgrader.store.models import Job
from forumgrader.store.models.jobs import ACTIVE, ACTIVE_CHECK, ONE_PER_TOPIC

log = logging.getLogger(__name__)
EXTENSION = "forumgrader.huey"
RETRIES = 2
RETRY_DELAY_SECONDS = 10
# A running job's worker writes heartbeat_at this often; a running job silent for STALE_AFTER lost its worker (a crash,
# a machine gone) and is queued again, by any worker's once-a-minute sweep or by a worker starting.
HEARTBEAT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=3)

# A job kind is a function (session, job, progress) -> None; progress(done, total, message) records how far it got.
Progress = Callable[[int, int, str], None]
JobFunction = Callable[[Session, Job, Progress], None]
KINDS: dict[str, JobFunction] = {}
# A part of a job of a kind: a function (job id, part id) -> None, run by whichever worker takes it from the queue.
PartFunction = Callable[[int, int], None]
PARTS: dict[str, PartFunction] = {}
QUEUES: dict[str, Callable[[Flask], Huey]] = {
    "sqlite": lambda app: SqliteHuey("forumgrader", filename=f"{app.instance_path}/jobs.sqlite", results=False),
    "redis": lambda app: RedisHuey("forumgrader", url=app.config["REDIS_URL"], results=False),
    "immediate": lambda app: MemoryHuey("forumgrader", immediate=True, results=False),
}
# The modules whose @kind functions make up the pipeline; imported when the app is built, so that the web, the CLI
# and a worker started from a WSGI file all know every kind.
KIND_MODULES = (
    "forumgrader.store.pipeline",
    "forumgrader.store.grades",
    "forumgrader.lti.passback",
    "forumgrader.canvas.sync",
)


class Queue(NamedTuple):
    """The app's queue and its two tasks: run a job (by id), run a part of one (kind, job id, part id)."""

    huey: Huey
    run: Any  # huey task wrappers: calling one queues it
    run_part: Any


def queue(app: Flask | None = None) -> Queue:
    """Return the app's queue (built by init_app)."""
    found: Queue = (app or current_app).extensions[EXTENSION]
    return found


class JobFailed(Exception):
    """A job's own reason to stop (bad input, nothing to do): shown to the user as is, and not retried."""


def kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the body of jobs of this kind."""

    def register(function: JobFunction) -> JobFunction:
        KINDS[name] = function
        return function

    return register


def part(kind_name: str) -> Callable[[PartFunction], PartFunction]:
    """Register a function as the body of the parts of jobs of this kind."""

    def register(function: PartFunction) -> PartFunction:
        PARTS[kind_name] = function
        return function

    return register


def init_app(app: Flask) -> None:
    """Create the queue the configuration asks for and register the one task that runs jobs."""
    mode = app.config["TASK_QUEUE"]
    if mode not in QUEUES:
        raise ValueError(f"TASK_QUEUE={mode!r}: use {', '.join(QUEUES)}")
    for module in KIND_MODULES:
        importlib.import_module(module)
    huey = QUEUES[mode](app)
    retries = 0 if mode == "immediate" else RETRIES  # nothing would ever run a retry scheduled in immediate mode

    @huey.task(retries=retries, retry_delay=RETRY_DELAY_SECONDS, context=True)  # type: ignore[untyped-decorator]
    def run(job_id: int, task: Any = None) -> None:
        with app.app_context():
            execute(job_id, retries_left=task.retries if task is not None else 0)

    @huey.task()  # type: ignore[untyped-decorator]  # no retry: a part that fails is taken again by its job
    def run_part(kind_name: str, job_id: int, part_id: int) -> None:
        with app.app_context():
            PARTS[kind_name](job_id, part_id)

    @huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
    def sweep() -> None:
        requeue_stale(app)

    app.extensions[EXTENSION] = Queue(huey, run, run_part)


def submit(session: Session, kind_name: str, *, params: dict[str, Any] | None = None, **owner: Any) -> Job:
    """Record a job, or return the topic's check under way when one is (the caller commits, then `enqueue`s it)."""
    if kind_name not in KINDS:
        raise ValueError(f"unknown job kind {kind_name!r}")
    if kind_name == ONE_PER_TOPIC and owner.get("topic_id") is not None:
        return _join_or_submit(session, kind_name, params or {}, owner)
    job = Job(kind=kind_name, params=params or {}, **owner)
    session.add(job)
    session.flush()
    return job


def _join_or_submit(session: Session, kind_name: str, params: dict[str, Any], owner: dict[str, Any]) -> Job:
    """The topic's active job of this kind, else a new one; ON CONFLICT DO NOTHING settles two submits racing."""
    insert = INSERTS[session.get_bind().dialect.name](Job)
    while True:
        running = session.scalar(
            select(Job).where(Job.kind == kind_name, Job.topic_id == owner["topic_id"], Job.status.in_(ACTIVE))
        )
        if running is not None:
            return running
        added = session.scalar(
            insert.values(kind=kind_name, params=params, **owner)
            .on_conflict_do_nothing(index_elements=["topic_id"], index_where=ACTIVE_CHECK)
            .returning(Job.id)
        )
        if added is not None:
            return session.get_one(Job, added)
        # another submit got there first: join it (or, if it finished meanwhile, try again)


def enqueue(job: Job) -> None:
    """Hand a committed job to the queue (a job already running or done is not run again); when the queue cannot be
    reached, mark the job failed, saying why."""
    try:
        queue().run(job.id)
    except Exception:  # Redis down, the SQLite queue's file unwritable: whatever it is, the job will not run
        log.exception("job %s could not be queued", job.id)
        reason = (
            "The job queue could not be reached, so this did not start: try again in a minute (if it keeps failing, "
            "whoever runs forumgrader should check the queue)."
        )
        with store.database().session() as session:
            session.execute(
                update(Job)
                .where(Job.id == job.id, Job.status == "queued")
                .values(status="failed", error=reason, message="Not started.", finished_at=utcnow())
            )


def enqueue_part(job: Job, part_id: int) -> None:
    """Hand a part of a running job to the queue, for any worker to take (the part is recorded and committed)."""
    queue().run_part(job.kind, job.id, part_id)


def execute(job_id: int, *, retries_left: int = 0) -> None:
    """Run one job to the end, recording progress, success or the reason it failed."""
    database = store.database()
    if not _claim(job_id):
        return  # done, failed for good, or already taken by another worker (a job may be queued twice on resume)
    with heartbeat(database, _job_beat(job_id), f"job {job_id}"), database.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None

        def progress(done: int, total: int, message: str) -> None:
            # each report is also a checkpoint: what was done so far is kept if the job is cut short
            job.done, job.total, job.message = done, total, message
            session.commit()

        try:
            if job.kind not in KINDS:  # the worker runs code that does not register this kind (another version?)
                raise JobFailed(
                    f"This worker cannot run {job.kind!r} jobs: run the same forumgrader version everywhere."
                )
            KINDS[job.kind](session, job, progress)
            session.commit()
        except JobFailed as error:
            session.rollback()
            _finish(job_id, "failed", error=str(error))
            raise CancelExecution(retry=False) from error
        except Exception as error:  # recorded for the user, then re-raised so huey retries it
            session.rollback()
            reason = f"an unexpected error stopped it ({error}); the site's log has the details"
            if retries_left > 0:
                _finish(job_id, "queued", error=reason, message="This attempt failed; trying again shortly.")
            else:
                _finish(job_id, "failed", error=reason)
            log.exception("job %s failed", job_id)
            raise
    _finish(job_id, "done")


def _claim(job_id: int) -> bool:
    """Mark a queued job as running, atomically, so that two workers never run the same job."""
    with store.database().session() as session:
        claimed = session.scalar(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=utcnow(), heartbeat_at=utcnow(), attempts=Job.attempts + 1, error="")
            .returning(Job.id)
        )
        return claimed is not None


@contextmanager
def heartbeat(database: Database, beat: Callable[[], Update], name: str) -> Iterator[None]:
    """Run the `beat` statement every HEARTBEAT_SECONDS while the block runs, so no other worker takes the work over."""
    stop = threading.Event()

    def beat_forever() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with database.session() as session:
                    session.execute(beat())
            except Exception:  # a missed beat is no reason to stop the work; STALE_AFTER allows several
                log.warning("%s: could not record its heartbeat", name, exc_info=True)

    beating = threading.Thread(target=beat_forever, name=f"{name}-heartbeat", daemon=True)
    beating.start()
    try:
        yield
    finally:
        stop.set()
        beating.join()


def _job_beat(job_id: int) -> Callable[[], Update]:
    return lambda: update(Job).where(Job.id == job_id, Job.status == "running").values(heartbeat_at=utcnow())


def _finish(job_id: int, status: str, *, error: str = "", message: str | None = None) -> None:
    with store.database().session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.error = status, error
            job.finished_at = None if status == "queued" else utcnow()
            if message is not None:
                job.message = message


def percent(job: Job) -> int | None:
    """Return how far a job got, 0-100, or None while its size is unknown."""
    if job.status == "done":
        return 100
    if job.total <= 0:
        return None
    return min(100, round(100 * job.done / job.total))


def _stale() -> ColumnElement[bool]:
    """Running jobs whose worker has not written a heartbeat for STALE_AFTER: it crashed, or its machine is gone."""
    return (Job.status == "running") & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < utcnow() - STALE_AFTER)


def _requeue(session: Session, message: str) -> list[int]:
    """Mark the stale running jobs queued again and return their ids (atomic: two sweeps never take the same job)."""
    return list(session.scalars(update(Job).where(_stale()).values(status="queued", message=message).returning(Job.id)))


def requeue_stale(app: Flask) -> int:
    """Queue again the running jobs whose worker stopped beating (any worker runs this every minute)."""
    with app.app_context():
        with store.database().session() as session:
            ids = _requeue(session, "Its worker stopped; it continues from where it got to.")
        for job_id in ids:
            queue(app).run(job_id)
    return len(ids)


def resume_interrupted(app: Flask) -> int:
    """Queue again the jobs a restart cut short: stale running ones, and queued ones; their work is idempotent.

    A running job whose heartbeat is fresh belongs to a worker still at work (on another machine, or in another
    process): it is left alone. If its worker did stop, the sweep queues it once it has been silent for STALE_AFTER.
    """
    with app.app_context():
        with store.database().session() as session:
            _requeue(session, "Resumed after a restart.")
            ids = list(session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id)))
        for job_id in ids:
            queue(app).run(job_id)
    return len(ids)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]  # huey has no type hints
    """A huey consumer that runs beside the web server: the server, not huey, owns the process's signals."""

    def _set_signal_handlers(self) -> None:
        pass


def start_worker(app: Flask, *, threads: int | None = None) -> Consumer:
    """Start a huey consumer on threads of this process (embedded mode) and return it; stop it with `stop()`."""
    consumer = EmbeddedConsumer(queue(app).huey, workers=threads or app.config["WORKER_THREADS"], worker_type="thread")
    consumer.start()
    return consumer


def run_worker(app: Flask, *, threads: int | None = None) -> None:
    """Run a huey consumer in the foreground until Ctrl-C or SIGTERM (the `forumgrader worker` command)."""
    queue(app).huey.create_consumer(workers=threads or app.config["WORKER_THREADS"], worker_type="thread").run()
