"""The chunks a topic's check is cut into: planned once per job, taken by one worker at a time, done once.

A chunk is taken atomically (one UPDATE ... RETURNING), only while its job is queued or running; the worker that
took it writes a heartbeat while it works, and a taken chunk whose heartbeat is older than jobs.STALE_AFTER lost its
worker and is taken again. Progress is kept per chunk (references checked so far) and the job's is their sum, so a
chunk done again after its first worker died never counts twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Update, delete, func, or_, select, update
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.store.checks import chunks
from forumgrader.store.db import Database, utcnow
from forumgrader.store.models import CheckChunk, Job
from forumgrader.store.models.jobs import ACTIVE

PROGRESS_SECONDS = 0.5  # a chunk's progress is written at most this often (and when it is done)


@dataclass(frozen=True, slots=True)
class Taken:
    """A chunk a worker took: which one, of which job, and the keys of the references to verify."""

    id: int
    job_id: int
    keys: list[str]


def plan(session: Session, job: Job, keys: Sequence[str], size: int) -> list[int]:
    """Cut the job's references into chunks of `size`, unless an earlier run of the job did; return the ids of the
    chunks not done yet. Sets the job's total (every reference) and done (those of the chunks done); flush only.
    The chunks of the topic's earlier checks, finished, go."""
    finished = select(Job.id).where(Job.topic_id == job.topic_id, Job.status.not_in(ACTIVE))
    session.execute(delete(CheckChunk).where(CheckChunk.job_id.in_(finished)))
    if session.scalar(select(func.count()).where(CheckChunk.job_id == job.id)) == 0:
        session.add_all(
            CheckChunk(job_id=job.id, number=number, keys=list(part)) for number, part in enumerate(chunks(keys, size))
        )
        session.flush()
    rows = session.execute(
        select(CheckChunk.id, CheckChunk.keys, CheckChunk.status, CheckChunk.done)
        .where(CheckChunk.job_id == job.id)
        .order_by(CheckChunk.number)
    ).all()
    job.total = sum(len(row.keys) for row in rows)
    job.done = sum(row.done for row in rows if row.status == "done")
    session.flush()
    return [row.id for row in rows if row.status != "done"]


def _takeable() -> ColumnElement[bool]:
    """Chunks a worker may take: open, or taken by a worker that stopped beating; of a job still to finish."""
    stale = (CheckChunk.status == "taken") & (CheckChunk.heartbeat_at < utcnow() - jobs.STALE_AFTER)
    active = CheckChunk.job_id.in_(select(Job.id).where(Job.status.in_(ACTIVE)))
    return or_(CheckChunk.status == "open", stale) & active


def take(database: Database, job_id: int, chunk_id: int | None = None) -> Taken | None:
    """Take a chunk of a job (that one, or any not done), atomically; None when there is none to take."""
    with database.session() as session:
        while True:
            wanted = chunk_id
            if wanted is None:
                wanted = session.scalar(
                    select(CheckChunk.id)
                    .where(CheckChunk.job_id == job_id, _takeable())
                    .order_by(CheckChunk.number)
                    .limit(1)
                )
                if wanted is None:
                    return None
            taken = session.execute(
                update(CheckChunk)
                .where(CheckChunk.id == wanted, CheckChunk.job_id == job_id, _takeable())
                .values(status="taken", heartbeat_at=utcnow(), done=0, attempts=CheckChunk.attempts + 1)
                .returning(CheckChunk.keys)
            ).first()
            if taken is not None:
                return Taken(wanted, job_id, list(taken.keys))
            if chunk_id is not None:
                return None  # done, or taken by a worker still at it
            # another worker took it between the two statements: look for the next one


def beat(chunk: Taken) -> Callable[[], Update]:
    """Return the statement that keeps a taken chunk the worker's (for jobs.heartbeat)."""
    return lambda: (
        update(CheckChunk).where(CheckChunk.id == chunk.id, CheckChunk.status == "taken").values(heartbeat_at=utcnow())
    )


def finish(session: Session, chunk: Taken) -> None:
    """Mark a chunk done, every reference of it counted (flush only)."""
    session.execute(update(CheckChunk).where(CheckChunk.id == chunk.id).values(status="done", done=len(chunk.keys)))
    _count(session, chunk.job_id)


def give_back(database: Database, chunk: Taken) -> None:
    """Put a chunk back for another worker (its worker failed on it)."""
    with database.session() as session:
        session.execute(
            update(CheckChunk).where(CheckChunk.id == chunk.id, CheckChunk.status == "taken").values(status="open")
        )


def left(database: Database, job_id: int) -> int:
    """Return how many of a job's chunks are not done."""
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).where(CheckChunk.job_id == job_id, CheckChunk.status != "done"))
                   or 0)  # fmt: skip


def _count(session: Session, job_id: int) -> None:
    done = session.scalar(select(func.coalesce(func.sum(CheckChunk.done), 0)).where(CheckChunk.job_id == job_id))
    total = session.scalar(select(Job.total).where(Job.id == job_id))
    message = f"Checked {done} of {total} references against Crossref"
    session.execute(update(Job).where(Job.id == job_id).values(done=done, message=message))


class Progress:
    """Write a chunk's progress as its references are verified (a verify_references progress callback), at most
    every PROGRESS_SECONDS, each time in a short transaction of its own."""

    def __init__(self, database: Database, chunk: Taken) -> None:
        self.database = database
        self.chunk = chunk
        self._written = 0.0

    def __call__(self, done: int, _total: int) -> None:
        now = time.monotonic()
        if now - self._written < PROGRESS_SECONDS:
            return
        self._written = now
        with self.database.session() as session:
            session.execute(update(CheckChunk).where(CheckChunk.id == self.chunk.id).values(done=done))
            _count(session, self.chunk.job_id)
