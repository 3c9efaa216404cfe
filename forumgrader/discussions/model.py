"""The canonical discussion export: what every importer turns an LMS file into, before anything is stored."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any


class ExportFormat(StrEnum):
    CANVAS = "canvas"
    MOODLE = "moodle"
    D2L = "d2l"
    CSV = "csv"
    DOCUMENT = "document"


class BodyFormat(StrEnum):
    """How a message body is written: Moodle's `messageformat` 1, 2 and 4, and its auto-format 0."""

    HTML = "html"
    PLAIN = "plain"
    MARKDOWN = "markdown"
    AUTO = "auto"  # Moodle's FORMAT_MOODLE: text where HTML is allowed and each newline is a line break


class Role(StrEnum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    TA = "ta"


class ExportError(Exception):
    """A file we cannot import, with where it went wrong and what to do next."""

    def __init__(
        self, message: str, *, line: int | None = None, entry: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.entry = entry
        self.field = field

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.entry is not None:
            where.append(f"entry {self.entry}")
        if self.field is not None:
            where.append(f"field `{self.field}`")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What a person can tell an importer beyond the file itself."""

    timezone: tzinfo = UTC  # for dates written without a zone (Moodle `humandates`, some CSVs)
    topic_json: bytes | None = None  # Canvas: the topic object (`GET .../discussion_topics/:id`)
    columns: Mapping[str, str] | None = None  # generic CSV: our field -> the file's column header
    author: str | None = None  # document: who wrote the draft


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone who wrote in the discussion, with every id the LMS knows them by."""

    key: str  # stable within a course: the LMS user id, else the display name
    display_name: str = ""
    lms_user_id: str = ""
    sis_user_id: str = ""
    login_id: str = ""
    email: str = ""
    role: Role = Role.STUDENT


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """The discussion prompt and its dates, as far as the file tells."""

    lms_topic_id: str = ""
    title: str = ""
    prompt_html: str = ""
    prompt_text: str = ""
    due_initial_at: datetime | None = None
    due_replies_at: datetime | None = None
    points_possible: float | None = None
    required_replies: int | None = None
    lms_assignment_id: str = ""


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One entry: lms ids as strings, times aware in UTC, the LMS's own record in `raw`."""

    lms_post_id: str
    lms_thread_id: str
    lms_parent_id: str | None
    author_key: str | None
    created_at: datetime | None
    edited_at: datetime | None
    subject: str
    body_html: str
    body_text: str
    word_count: int
    deleted: bool = False
    private: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    """A thread: a starter post and every reply under it, parents before their replies."""

    lms_thread_id: str
    title: str
    posts: tuple[PostRecord, ...]


@dataclass(frozen=True, slots=True)
class TopicExport:
    info: TopicInfo
    threads: tuple[ThreadRecord, ...]

    def posts(self) -> Iterator[PostRecord]:
        """Yield every post of every thread."""
        for thread in self.threads:
            yield from thread.posts


@dataclass(frozen=True, slots=True)
class DiscussionExport:
    """One file, read: a generic CSV may hold several topics; Canvas, Moodle and documents hold one."""

    format: ExportFormat
    course_hint: str  # a course name the file suggests ("" when it tells nothing)
    topics: tuple[TopicExport, ...]
    people: tuple[Participant, ...]
    warnings: tuple[str, ...] = ()


def content_hash(record: PostRecord) -> str:
    """Hash what makes a post this post: where it hangs, who wrote it when, and what it says."""
    fields = [
        record.lms_thread_id, record.lms_parent_id, record.author_key,
        record.created_at.isoformat() if record.created_at else None,
        record.edited_at.isoformat() if record.edited_at else None,
        record.subject, record.body_html, record.body_text, record.deleted, record.private,
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import left in the database, and what it changed."""

    course: str
    course_id: int
    topics: tuple[tuple[int, str], ...]  # (id, title) of each topic the file holds
    format: str
    threads: int
    posts: int  # stored posts that are not deleted
    replies: int  # of those, the ones with a parent
    private: int  # of those, private replies (never peer replies)
    people: int  # distinct authors of those posts
    created: int
    updated: int
    unchanged: int
    placeholders: int = 0  # posts replied to but missing from every export so far
    already_imported_at: datetime | None = None
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Return the summary as the `import --json` object."""
        return {
            "course": self.course,
            "topic": self.topics[0][0] if self.topics else None,
            "topics": [topic_id for topic_id, _title in self.topics],
            "threads": self.threads,
            "posts": self.posts,
            "replies": self.replies,
            "private": self.private,
            "people": self.people,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "already_imported_at": self.already_imported_at.isoformat() if self.already_imported_at else None,
        }
