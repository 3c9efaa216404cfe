"""A topic's rubric: which one grades it, choosing another, and grading the topic again after a change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.grading import Rubric, RubricError, load_rubric, shipped_rubrics
from forumgrader.store.db import utcnow
from forumgrader.store.grades import GradedStudent, default_rubric, grade_topic, rubric_name, topic_rubric
from forumgrader.store.models import AuditEntry, Job, Topic, User


def rubric_choices() -> list[str]:
    """Return the rubrics an instructor may pick for a topic: the shipped ones and the configured default."""
    return sorted({*shipped_rubrics(), default_rubric()})


def regrade(session: Session, topic: Topic, *, now: datetime | None = None) -> list[GradedStudent]:
    """Grade every student of a topic again with its rubric (flush only): after a review, an override, a new rubric."""
    return grade_topic(session, topic.id, topic_rubric(topic), now=now or utcnow())


def set_rubric(session: Session, topic: Topic, name: str, user: User | None) -> Rubric:
    """Grade a topic with another rubric from now on ("" for the default), audited; the caller grades it again."""
    name = name.strip()
    if name and name not in rubric_choices():
        raise RubricError([f"{name}: not a rubric this site offers (choose one of {', '.join(rubric_choices())})"])
    previous = topic.rubric
    rubric = load_rubric(name or default_rubric())
    topic.rubric = name
    session.add(
        AuditEntry(
            action="topic.rubric",
            subject=f"topic:{topic.id}",
            details={"rubric": name, "previous": previous, "loaded": rubric.name},
            user_id=user.id if user else None,
            actor=(user.name or user.email) if user else "",
        )
    )
    session.flush()
    return rubric


def submit_check(session: Session, topic: Topic, user: User | None) -> Job:
    """Record a job that checks a topic's citations and grades it with its rubric; commit, then `jobs.enqueue` it."""
    return jobs.submit(
        session,
        "check_topic",
        params={"rubric": rubric_name(topic)},
        course_id=topic.course_id,
        topic_id=topic.id,
        user_id=user.id if user else None,
    )
