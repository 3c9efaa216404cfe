"""Web fixtures: a small world of two courses and one user per role, and clients signed in as each.

CSRF protection is OFF by default in tests/web, so that tests can post forms without scraping tokens; the tests
about CSRF itself (test_auth.py) turn it back on with `app_config["WTF_CSRF_ENABLED"] = True`. Outside tests/web
the root fixtures leave Flask-WTF's default (on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.store import accounts
from forumgrader.store.models import Course, Draft, Job, Person, Post, Thread, Topic

PASSWORD = "correct horse battery"
ACTORS = ("anonymous", "student", "other_student", "ta", "other_instructor", "instructor", "admin")


@dataclass(frozen=True)
class World:
    """Course A (with a topic, two students' posts and a job) and course B, and who is who in them."""

    course_a: int
    course_b: int
    topic_a: int
    topic_b: int
    post_a: int  # written by `student`
    other_post_a: int  # written by `other_student`
    job_a: int  # started by `instructor` in course A
    person_a: int  # Ada Lovelace, the Person whose posts are `student`'s
    draft_a: int  # saved by `student` after a self-check
    emails: dict[str, str]  # actor -> email ("anonymous" has none)


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with few rounds: these tests are about access, not about the strength of hashing."""
    monkeypatch.setattr(
        accounts, "generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1000")
    )


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The root test mapping, with CSRF off (see the module docstring)."""
    return {**app_config, "WTF_CSRF_ENABLED": False}


def _post(session: Session, topic: Topic, thread: Thread, author: Person, lms_id: str, text: str) -> Post:
    post = Post(
        topic_id=topic.id,
        thread_id=thread.id,
        lms_post_id=lms_id,
        author_id=author.id,
        created_at=datetime(2025, 2, 3, 15, 0, tzinfo=UTC),
        body_html=f"<p>{text}</p>",
        body_text=text,
        word_count=len(text.split()),
    )
    session.add(post)
    return post


def build_world(session: Session) -> World:
    """Create two courses, a topic in each, posts by two students in A, a job, and one user per role."""
    course_a, course_b = Course(name="PSY 101 Introduction to Psychology"), Course(name="HIS 200 Modern History")
    session.add_all([course_a, course_b])
    session.flush()
    topic_a = Topic(
        course_id=course_a.id,
        title="Week 1: Memory and sleep",
        due_initial_at=datetime(2025, 2, 5, 23, 59, tzinfo=UTC),
        due_replies_at=datetime(2025, 2, 8, 23, 59, tzinfo=UTC),
        prompt_text="Discuss one study on sleep and memory.",
        points_possible=10.0,
        required_replies=2,
    )
    topic_b = Topic(course_id=course_b.id, title="Week 1: Sources")
    session.add_all([topic_a, topic_b])
    session.flush()
    thread = Thread(topic_id=topic_a.id, lms_thread_id="t1")
    ada = Person(course_id=course_a.id, key="1001", display_name="Ada Lovelace", lms_user_id="1001")
    ben = Person(course_id=course_a.id, key="1002", display_name="Ben Okafor", lms_user_id="1002")
    session.add_all([thread, ada, ben])
    session.flush()
    post_a = _post(session, topic_a, thread, ada, "p1", "Sleep helps memory (Walker, 2017).")
    other_post = _post(session, topic_a, thread, ben, "p2", "I agree with Ada.")
    session.flush()

    emails = {
        "admin": "admin@example.edu",
        "instructor": "instructor@example.edu",
        "other_instructor": "other.instructor@example.edu",
        "ta": "ta@example.edu",
        "student": "ada@example.edu",
        "other_student": "ben@example.edu",
    }
    roles = {"admin": "admin", "instructor": "instructor", "other_instructor": "instructor", "ta": "ta"}
    users = {
        actor: accounts.create_user(session, email, PASSWORD, role=roles.get(actor, "student"), name=actor.title())
        for actor, email in emails.items()
    }
    accounts.enrol(session, users["instructor"], course_a, "instructor")
    accounts.enrol(session, users["other_instructor"], course_b, "instructor")
    accounts.enrol(session, users["ta"], course_a, "ta")
    accounts.link_person(session, accounts.enrol(session, users["student"], course_a, "student"), ada)
    accounts.link_person(session, accounts.enrol(session, users["other_student"], course_a, "student"), ben)
    job = Job(kind="check-topic", course_id=course_a.id, topic_id=topic_a.id, user_id=users["instructor"].id)
    draft_text = "Sleep helps memory (Walker, 2017).\n\nReferences\n\nWalker, M. (2017). Why we sleep. Scribner."
    draft = Draft(user_id=users["student"].id, title="Week 1 draft", text=draft_text,
                  report=report_to_json(analyse(draft_text)))  # fmt: skip
    session.add_all([job, draft])
    session.commit()
    return World(
        course_a=course_a.id,
        course_b=course_b.id,
        topic_a=topic_a.id,
        topic_b=topic_b.id,
        post_a=post_a.id,
        other_post_a=other_post.id,
        job_a=job.id,
        person_a=ada.id,
        draft_a=draft.id,
        emails=emails,
    )


@pytest.fixture
def world(session: Session) -> World:
    """The small world of two courses, on the test database."""
    return build_world(session)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign a test client in through the sign-in form."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"could not sign in as {email}: {response.status_code}"


@pytest.fixture
def client_as(app: Flask, world: World) -> Callable[[str], FlaskClient]:
    """Return a test client signed in as an actor of the world ("anonymous": not signed in)."""

    def make(actor: str) -> FlaskClient:
        client = app.test_client()
        if actor != "anonymous":
            sign_in(client, world.emails[actor])
        return client

    return make


@pytest.fixture
def token_for(app: Flask, world: World) -> Callable[[str], dict[str, str]]:
    """Return the Authorization header of a new API token for an actor ({} for "anonymous")."""

    def make(actor: str) -> dict[str, str]:
        if actor == "anonymous":
            return {}
        with app.app_context():
            database = app.extensions["forumgrader.db"]
            with database.session() as session:
                user = accounts.user_by_email(session, world.emails[actor])
                assert user is not None
                secret = accounts.create_token(session, user, "tests")
        return {"Authorization": f"Bearer {secret}"}

    return make
