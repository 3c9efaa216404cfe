"""A student's own pages: their posts with each one's citation report and their grade; nobody else's."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from forumgrader.store.models import Membership, User

from .checked import check_topic_a
from .conftest import World

pytestmark = pytest.mark.local_crossref

ACCUSATIONS = re.compile(r"fabricat|fake|hallucinat|invented", re.IGNORECASE)


def words(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_student_reads_their_posts_reports_and_grade(
    app: Flask, world: World, session: Session, samples: Path, client_as: Callable[[str], FlaskClient]
) -> None:
    check_topic_a(app, session, world, samples)
    shown = words(client_as("student"), "/me/posts")
    assert "PSY 101 Introduction to Psychology" in shown and "Week 1: Memory and sleep" in shown
    assert "Your grade:" in shown and "How your grade was worked out" in shown
    assert "This grade is provisional" in shown
    assert "We checked 5 references. 2 need a look." in shown
    assert "We could not find this article" in shown and "Pages: you wrote “581”, the record says “581-624”" in shown
    assert "Ben Okafor" not in shown and "biopsychosocial model goes back to Engel" not in shown  # not Ben's reply
    assert not ACCUSATIONS.search(shown)


def test_each_student_sees_only_their_own(
    app: Flask, world: World, session: Session, samples: Path, client_as: Callable[[str], FlaskClient]
) -> None:
    check_topic_a(app, session, world, samples)
    shown = words(client_as("other_student"), "/me/posts")
    assert (
        "Your reply" in shown and "We checked 1 reference. All of them are in Crossref, and the details match." in shown
    )
    assert "Ada Lovelace" not in shown and "Psychoneuroimmunology" not in shown


def test_a_student_not_linked_yet_is_told_why_nothing_shows(
    world: World, session: Session, client_as: Callable[[str], FlaskClient]
) -> None:
    user = session.query(User).filter_by(email=world.emails["student"]).one()
    session.query(Membership).filter_by(user_id=user.id).one().person_id = None
    session.commit()
    shown = words(client_as("student"), "/me/posts")
    assert "Your account is not linked to your name in this course yet" in shown
    assert "Sleep helps memory" not in shown


def test_staff_have_no_posts_of_their_own_here(world: World, client_as: Callable[[str], FlaskClient]) -> None:
    assert "You are not taking any course here as a student." in words(client_as("instructor"), "/me/posts")
