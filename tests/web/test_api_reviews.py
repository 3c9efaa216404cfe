"""API: the review queue of a course, and a TA's decision on a flag, through the review service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.models import AuditEntry, Grade, Review

from .checked import check_topic_a
from .conftest import World
from .test_api import assert_error

pytestmark = pytest.mark.local_crossref

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def checked(app: Flask, session: Session, world: World, samples: Path) -> World:
    check_topic_a(app, session, world, samples)
    return world


def queue(app: Flask, world: World, headers: dict[str, str], query: str = "") -> Any:
    return app.test_client().get(f"/api/v1/courses/{world.course_a}/reviews{query}", headers=headers)


def decide(app: Flask, post_id: int, headers: dict[str, str], body: Any) -> Any:
    return app.test_client().post(f"/api/v1/posts/{post_id}/reviews", json=body, headers=headers)


def test_the_queue_lists_flags_worst_first_with_their_evidence(app: Flask, checked: World, token_for: Headers) -> None:
    flags = queue(app, checked, token_for("ta")).get_json()
    assert [(f["kind"], f["reference_index"], f["student"]) for f in flags["items"]] == [
        ("not_found", 0, "Ada Lovelace"),
        ("mismatch", 3, "Ada Lovelace"),
    ]
    mismatch = flags["items"][1]
    assert mismatch["differences"] == [{"field": "pages", "cited": "581", "record": "581-624", "severity": "info"}]
    assert mismatch["record"]["doi"] == "10.1037/0033-2909.133.4.581" and mismatch["status"] == "awaiting"
    only = queue(app, checked, token_for("instructor"), "?kind=mismatch").get_json()["items"]
    assert [f["kind"] for f in only] == ["mismatch"]
    assert queue(app, checked, token_for("ta"), "?status=dismissed").get_json()["total"] == 0
    assert_error(queue(app, checked, token_for("ta"), "?status=maybe"), 400, "invalid_parameter")
    assert_error(queue(app, checked, token_for("ta"), "?topic_id=x"), 400, "invalid_parameter")


def test_a_ta_dismisses_a_flag_by_its_index_and_the_topic_is_graded_again(
    app: Flask, checked: World, token_for: Headers, session: Session
) -> None:
    before = session.scalars(select(Grade.computed_at).where(Grade.person_id == checked.person_a)).one()
    body = {"reference_index": 0, "decision": "dismissed", "note": "The Lancet 1995 editorial: found it in print."}
    response = decide(app, checked.post_a, token_for("ta"), body)
    assert response.status_code == 201, response.get_json()
    review = response.get_json()
    assert (review["decision"], review["verdict"], review["note"]) == ("dismissed", "not_found", body["note"])
    assert set(review) == {"post_id", "reference_key", "decision", "note", "verdict", "decided_at"}  # no reviewer name
    session.expire_all()
    assert session.scalars(select(Review)).one().reference_key == review["reference_key"]
    assert session.scalars(select(AuditEntry.action)).all() == ["review.dismissed"]
    assert session.scalars(select(Grade.computed_at).where(Grade.person_id == checked.person_a)).one() > before
    dismissed = queue(app, checked, token_for("ta"), "?status=dismissed").get_json()["items"]
    assert [(f["reference_index"], f["reviewer"]) for f in dismissed] == [(0, "Ta")]


def test_a_flag_named_by_its_key_can_be_confirmed(app: Flask, checked: World, token_for: Headers) -> None:
    key = queue(app, checked, token_for("ta"), "?kind=mismatch").get_json()["items"][0]["reference_key"]
    response = decide(app, checked.post_a, token_for("instructor"), {"reference_key": key, "decision": "confirmed"})
    assert response.status_code == 201
    assert queue(app, checked, token_for("ta"), "?status=confirmed").get_json()["items"][0]["reference_key"] == key


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"reference_index": 0, "decision": "maybe"}, 400, '`decision` must be "confirmed" or "dismissed"'),
        ({"decision": "confirmed"}, 400, 'give "reference_key"'),
        ({"reference_index": 9, "decision": "confirmed"}, 404, "This post has no reference 9"),
        ({"reference_index": 1, "decision": "confirmed"}, 400, "not flagged any more (it is now verified)"),
        ({"reference_index": 0, "decision": "confirmed", "note": 3}, 400, "`note` must be text"),
        (["dismissed"], 400, "Send a JSON object"),
    ],
)
def test_decisions_that_cannot_be_taken_are_explained(
    app: Flask, checked: World, token_for: Headers, body: Any, status: int, says: str
) -> None:
    response = decide(app, checked.post_a, token_for("ta"), body)
    assert response.status_code == status
    assert set(response.get_json()) == {"error", "message"} and says in response.get_json()["message"]


def test_students_neither_see_the_queue_nor_decide(app: Flask, checked: World, token_for: Headers) -> None:
    assert_error(queue(app, checked, token_for("student")), 403, "forbidden")
    body = {"reference_index": 0, "decision": "dismissed"}
    assert_error(decide(app, checked.post_a, token_for("student"), body), 403, "forbidden")
    assert_error(decide(app, checked.post_a, token_for("other_instructor"), body), 404, "not_found")
    assert_error(decide(app, checked.post_a, {}, body), 401, "unauthorized")
