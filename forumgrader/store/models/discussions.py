"""Tables for what LMS exports hold: courses, people, topics, threads, posts, and the imports that brought them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forumgrader.store.db import Base, utcnow


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    lms: Mapped[str] = mapped_column(String(20), default="")  # canvas | moodle | csv | document
    lms_course_id: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topics: Mapped[list[Topic]] = relationship(back_populates="course", order_by="Topic.id")


class Person(Base):
    """Someone who wrote in a course, with every id an LMS gradebook may match grades on."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # the importer's stable key: LMS user id, or a name
    display_name: Mapped[str] = mapped_column(String(300), default="")
    sortable_name: Mapped[str] = mapped_column(String(300), default="")
    lms_user_id: Mapped[str] = mapped_column(String(100), default="")
    sis_user_id: Mapped[str] = mapped_column(String(100), default="")
    login_id: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    section: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="student")  # student | instructor | ta
    enrolled: Mapped[bool] = mapped_column(default=False)  # listed by the course's latest roster


class Topic(Base):
    """One graded discussion: a Canvas discussion topic, a Moodle forum."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    lms_topic_id: Mapped[str] = mapped_column(String(100), default="")
    lms_assignment_id: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    prompt_html: Mapped[str] = mapped_column(Text, default="")
    prompt_text: Mapped[str] = mapped_column(Text, default="")
    due_initial_at: Mapped[datetime | None]
    due_replies_at: Mapped[datetime | None]
    points_possible: Mapped[float | None]
    required_replies: Mapped[int | None]
    rubric: Mapped[str] = mapped_column(String(500), default="")  # a rubric name or file; "" = DEFAULT_RUBRIC
    timezone: Mapped[str] = mapped_column(String(60), default="")  # where days count; "" = the rubric's
    absent_grade: Mapped[str] = mapped_column(String(10), default="zero")  # enrolled, never posted: zero | blank
    grade_item: Mapped[str] = mapped_column(String(500), default="")  # the gradebook's name for it; "" = title
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="topics")
    threads: Mapped[list[Thread]] = relationship(back_populates="topic", order_by="Thread.id")


class Thread(Base):
    __tablename__ = "thread"
    __table_args__ = (UniqueConstraint("topic_id", "lms_thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    lms_thread_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500), default="")

    topic: Mapped[Topic] = relationship(back_populates="threads")


class Post(Base):
    """One entry of a discussion, deleted ones kept as placeholders so their replies keep a parent."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("topic_id", "lms_post_id"),
        Index("ix_post_topic_author", "topic_id", "author_id"),
        # what a topic's dashboard counts per student, read from the index alone (the rows hold the posts' text)
        Index("ix_post_topic_counts", "topic_id", "deleted", "author_id", "parent_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"), index=True)
    lms_post_id: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    subject: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[bool] = mapped_column(default=False)
    private: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # what re-imports compare
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)

    thread: Mapped[Thread] = relationship()
    author: Mapped[Person | None] = relationship()
    parent: Mapped[Post | None] = relationship(remote_side="Post.id")


class RosterImport(Base):
    """One roster or gradebook file brought in: which LMS, its grade columns, and what it changed."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    lms: Mapped[str] = mapped_column(String(20))  # canvas | moodle | d2l
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    columns: Mapped[list[Any]] = mapped_column(default=list)  # the gradebook's grade items: title, id, points
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportBatch(Base):
    """One file brought in: what it was, what it changed, what was wrong with it."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(20))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
