"""Tables for scores: computed grades, instructors' overrides, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forumgrader.store.db import Base, utcnow


class Grade(Base):
    """A student's computed score for a topic under a rubric, with its breakdown and reasons."""

    __tablename__ = "grade"
    __table_args__ = (UniqueConstraint("topic_id", "person_id", "rubric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    rubric: Mapped[str] = mapped_column(String(200))
    total: Mapped[float]
    possible: Mapped[float]
    provisional: Mapped[bool] = mapped_column(default=False)
    breakdown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class GradeOverride(Base):
    """An instructor's points for one criterion, with the reason; re-runs keep it."""

    __tablename__ = "grade_override"
    __table_args__ = (UniqueConstraint("topic_id", "person_id", "rubric", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    rubric: Mapped[str] = mapped_column(String(200))
    criterion: Mapped[str] = mapped_column(String(200))
    points: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which record, and when: overrides, reviews, imports."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(300), default="")  # a name, kept when the user is gone
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200), index=True)  # "post:12", "grade:3:7:rubric/criterion"
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
