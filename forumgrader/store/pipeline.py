"""The pipeline as a background job: read a topic's citations, verify them against Crossref, then grade it.

The job cuts the topic's references into chunks (forumgrader.store.chunks) and hands each to the queue, so that any
worker of any machine takes one; it takes chunks itself meanwhile, then waits for the last ones (taking again any whose
worker stopped), and grades the topic once every chunk is done.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from forumgrader import jobs, store
from forumgrader.store import chunks
from forumgrader.store.checks import CHUNK, analyse_topic, pending_keys, verify_keys, verify_workers
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.db import Database
from forumgrader.store.grades import grade_after_check
from forumgrader.store.models import Job, Topic

WAIT_SECONDS = 0.2  # how often the job looks whether the chunks other workers took are done


class CheckError(ValueError):
    """A check_topic job that cannot run (no such topic)."""


@jobs.kind("check_topic")
def check_topic(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Analyse a topic's posts, verify their references against Crossref chunk by chunk, then grade the topic."""
    topic_id = job.topic_id
    if topic_id is None or session.get(Topic, topic_id) is None:
        raise CheckError(f"a check_topic job needs an existing topic, not {topic_id!r}")
    analysed = analyse_topic(session, topic_id)
    progress(0, 0, f"Read the reference lists of {analysed} posts")  # also commits: nothing is left to write
    waiting = chunks.plan(session, job, pending_keys(session, topic_id), CHUNK)
    session.commit()
    for chunk_id in waiting[1:]:  # the first is this worker's
        jobs.enqueue_part(job, chunk_id)
    database = store.database()
    while (chunk := chunks.take(database, job.id)) is not None or chunks.left(database, job.id):
        if chunk is not None:
            _verify(database, chunk)
        else:
            time.sleep(WAIT_SECONDS)  # other workers are at the last chunks
    progress(job.total, job.total, f"Checked {job.total} references")
    grade_after_check(session, job, topic_id, progress)


@jobs.part("check_topic")
def check_chunk(job_id: int, chunk_id: int) -> None:
    """Verify one chunk of a topic's check, if it is still to be done (any worker may run this)."""
    database = store.database()
    chunk = chunks.take(database, job_id, chunk_id)
    if chunk is not None:
        _verify(database, chunk)


def _verify(database: Database, chunk: chunks.Taken) -> None:
    """Verify a chunk's references and store their verdicts; a chunk that fails goes back for another worker."""
    config: dict[str, Any] = current_app.config
    try:
        with jobs.heartbeat(database, chunks.beat(chunk), f"chunk {chunk.id}"), database.sessions() as session:
            topic_id = session.get_one(Job, chunk.job_id).topic_id
            source = metadata_source(config, database)
            verify_keys(session, topic_id, chunk.keys, source, workers=verify_workers(config),
                        progress=chunks.Progress(database, chunk))  # fmt: skip
            chunks.finish(session, chunk)
            session.commit()
    except BaseException:
        chunks.give_back(database, chunk)
        raise
