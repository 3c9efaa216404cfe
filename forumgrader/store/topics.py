"""A topic's settings and rubric: changing them (audited), and grading the topic again after a change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


class SettingsError(ValueError):
    """Topic settings that cannot be saved: a message per form field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class TopicSettings:
    """What an instructor sets on a topic's settings page."""

    title: str
    due_initial_at: datetime | None
    due_replies_at: datetime | None
    timezone: str = ""  # "" = the rubric's
    points_possible: float | None = None
    rubric: str = ""  # "" = the site's default
    lms_assignment_id: str = ""
    grade_item: str = ""
    absent_grade: str = "zero"


ABSENT_CHOICES = ("zero", "blank")
SETTING_NAMES = {
    "title": "title",
    "due_initial_at": "main post due date",
    "due_replies_at": "replies due date",
    "timezone": "time zone",
    "points_possible": "points",
    "rubric": "rubric",
    "lms_assignment_id": "Canvas assignment id",
    "grade_item": "grade item",
    "absent_grade": "grade of students who never posted",
}


def _problems(settings: TopicSettings) -> dict[str, str]:
    problems = {}
    if not settings.title.strip():
        problems["title"] = "Give the topic a title, as students know it."
    if settings.timezone:
        try:
            ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems["timezone"] = f"“{settings.timezone}” is not a time zone name like America/Denver."
    points = settings.points_possible
    if points is not None and not (math.isfinite(points) and 0 <= points <= 100_000):
        problems["points_possible"] = "Points are a number from 0 to 100,000."
    if settings.lms_assignment_id and not settings.lms_assignment_id.isdigit():
        problems["lms_assignment_id"] = "The Canvas assignment id is the number at the end of its address."
    if settings.rubric and settings.rubric not in rubric_choices():
        problems["rubric"] = "Choose one of the rubrics this site offers."
    if settings.absent_grade not in ABSENT_CHOICES:
        problems["absent_grade"] = "Give students who never posted 0 points, or leave them blank."
    initial, replies = settings.due_initial_at, settings.due_replies_at
    if initial and replies and replies < initial:
        problems["due_replies_at"] = "Replies are due before the main post: check both dates."
    return problems


def update_settings(session: Session, topic: Topic, settings: TopicSettings, user: User | None) -> dict[str, Any]:
    """Change a topic's settings, audited (flush only); return what changed. The caller grades it again."""
    problems = _problems(settings)
    if problems:
        raise SettingsError(problems)
    wanted = {
        "title": settings.title.strip()[:500],
        "due_initial_at": settings.due_initial_at,
        "due_replies_at": settings.due_replies_at,
        "timezone": settings.timezone,
        "points_possible": settings.points_possible,
        "lms_assignment_id": settings.lms_assignment_id,
        "grade_item": settings.grade_item.strip()[:500],
        "absent_grade": settings.absent_grade,
    }
    changes = {name: value for name, value in wanted.items() if getattr(topic, name) != value}
    for name, value in changes.items():
        setattr(topic, name, value)
    if settings.rubric != topic.rubric:
        set_rubric(session, topic, settings.rubric, user)
        changes["rubric"] = settings.rubric
    if changes:
        shown = {name: value.isoformat() if isinstance(value, datetime) else value for name, value in changes.items()}
        session.add(AuditEntry(action="topic.settings", subject=f"topic:{topic.id}", details=shown,
                               user_id=user.id if user else None,
                               actor=(user.name or user.email) if user else ""))  # fmt: skip
    session.flush()
    return changes
