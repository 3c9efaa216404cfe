"""The demo's courses as samples/demo/courses.json describes them, and the posts make_samples.py writes for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "demo"


@dataclass(frozen=True)
class TopicSpec:
    """One discussion of a demo course: its prompt, its dates, what students cite, who stays away."""

    slug: str
    title: str
    prompt: str
    lms_id: int
    assignment_id: int
    first_post_id: int
    due_initial: datetime
    due_replies: datetime
    dois: tuple[str, ...]
    claims: tuple[str, ...]  # sentences students write between their citations
    subjects: tuple[str, ...]  # thread titles
    absent: frozenset[int]  # students (by index) who never post here
    replies_only: frozenset[int]  # students who only reply
    main_only: frozenset[int]  # students who write no reply
    shift: int  # moves the mistakes around from one week to the next


@dataclass(frozen=True)
class Course:
    """A demo course: its LMS, its students and their ids there, its topics."""

    name: str
    lms: str
    lms_course_id: int
    section: str
    instructor: str
    instructor_id: int
    roster_file: str
    students: tuple[str, ...]
    user_ids: tuple[int, ...]
    sis_ids: tuple[str, ...]
    logins: tuple[str, ...]
    emails: tuple[str, ...]
    topics: tuple[TopicSpec, ...]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def courses() -> list[Course]:
    """The demo courses, from demo/courses.json: names, ids, prompts and the works each topic's students cite."""
    found = []
    for spec in json.loads((OUT / "courses.json").read_text(encoding="utf-8")):
        topics = tuple(_topic(number, topic) for number, topic in enumerate(spec["topics"]))
        found.append(_course(spec, topics))
    return found


def _topic(number: int, topic: dict[str, Any]) -> TopicSpec:
    return TopicSpec(
        slug=topic["slug"], title=topic["title"], prompt=topic["prompt"], lms_id=topic["lms_id"],
        assignment_id=topic.get("assignment_id", 0), first_post_id=topic["first_post_id"],
        due_initial=_when(topic["due_initial"]), due_replies=_when(topic["due_replies"]),
        dois=tuple(topic["dois"]), claims=tuple(topic["claims"]), subjects=tuple(topic["subjects"]),
        absent=frozenset(topic["absent"]), replies_only=frozenset(topic["replies_only"]),
        main_only=frozenset(topic["main_only"]), shift=number * 5,
    )  # fmt: skip


def _course(spec: dict[str, Any], topics: tuple[TopicSpec, ...]) -> Course:
    students = tuple(spec["students"])
    first = spec["first_user_id"]
    slugs = [name.lower().replace(" ", ".").replace("'", "") for name in students]
    return Course(
        name=spec["name"], lms=spec["lms"], lms_course_id=spec["lms_course_id"], section=spec["section"],
        instructor=spec["instructor"], instructor_id=spec["instructor_id"], roster_file=spec["roster_file"],
        students=students, user_ids=tuple(first + 7 * i for i in range(len(students))),
        sis_ids=tuple(f"{spec['sis_prefix']}{4521 + 37 * i:05d}" for i in range(len(students))),
        logins=tuple(slug.split(".")[0][0] + slug.split(".")[-1] for slug in slugs),
        emails=tuple(f"{slug}@{spec['mail_domain']}" for slug in slugs), topics=topics,
    )  # fmt: skip


@dataclass(frozen=True)
class Written:
    """A post's text: paragraphs of prose, and its reference list."""

    paragraphs: tuple[str, ...]
    references: tuple[str, ...]

    def html(self) -> str:
        body = "".join(f"<p>{paragraph}</p>\n" for paragraph in self.paragraphs)
        if self.references:
            body += "<p><strong>References</strong></p>\n" + "".join(f"<p>{ref}</p>\n" for ref in self.references)
        return body

    def words(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)


MISTAKES = ("", "text-year", "broken-doi", "swapped", "residue", "no-sources", "late", "doi-prefix", "short",
            "ampersand", "list-year", "wrong-doi", "")  # fmt: skip


@dataclass(frozen=True)
class Post:
    post_id: int
    thread_id: int
    parent_id: int | None
    author: int  # index into the course's students
    subject: str
    written: Written
    created: datetime
