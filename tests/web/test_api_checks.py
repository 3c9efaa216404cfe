"""API: starting a topic's check in the background, and following it to the end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.models import Grade, Job, Post, ReferenceCheck

from .checked import BLOG
from .conftest import World
from .test_api import assert_error

pytestmark = pytest.mark.local_crossref

Headers = Callable[[str], dict[str, str]]


def test_an_instructor_starts_a_topic_check_and_follows_the_job(
    app: Flask, world: World, session: Session, samples: Path, token_for: Headers
) -> None:
    session.get_one(Post, world.post_a).body_text = (samples / BLOG).read_text(encoding="utf-8")
    session.commit()
    client, headers = app.test_client(), token_for("instructor")
    response = client.post(f"/api/v1/topics/{world.topic_a}/check", headers=headers)
    assert response.status_code == 202
    job = response.get_json()
    assert (job["kind"], job["topic_id"], job["course_id"]) == ("check_topic", world.topic_a, world.course_a)
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    followed = client.get(response.headers["Location"], headers=headers).get_json()
    assert (followed["status"], followed["percent"]) == ("done", 100)  # the test queue runs jobs at once
    verdicts = session.scalars(
        select(ReferenceCheck.verdict).where(ReferenceCheck.post_id == world.post_a).order_by(ReferenceCheck.position)
    ).all()
    assert verdicts == ["not_found", "verified", "verified", "mismatch", "verified"]
    assert session.scalars(select(Grade.person_id).order_by(Grade.person_id)).all() == [
        world.person_a,
        world.person_a + 1,
    ]
    assert session.get_one(Job, job["id"]).user_id is not None


def test_only_the_courses_instructors_start_checks(app: Flask, world: World, token_for: Headers) -> None:
    client = app.test_client()
    url = f"/api/v1/topics/{world.topic_a}/check"
    assert_error(client.post(url, headers=token_for("ta")), 403, "forbidden")
    assert_error(client.post(url, headers=token_for("student")), 403, "forbidden")
    assert_error(client.post(url, headers=token_for("other_instructor")), 404, "not_found")
    assert_error(client.post(url), 401, "unauthorized")
