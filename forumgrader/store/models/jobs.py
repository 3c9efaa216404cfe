"""The tables background jobs report to: jobs and their progress, and the chunks a topic's check is cut into."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from forumgrader.store.db import Base, utcnow

ACTIVE = ("queued", "running")  # a job that will still run, or runs now
ONE_PER_TOPIC = "check_topic"  # a topic has at most one active job of this kind: a second submit joins it
# The partial unique index behind that rule, as both SQLite and PostgreSQL write it.
ACTIVE_CHECK = text(f"kind = '{ONE_PER_TOPIC}' AND status IN ('queued', 'running')")


class Job(Base):
    """One piece of background work (check a topic, grade it) and how far it got."""

    __tablename__ = "job"
    __table_args__ = (
        Index("uq_job_active_check", "topic_id", unique=True, sqlite_where=ACTIVE_CHECK, postgresql_where=ACTIVE_CHECK),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # written every few seconds by the worker running the job: a running job that stops beating lost its worker
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class CheckChunk(Base):
    """A piece of a topic's check: a few distinct references, verified by whichever worker takes it."""

    __tablename__ = "check_chunk"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # its place in the topic's check, from 0
    keys: Mapped[list[Any]] = mapped_column(default=list)  # the references' keys (reference_check.key)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | taken | done
    done: Mapped[int] = mapped_column(default=0)  # references checked so far: the job's progress is their sum
    attempts: Mapped[int] = mapped_column(default=0)
    # written every few seconds by the worker that took it: a taken chunk that stops beating is taken again
    heartbeat_at: Mapped[datetime | None]
