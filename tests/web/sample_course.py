"""The Canvas sample imported into course A, checked against the local Crossref and graded, as the import page does.

Verdicts the local Crossref gives the sample (by author, in list order):
Danielle Okafor (main post): broken_doi, not_found, verified, verified;
Marcus Bennett (reply): not_found, mismatch; Priya Raman (reply): mismatch (pages 61- for 61-72), verified;
Tyler Hughes (reply): not_found, not_found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Person, Post, Topic
from forumgrader.store.topics import submit_check

from .conftest import World

VIEW = "canvas/psychotherapy-biological-basis.view.json"
TOPIC_JSON = "canvas/psychotherapy-biological-basis.topic.json"
TITLE = "Psychotherapy Biological Basis"


@dataclass(frozen=True)
class Sample:
    """Where the sample landed: its topic, and each student's person id and first post."""

    topic: int
    people: dict[str, int]  # display name -> person id
    posts: dict[str, int]  # display name -> id of their first post


def import_sample(app: Flask, session: Session, world: World, samples: Path) -> Sample:
    """Import the Canvas sample into course A and run its check job (TASK_QUEUE=immediate runs it at once)."""
    data = (samples / VIEW).read_bytes()
    export = read_export(
        data, filename=Path(VIEW).name, options=ImportOptions(topic_json=(samples / TOPIC_JSON).read_bytes())
    )
    course = session.get_one(Course, world.course_a)
    summary = import_export(
        session, export, file_name=Path(VIEW).name, sha256=hashlib.sha256(data).hexdigest(), course_name=course.name
    )
    topic = session.get_one(Topic, summary.topics[0][0])
    with app.app_context():
        job = submit_check(session, topic, None)
        session.commit()
        jobs.enqueue(job)
    session.expire_all()
    return sample_of(session, topic.id)


def sample_of(session: Session, topic_id: int) -> Sample:
    """Read back who wrote in the sample topic."""
    rows = session.execute(
        select(Person.display_name, Person.id, Post.id)
        .join(Post, Post.author_id == Person.id)
        .where(Post.topic_id == topic_id)
        .order_by(Post.id)
    ).all()
    people: dict[str, int] = {}
    posts: dict[str, int] = {}
    for name, person_id, post_id in rows:
        people.setdefault(name, person_id)
        posts.setdefault(name, post_id)
    return Sample(topic_id, people, posts)
