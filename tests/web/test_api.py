"""The JSON API: token authentication, what the routes answer, pages, and one error shape for every error."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy.orm import Session

from forumgrader.store.models import ApiToken, User
from forumgrader.web import access, limits

from .conftest import World

Headers = Callable[[str], dict[str, str]]


def assert_error(response: Any, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message"}
    assert body["error"] == code
    assert body["message"]
    return body


def test_without_a_token_the_api_says_how_to_get_one(app: Flask, world: World) -> None:
    response = app.test_client().get("/api/v1/courses")
    body = assert_error(response, 401, "unauthorized")
    assert "Authorization: Bearer" in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(app: Flask, world: World) -> None:
    response = app.test_client().get("/api/v1/courses", headers={"Authorization": "Bearer fg_not-a-real-token"})
    assert_error(response, 401, "invalid_token")


def test_a_token_of_a_deactivated_account_is_refused(
    app: Flask, world: World, token_for: Headers, session: Session
) -> None:
    headers = token_for("ta")
    user = session.query(User).filter_by(email=world.emails["ta"]).one()
    user.active = False
    session.commit()
    assert_error(app.test_client().get("/api/v1/courses", headers=headers), 401, "invalid_token")


def test_the_api_sets_no_cookie_and_notes_when_a_token_was_used(
    app: Flask, world: World, token_for: Headers, session: Session
) -> None:
    response = app.test_client().get("/api/v1/courses", headers=token_for("instructor"))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert session.query(ApiToken).one().last_used_at is not None


def test_courses_are_the_ones_you_can_see_with_your_role(app: Flask, world: World, token_for: Headers) -> None:
    client = app.test_client()
    mine = client.get("/api/v1/courses", headers=token_for("ta")).get_json()
    assert [(course["name"], course["role"]) for course in mine["items"]] == [
        ("PSY 101 Introduction to Psychology", "ta")
    ]
    everything = client.get("/api/v1/courses", headers=token_for("admin")).get_json()
    assert [course["role"] for course in everything["items"]] == ["admin", "admin"]
    assert everything["total"] == 2


def test_pages_of_courses(app: Flask, world: World, token_for: Headers) -> None:
    client, headers = app.test_client(), token_for("admin")
    first = client.get("/api/v1/courses?per_page=1", headers=headers).get_json()
    second = client.get("/api/v1/courses?per_page=1&page=2", headers=headers).get_json()
    assert (first["total"], first["pages"], first["page"]) == (2, 2, 1)
    assert [course["name"] for course in first["items"] + second["items"]] == [
        "HIS 200 Modern History",
        "PSY 101 Introduction to Psychology",
    ]
    assert client.get("/api/v1/courses?page=3", headers=headers).get_json()["items"] == []


@pytest.mark.parametrize("query", ["page=0", "page=two", "per_page=201", "per_page=-1"])
def test_bad_page_parameters_are_named(app: Flask, world: World, token_for: Headers, query: str) -> None:
    response = app.test_client().get(f"/api/v1/courses?{query}", headers=token_for("admin"))
    body = assert_error(response, 400, "invalid_parameter")
    assert query.split("=")[0] in body["message"]


def test_topics_count_the_posts_each_reader_may_see(app: Flask, world: World, token_for: Headers) -> None:
    client = app.test_client()
    url = f"/api/v1/courses/{world.course_a}/topics"
    staff = client.get(url, headers=token_for("ta")).get_json()["items"]
    student = client.get(url, headers=token_for("student")).get_json()["items"]
    assert [(topic["title"], topic["posts"]) for topic in staff] == [("Week 1: Memory and sleep", 2)]
    assert [topic["posts"] for topic in student] == [1]  # only their own
    topic = client.get(f"/api/v1/topics/{world.topic_a}", headers=token_for("instructor")).get_json()
    assert topic["due_initial_at"] == "2025-02-05T23:59:00+00:00"
    assert topic["required_replies"] == 2


def test_a_course_that_is_not_yours_is_not_found_rather_than_forbidden(
    app: Flask, world: World, token_for: Headers
) -> None:
    client, headers = app.test_client(), token_for("other_instructor")
    hidden = client.get(f"/api/v1/courses/{world.course_a}", headers=headers)
    missing = client.get("/api/v1/courses/999", headers=headers)
    assert_error(hidden, 404, "not_found")
    assert hidden.get_json() == missing.get_json()


def test_a_job_shows_its_progress(app: Flask, world: World, token_for: Headers, session: Session) -> None:
    from forumgrader.store.models import Job

    job = session.get(Job, world.job_a)
    assert job is not None
    job.status, job.done, job.total, job.message = "running", 12, 40, "12 of 40 posts checked"
    session.commit()
    body = app.test_client().get(f"/api/v1/jobs/{world.job_a}", headers=token_for("instructor")).get_json()
    assert {key: body[key] for key in ("status", "done", "total", "percent", "message", "error")} == {
        "status": "running",
        "done": 12,
        "total": 40,
        "percent": 30,
        "message": "12 of 40 posts checked",
        "error": "",
    }


def test_unknown_addresses_and_methods_answer_in_the_error_shape(app: Flask, world: World, token_for: Headers) -> None:
    client = app.test_client()
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    response = client.delete(f"/api/v1/courses/{world.course_a}", headers=token_for("admin"))
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_failure_answers_in_the_error_shape(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken() -> str:
        raise RuntimeError("the database caught fire")

    app.add_url_rule("/api/v1/broken", "broken", broken)
    monkeypatch.setitem(access.ROUTES, "broken", access.Rule.PUBLIC)
    body = assert_error(app.test_client().get("/api/v1/broken"), 500, "internal_error")
    assert "fire" not in body["message"]  # no internals leak to the client


def test_too_large_a_body_names_the_limit(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config.update(MAX_IMPORT_BYTES=2048, MAX_CONTENT_LENGTH=4096)

    def upload() -> dict[str, int]:
        return {"files": len(request.files)}

    app.add_url_rule("/api/v1/upload", "upload", upload, methods=["POST"])
    monkeypatch.setitem(access.ROUTES, "upload", access.Rule.PUBLIC)
    client = app.test_client()
    assert client.post("/api/v1/upload", data={"file": (io.BytesIO(b"x" * 1000), "a.csv")}).get_json() == {"files": 1}
    response = client.post("/api/v1/upload", data={"file": (io.BytesIO(b"x" * 5000), "a.csv")})
    body = assert_error(response, 413, "too_large")
    assert "2 KB" in body["message"]


def test_the_self_check_limit_answers_429_in_the_error_shape(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["SELF_CHECK_RATE_LIMIT"] = "2 per minute"

    @limits.limited("self_check")
    def self_check() -> dict[str, str]:
        return {"report": "..."}

    app.add_url_rule("/api/v1/try-check", "try_check", self_check, methods=["POST"])
    monkeypatch.setitem(access.ROUTES, "try_check", access.Rule.PUBLIC)
    limits.apply_named_limits(app)
    client = app.test_client()
    assert [client.post("/api/v1/try-check").status_code for _ in range(2)] == [200, 200]
    response = client.post("/api/v1/try-check")
    body = assert_error(response, 429, "rate_limited")
    assert "2 per 1 minute" in body["message"]
    assert int(response.headers["Retry-After"]) > 0
    elsewhere = client.post("/api/v1/try-check", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert elsewhere.status_code == 200  # the limit is per client address
