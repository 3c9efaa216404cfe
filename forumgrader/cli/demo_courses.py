"""The demo's courses: what samples/demo/courses.json describes (samples/make_samples.py wrote their files), and
bringing one topic and one roster in as an instructor would, setting what the files cannot tell."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask

from forumgrader import store
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions, ImportSummary
from forumgrader.discussions.rosters import read_roster
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Topic
from forumgrader.store.rosters import RosterResult, apply_roster
from forumgrader.store.topics import TopicSettings, update_settings

commands: list[click.Command] = []  # a helper of `forumgrader demo`, no command of its own

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DEMO = SAMPLES / "demo"
# The LMS file beside each topic's posts that holds its title, prompt and due dates (Moodle's forum export has none)
POSTS = {"canvas": ".view.json", "moodle": "", "d2l": ".posts.json"}


@dataclass(frozen=True, slots=True)
class DemoTopic:
    """One topic of a demo course: its export file, its topic JSON if the LMS has one, its title and due dates."""

    file: Path
    topic_json: Path | None
    title: str
    due_initial: datetime
    due_replies: datetime


@dataclass(frozen=True, slots=True)
class DemoCourse:
    """A demo course: one per LMS, its topics, its roster file and its rubric."""

    name: str
    lms: str
    rubric: str
    timezone: str
    roster: Path
    topics: tuple[DemoTopic, ...]


def demo_courses() -> list[DemoCourse]:
    """The demo's courses, as samples/demo/courses.json describes them (samples/make_samples.py wrote their files)."""
    found = []
    for spec in json.loads((DEMO / "courses.json").read_text(encoding="utf-8")):
        folder = DEMO / spec["lms"]
        topics = []
        for topic in spec["topics"]:
            suffix = POSTS[spec["lms"]]
            posts = folder / f"{topic['slug']}{suffix}" if suffix else next(folder.glob(f"{topic['slug']}.*"))
            beside = folder / f"{topic['slug']}.topic.json"
            topics.append(DemoTopic(posts, beside if beside.is_file() else None, topic["title"],
                                    datetime.fromisoformat(topic["due_initial"]),
                                    datetime.fromisoformat(topic["due_replies"])))  # fmt: skip
        roster = folder / spec["roster_file"]
        found.append(DemoCourse(spec["name"], spec["lms"], spec["rubric"], spec["timezone"], roster, tuple(topics)))
    return found


def import_topic(app: Flask, course: DemoCourse, topic: DemoTopic) -> ImportSummary:
    """Import one topic's export as an instructor would, and set what its file cannot tell, as on its settings page."""
    data = topic.file.read_bytes()
    options = ImportOptions(topic_json=topic.topic_json.read_bytes() if topic.topic_json else None)
    export = read_export(data, filename=topic.file.name, options=options, max_bytes=app.config["MAX_IMPORT_BYTES"])
    session = store.session()
    summary = import_export(session, export, file_name=topic.file.name, sha256=hashlib.sha256(data).hexdigest(),
                            course_name=course.name, topic_title=topic.title)  # fmt: skip
    for topic_id, _title in summary.topics:
        found = session.get_one(Topic, topic_id)
        settings = TopicSettings(
            title=found.title, due_initial_at=found.due_initial_at or topic.due_initial,
            due_replies_at=found.due_replies_at or topic.due_replies, timezone=course.timezone,
            points_possible=found.points_possible, rubric=course.rubric, lms_assignment_id=found.lms_assignment_id,
            grade_item=found.grade_item, absent_grade=found.absent_grade,
        )  # fmt: skip
        update_settings(session, found, settings, None)
    session.commit()
    return summary


def import_roster(course: DemoCourse, course_id: int) -> RosterResult:
    data = course.roster.read_bytes()
    roster = read_roster(data, filename=course.roster.name)
    session = store.session()
    result = apply_roster(session, session.get_one(Course, course_id), roster.members, lms=roster.lms,
                          file_name=course.roster.name, sha256=hashlib.sha256(data).hexdigest(),
                          columns=roster.columns)  # fmt: skip
    session.commit()
    return result
