"""Grades: score every student of a topic against a rubric, keep the scores, and keep instructors' overrides audited."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.config import DEFAULTS
from forumgrader.grading import (
    Override,
    Rubric,
    StudentScore,
    apply_overrides,
    load_rubric,
    resolve_due,
    score_student,
    score_to_json,
)
from forumgrader.grading.scores import points_text
from forumgrader.store.db import upsert, utcnow
from forumgrader.store.grade_inputs import load_topic
from forumgrader.store.models import AuditEntry, Grade, GradeOverride, Job, Person, Topic, User

# What else happens when a topic was graded (flush only): grades sent on to an LMS (forumgrader/lti, canvas).
AFTER_GRADING: list[Callable[[Session, Topic], None]] = []


class GradingError(ValueError):
    """A grading request that cannot be done, with what to do instead."""


@dataclass(frozen=True, slots=True)
class GradedStudent:
    """A student of the topic and their score (overrides applied)."""

    person: Person
    score: StudentScore
    unchecked: int = 0  # references in the student's posts not checked against Crossref yet


def topic_or_error(session: Session, topic_id: int) -> Topic:
    """Return the topic, or raise GradingError saying how to find one."""
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise GradingError(f"there is no topic {topic_id}: `forumgrader import` prints the ids of imported topics")
    return topic


def _overrides(session: Session, topic_id: int, rubric: str) -> dict[int, dict[str, Override]]:
    found: dict[int, dict[str, Override]] = defaultdict(dict)
    rows = session.scalars(select(GradeOverride).where(GradeOverride.topic_id == topic_id,
                                                       GradeOverride.rubric == rubric))  # fmt: skip
    for row in rows:
        found[row.person_id][row.criterion] = Override(row.points, row.reason)
    return found


def grade_topic(session: Session, topic_id: int, rubric: Rubric, *, now: datetime) -> list[GradedStudent]:
    """Score every student who wrote in the topic, apply overrides, and store one Grade per student (flush only)."""
    topic = topic_or_error(session, topic_id)
    inputs = load_topic(session, topic)
    due_initial, due_replies = resolve_due(rubric, topic.due_initial_at, topic.due_replies_at)
    overrides = _overrides(session, topic.id, rubric.name)
    graded, rows = [], []
    for person in inputs.students:
        participation = inputs.participations[str(person.id)]
        score = score_student(rubric, participation, now=now, due_initial=due_initial, due_replies=due_replies,
                              timezone=topic.timezone or None)  # fmt: skip
        known = {key: value for key, value in overrides.get(person.id, {}).items()
                 if any(c.id == key for c in rubric.criteria)}  # fmt: skip
        if known:
            score = apply_overrides(score, rubric, known)
        rows.append({"topic_id": topic.id, "person_id": person.id, "rubric": rubric.name, "total": score.total,
                     "possible": score.possible, "provisional": score.provisional, "breakdown": score_to_json(score),
                     "computed_at": now})  # fmt: skip
        unchecked = sum(1 for post in participation.all_posts for source in post.references if source.verdict is None)
        graded.append(GradedStudent(person, score, unchecked))
    upsert(session, Grade, rows, ("topic_id", "person_id", "rubric"))  # one statement, not one per student
    for hook in AFTER_GRADING:
        hook(session, topic)
    return graded


def _actor(user: User | None) -> dict[str, object]:
    return {"user_id": user.id if user else None, "actor": (user.name or user.email) if user else ""}


def _criterion_possible(rubric: Rubric | str, criterion: str) -> tuple[str, float | None]:
    if isinstance(rubric, str):
        return rubric, None
    try:
        return rubric.name, rubric.criterion(criterion).possible
    except KeyError as error:
        raise GradingError(str(error.args[0])) from None


def set_override(
    session: Session,
    topic_id: int,
    person_id: int,
    rubric: Rubric | str,
    criterion: str,
    points: float,
    reason: str,
    user: User | None = None,
) -> GradeOverride:
    """Set an instructor's points for one criterion, with the reason; audited, kept across re-grading (flush only)."""
    rubric_name, possible = _criterion_possible(rubric, criterion)
    topic_or_error(session, topic_id)
    if not reason.strip():
        raise GradingError("give the reason for the override (--reason): students and auditors read it")
    if not math.isfinite(points) or points < 0 or (possible is not None and points > possible):
        top = f"up to {points_text(possible)}" if possible is not None else "0 or more"
        raise GradingError(f"{criterion!r} takes {top} points, not {points_text(points)}")
    row = session.scalar(select(GradeOverride).where(
        GradeOverride.topic_id == topic_id, GradeOverride.person_id == person_id, GradeOverride.rubric == rubric_name,
        GradeOverride.criterion == criterion))  # fmt: skip
    previous = None if row is None else row.points
    if row is None:
        row = GradeOverride(topic_id=topic_id, person_id=person_id, rubric=rubric_name, criterion=criterion,
                            points=points, reason=reason)  # fmt: skip
        session.add(row)
    row.points, row.reason, row.user_id, row.created_at = points, reason.strip(), user.id if user else None, utcnow()
    session.add(AuditEntry(
        action="grade.override", subject=f"grade:{topic_id}:{person_id}:{rubric_name}/{criterion}",
        details={"points": points, "previous": previous, "computed": _computed(session, topic_id, person_id,
                                                                               rubric_name, criterion)},
        note=reason.strip(), **_actor(user)))  # fmt: skip
    session.flush()
    return row


