"""API: a topic's grades for its instructors, and one student's grade for them and for the student themself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from forumgrader.store.models import Person

from .checked import check_topic_a
from .conftest import World
from .test_api import assert_error
from .test_openapi import fits

pytestmark = pytest.mark.local_crossref

Headers = Callable[[str], dict[str, str]]


def get(app: Flask, url: str, headers: dict[str, str]) -> Any:
    return app.test_client().get(f"/api/v1{url}", headers=headers)


def test_before_grading_there_are_no_grades_yet(app: Flask, world: World, token_for: Headers) -> None:
    assert get(app, f"/topics/{world.topic_a}/grades", token_for("instructor")).get_json()["items"] == []
    own = get(app, f"/topics/{world.topic_a}/grades/{world.person_a}", token_for("student")).get_json()
    assert (own["person"]["name"], own["grades"]) == ("Ada Lovelace", [])


def test_instructors_read_every_grade_with_its_reasons(
    app: Flask, world: World, session: Session, samples: Path, token_for: Headers
) -> None:
    check_topic_a(app, session, world, samples)
    page = get(app, f"/topics/{world.topic_a}/grades", token_for("instructor")).get_json()
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert fits(page["items"][0], {"$ref": "#/components/schemas/Grade"}, document) == []
    assert [(g["person"]["name"], g["rubric"]) for g in page["items"]] == [
        ("Ada Lovelace", "graduate-discussion"),
        ("Ben Okafor", "graduate-discussion"),
    ]
    ada = page["items"][0]
    assert ada["provisional"] and ada["awaiting_review"] == 1  # the reference Crossref could not find awaits a TA
    main = next(c for c in ada["criteria"] if c["criterion"] == "main-posting")
    assert main["reason"].startswith("5 sources cited, 3 verified")
    assert 0 < ada["total"] <= ada["possible"]
    assert (
        get(app, f"/topics/{world.topic_a}/grades?rubric=engagement-points", token_for("admin")).get_json()["items"]
        == []
    )


def test_a_student_reads_their_own_grade_and_no_one_elses(
    app: Flask, world: World, session: Session, samples: Path, token_for: Headers
) -> None:
    check_topic_a(app, session, world, samples)
    ben = session.query(Person).filter_by(display_name="Ben Okafor").one()
    own = get(app, f"/topics/{world.topic_a}/grades/{world.person_a}", token_for("student")).get_json()
    assert [g["person"]["id"] for g in own["grades"]] == [world.person_a]
    assert (
        own["grades"][0]["criteria"]
        == get(app, f"/topics/{world.topic_a}/grades", token_for("instructor")).get_json()["items"][0]["criteria"]
    )
    someone_else = get(app, f"/topics/{world.topic_a}/grades/{ben.id}", token_for("student"))
    assert_error(someone_else, 404, "not_found")
    assert someone_else.get_json() == get(app, f"/topics/{world.topic_a}/grades/999", token_for("student")).get_json()
    assert_error(get(app, f"/topics/{world.topic_a}/grades", token_for("student")), 403, "forbidden")
    # the course's TA reads the grades the dashboard shows them; the instructor too
    assert get(app, f"/topics/{world.topic_a}/grades/{ben.id}", token_for("ta")).status_code == 200
    assert get(app, f"/topics/{world.topic_a}/grades/{ben.id}", token_for("instructor")).status_code == 200


def test_a_person_of_another_course_is_not_found(
    app: Flask, world: World, session: Session, token_for: Headers
) -> None:
    stranger = Person(course_id=world.course_b, key="2001", display_name="Cleo Marsh")
    session.add(stranger)
    session.commit()
    assert_error(get(app, f"/topics/{world.topic_a}/grades/{stranger.id}", token_for("instructor")), 404, "not_found")
