"""The pipeline as a background job: read a topic's citations, verify them against Crossref, then grade it."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from forumgrader import jobs, store
from forumgrader.store.checks import analyse_topic, verify_topic, verify_workers
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.grades import grade_after_check
from forumgrader.store.models import Job, Topic


class CheckError(ValueError):
    """A check_topic job that cannot run (no such topic)."""


@jobs.kind("check_topic")
def check_topic(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Analyse a topic's posts, verify their references against Crossref, then grade the topic."""
    topic_id = job.topic_id
    if topic_id is None or session.get(Topic, topic_id) is None:
        raise CheckError(f"a check_topic job needs an existing topic, not {topic_id!r}")
    analysed = analyse_topic(session, topic_id)
    progress(0, 0, f"Read the reference lists of {analysed} posts")  # also commits: nothing is left to write
    source = metadata_source(current_app.config, store.database())

    def report(done: int, total: int) -> None:
        progress(done, total, f"Checked {done} of {total} references against Crossref")

    workers = verify_workers(current_app.config)
    summary = verify_topic(session, topic_id, source, workers=workers, checkpoint=session.commit, progress=report)
    progress(summary.unique, summary.unique, f"Checked {summary.unique} references")
    grade_after_check(session, job, topic_id, progress)