def clear_override(
    session: Session, topic_id: int, person_id: int, rubric: Rubric | str, criterion: str, *, reason: str = "",
    user: User | None = None,
) -> bool:  # fmt: skip
    """Remove an override so the computed points count again; audited (flush only). Tell whether there was one."""
    rubric_name, _ = _criterion_possible(rubric, criterion)
    row = session.scalar(select(GradeOverride).where(
        GradeOverride.topic_id == topic_id, GradeOverride.person_id == person_id, GradeOverride.rubric == rubric_name,
        GradeOverride.criterion == criterion))  # fmt: skip
    if row is None:
        return False
    session.add(AuditEntry(
        action="grade.override.clear", subject=f"grade:{topic_id}:{person_id}:{rubric_name}/{criterion}",
        details={"points": None, "previous": row.points, "previous_reason": row.reason}, note=reason.strip(),
        **_actor(user)))  # fmt: skip
    session.delete(row)
    session.flush()
    return True


def _computed(session: Session, topic_id: int, person_id: int, rubric: str, criterion: str) -> float | None:
    """The points the last grading computed for a criterion, for the audit log."""
    grade = session.scalar(select(Grade).where(Grade.topic_id == topic_id, Grade.person_id == person_id,
                                               Grade.rubric == rubric))  # fmt: skip
    for entry in grade.breakdown.get("criteria", []) if grade else []:
        if entry.get("criterion") == criterion:
            return entry.get("points") if not entry.get("overridden") else None
    return None


def default_rubric() -> str:
    """Return the rubric topics use when they name none: the app's DEFAULT_RUBRIC setting."""
    configured = current_app.config.get("DEFAULT_RUBRIC") if has_app_context() else None
    return str(configured or DEFAULTS["DEFAULT_RUBRIC"])


def rubric_name(topic: Topic) -> str:
    """Return the name (or file) of the rubric that grades a topic: its own choice, else the default."""
    return topic.rubric or default_rubric()


def topic_rubric(topic: Topic) -> Rubric:
    """Load the rubric that grades a topic."""
    return load_rubric(rubric_name(topic))


def grade_after_check(session: Session, job: Job, topic_id: int, progress: jobs.Progress) -> None:
    """Grade a topic as part of a job (the checking pipeline's last step): params {"rubric": name or path}."""
    topic = topic_or_error(session, topic_id)
    rubric = load_rubric(job.params["rubric"]) if job.params.get("rubric") else topic_rubric(topic)
    graded = grade_topic(session, topic_id, rubric, now=utcnow())
    provisional = sum(1 for g in graded if g.score.provisional)
    progress(len(graded), len(graded), f"graded {len(graded)} students with {rubric.name}; {provisional} provisional")


@jobs.kind("grade_topic")
def grade_topic_job(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Grade a topic in the background with the job's rubric, or the configured DEFAULT_RUBRIC."""
    if job.topic_id is None:
        raise GradingError("a grade_topic job needs a topic")
    grade_after_check(session, job, job.topic_id, progress)
