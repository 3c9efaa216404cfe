"""Canvas REST sync against the local Canvas server: connect with a token (kept encrypted, revocable), list and import
topics through the Canvas importer, post grades with comments to the assignment, idempotently."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.store.grades import rubric_name
from forumgrader.store.models import CanvasConnection, Course, Grade, Job, Person, Post, Topic

from .canvas_server import TOKEN, LocalCanvas, serve
from .conftest import World

SAMPLE = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "canvas"


@pytest.fixture
def canvas() -> Iterator[LocalCanvas]:
    """Canvas course 501 with the sample graded topic 88412 (its view still building once) and an ungraded one."""
    served = serve(LocalCanvas())
    topic = json.loads((SAMPLE / "psychotherapy-biological-basis.topic.json").read_text())
    served.canvas.topics = {"88412": topic, "90001": {"id": 90001, "title": "Introductions", "assignment_id": None}}
    served.canvas.views = {"88412": json.loads((SAMPLE / "psychotherapy-biological-basis.view.json").read_text())}
    served.canvas.building = {"88412": 1}
    yield served.canvas
    served.stop()


@pytest.fixture
def instructor(client_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_as("instructor")


def _job(session: Session, response_location: str) -> Job:
    job = session.get(Job, int(response_location.rsplit("/", 1)[1]))
    assert job is not None
    session.refresh(job)
    return job


def _connect(client: FlaskClient, world: World, canvas: LocalCanvas, token: str = TOKEN) -> int:
    url = f"{canvas.url}/courses/501/discussion_topics"
    return client.post(f"/courses/{world.course_a}/canvas", data={"url": url, "token": token}).status_code


def test_a_token_is_checked_kept_encrypted_and_revocable(
    instructor: FlaskClient, world: World, canvas: LocalCanvas, session: Session
) -> None:
    refused = instructor.post(f"/courses/{world.course_a}/canvas", data={"url": f"{canvas.url}/courses/501",
                                                                          "token": "wrong"})  # fmt: skip
    assert refused.status_code == 400 and "Canvas refused the token" in refused.get_data(as_text=True)
    assert _connect(instructor, world, canvas) == 302
    stored = session.scalar(select(CanvasConnection))
    assert stored is not None and stored.canvas_course_id == "501" and TOKEN not in stored.token
    page = instructor.get(f"/courses/{world.course_a}/lms").get_data(as_text=True)
    assert "Psychotherapy Biological Basis" in page and "Introductions" in page  # both pages of the topic list
    assert instructor.post(f"/courses/{world.course_a}/canvas/revoke").status_code == 302
    session.refresh(stored)
    assert stored.token == "" and stored.revoked_at is not None
    assert "Connect" in instructor.get(f"/courses/{world.course_a}/lms").get_data(as_text=True)


def test_a_canvas_sync_imports_a_topic_and_posts_grades(
    app: Flask, instructor: FlaskClient, world: World, canvas: LocalCanvas, session: Session
) -> None:
    assert _connect(instructor, world, canvas) == 302
    response = instructor.post(f"/courses/{world.course_a}/canvas/import", data={"topic": ["88412"]})
    job = _job(session, response.headers["Location"])
    assert job.status == "done", job.error
    topic = session.scalar(select(Topic).where(Topic.lms_topic_id == "88412"))
    assert topic is not None and topic.course_id == world.course_a and topic.lms_assignment_id == "48213"
    posts = session.scalar(select(func.count(Post.id)).where(Post.topic_id == topic.id))
    assert posts and posts >= 3  # the view's entries and the new entry merged in
    assert "GET /api/v1/courses/501/discussion_topics/88412/view" in canvas.requests  # asked again after the 503

    again = instructor.post(f"/courses/{world.course_a}/canvas/import", data={"topic": ["88412"]})
    assert _job(session, again.headers["Location"]).status == "done"
    assert session.scalar(select(func.count(Post.id)).where(Post.topic_id == topic.id)) == posts  # nothing changed

    students = list(session.scalars(select(Person).where(Person.course_id == world.course_a,
                                                         Person.lms_user_id.in_(("20940", "20957")))))  # fmt: skip
    assert len(students) == 2
    session.execute(Grade.__table__.delete().where(Grade.topic_id == topic.id))
    for points, person in zip((88.0, 61.5), students, strict=True):
        session.add(Grade(topic_id=topic.id, person_id=person.id, rubric=rubric_name(topic), total=points,
                          possible=100.0, breakdown={"feedback": f"Well argued, {person.display_name}."}))  # fmt: skip
    session.commit()
    sent = _job(session, instructor.post(f"/topics/{topic.id}/passback/send").headers["Location"])
    assert sent.status == "done", sent.error
    assert canvas.grades == {("48213", "20940"): "88", ("48213", "20957"): "61.5"}
    assert all(len(found) == 1 and found[0].startswith("Well argued") for found in canvas.comments.values())
    resent = _job(session, instructor.post(f"/topics/{topic.id}/passback/send").headers["Location"])
    assert "0 grades" in resent.message and "2 unchanged" in resent.message
    assert all(len(found) == 1 for found in canvas.comments.values())  # no second comment


def test_an_import_of_a_missing_topic_imports_nothing(
    instructor: FlaskClient, world: World, canvas: LocalCanvas, session: Session
) -> None:
    _connect(instructor, world, canvas)
    before = session.scalar(select(func.count(Topic.id)))
    response = instructor.post(f"/courses/{world.course_a}/canvas/import", data={"topic": ["88412", "404"]})
    job = _job(session, response.headers["Location"])
    assert job.status == "failed" and "Nothing was imported" in job.error
    assert session.scalar(select(func.count(Topic.id))) == before
    assert session.scalar(select(Course).where(Course.id == world.course_a)) is not None


def test_the_command_line_connects_lists_imports_and_revokes(app: Flask, world: World, canvas: LocalCanvas) -> None:
    runner, course = app.test_cli_runner(), "PSY 101 Introduction to Psychology"
    url = f"{canvas.url}/courses/501"
    refused = runner.invoke(cli, ["canvas", "connect", course, url, "--token", "wrong"])
    assert refused.exit_code == 1 and "Canvas refused the token" in refused.output
    assert runner.invoke(cli, ["canvas", "connect", course, url], input=f"{TOKEN}\n").exit_code == 0
    listed = runner.invoke(cli, ["canvas", "topics", course]).output
    assert "88412\tPsychotherapy Biological Basis" in listed and "assignment 48213" in listed
    imported = runner.invoke(cli, ["canvas", "import", course, "88412"])
    assert imported.exit_code == 0 and "Imported 1 topics from Canvas" in imported.output
    assert runner.invoke(cli, ["canvas", "revoke", course]).exit_code == 0
    after = runner.invoke(cli, ["canvas", "topics", course])
    assert after.exit_code == 1 and "not connected to Canvas" in after.output
