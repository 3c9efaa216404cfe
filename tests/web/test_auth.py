"""Signing in and out: the form, CSRF, where "next" may lead, cookie flags, session protection, rate limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from forumgrader.store import accounts

from .conftest import PASSWORD, World, sign_in


def csrf_token(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return (found.group(1) or found.group(2)).decode()


def test_sign_in_and_see_your_courses(app: Flask, world: World) -> None:
    client = app.test_client()
    response = client.post("/login", data={"email": "INSTRUCTOR@example.edu ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Signed in as Instructor." in home
    assert "Courses you teach" in home and "PSY 101 Introduction to Psychology" in home
    assert "HIS 200" not in home


def test_a_wrong_password_says_so_without_revealing_which_part_was_wrong(app: Flask, world: World) -> None:
    client = app.test_client()
    for email in (world.emails["instructor"], "nobody@example.edu"):
        response = client.post("/login", data={"email": email, "password": "not the password"})
        assert response.status_code == 200
        assert "That email and password do not match an account." in response.get_data(as_text=True)
    assert client.get("/courses/1").status_code == 302  # still signed out


def test_a_deactivated_account_cannot_sign_in_and_is_signed_out(app: Flask, world: World, session: Session) -> None:
    client = app.test_client()
    sign_in(client, world.emails["ta"])
    user = accounts.user_by_email(session, world.emails["ta"])
    assert user is not None
    user.active = False
    session.commit()
    assert client.get(f"/courses/{world.course_a}").status_code == 302
    response = client.post("/login", data={"email": world.emails["ta"], "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("next_value", "lands_on"),
    [
        ("/courses/1", "/courses/1"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/courses/1\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_next_only_leads_to_pages_of_this_site(app: Flask, world: World, next_value: str, lands_on: str) -> None:
    client = app.test_client()
    response = client.post(
        "/login", query_string={"next": next_value}, data={"email": world.emails["admin"], "password": PASSWORD}
    )
    assert response.headers["Location"] == lands_on


def test_a_protected_page_sends_you_to_sign_in_and_back(app: Flask, world: World) -> None:
    client = app.test_client()
    response = client.get(f"/courses/{world.course_a}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fcourses%2F{world.course_a}"
    response = client.post(response.headers["Location"], data={"email": world.emails["ta"], "password": PASSWORD})
    assert response.headers["Location"] == f"/courses/{world.course_a}"


def test_sign_out_needs_a_post(client_as: Callable[[str], FlaskClient], world: World) -> None:
    client = client_as("student")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert "You are signed out." in client.get("/").get_data(as_text=True)
    assert client.get(f"/courses/{world.course_a}").status_code == 302


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_sign_in_without_the_form_token_is_refused(self, app: Flask, world: World) -> None:
        client = app.test_client()
        response = client.post("/login", data={"email": world.emails["admin"], "password": PASSWORD})
        assert response.status_code == 400
        assert "This form has expired. Reload the page and try again." in response.get_data(as_text=True)
        assert client.get(f"/courses/{world.course_a}").status_code == 302

    def test_sign_in_with_the_form_token_works(self, app: Flask, world: World) -> None:
        client = app.test_client()
        token = csrf_token(client.get("/login").data)
        data = {"email": world.emails["admin"], "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302

    def test_sign_out_from_another_site_is_refused(self, app: Flask, world: World) -> None:
        client = app.test_client()
        token = csrf_token(client.get("/login").data)
        client.post("/login", data={"email": world.emails["admin"], "password": PASSWORD, "csrf_token": token})
        assert client.post("/logout").status_code == 400  # no token: a forged form
        assert client.get(f"/courses/{world.course_a}").status_code == 200  # still signed in
        token = csrf_token(client.get("/").data)  # the sign-out form in the header carries one
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    def test_the_api_takes_no_csrf_token(
        self, app: Flask, world: World, token_for: Callable[[str], dict[str, str]]
    ) -> None:
        response = app.test_client().post("/api/v1/courses", headers=token_for("admin"))
        assert response.status_code == 405  # refused for its method, not for a missing CSRF token


def session_cookie(response: Any) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, "no session cookie was set"
    return cookies[0]


def test_the_session_cookie_is_http_only_and_same_site_lax(app: Flask, world: World) -> None:
    response = app.test_client().post("/login", data={"email": world.emails["admin"], "password": PASSWORD})
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


class TestBehindHttps:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "SESSION_COOKIE_SECURE": True}

    def test_the_session_cookie_is_secure(self, app: Flask, world: World) -> None:
        client = app.test_client()
        data = {"email": world.emails["admin"], "password": PASSWORD}
        response = client.post("/login", data=data, base_url="https://localhost")
        assert "Secure" in session_cookie(response)
        assert "max-age=" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_a_stolen_session_cookie_does_not_work_from_another_browser(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["admin"])
    assert client.get(f"/courses/{world.course_a}").status_code == 200
    elsewhere = client.get(f"/courses/{world.course_a}", headers={"User-Agent": "Another browser/1.0"})
    assert elsewhere.status_code == 302  # strong session protection drops it


class TestSignInLimit:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "SIGN_IN_RATE_LIMIT": "3 per minute"}

    def test_repeated_failures_are_slowed_down_but_successes_do_not_count(self, app: Flask, world: World) -> None:
        client = app.test_client()
        for _ in range(5):  # successful sign-ins use up nothing
            sign_in(client, world.emails["admin"])
        wrong = {"email": world.emails["admin"], "password": "guess guess guess"}
        assert [client.post("/login", data=wrong).status_code for _ in range(3)] == [200, 200, 200]
        response = client.post("/login", data=wrong)
        assert response.status_code == 429
        assert "Too many failed sign-ins to this account" in response.get_data(as_text=True)
        assert "Retry-After" in response.headers
        assert client.get("/login").status_code == 200  # only posting the form is limited


def forged_failures(client: FlaskClient, world: World, address: str) -> list[int]:
    """Fail to sign in three times with the headers a proxy adds, claiming a client address."""
    wrong = {"email": world.emails["admin"], "password": "guess guess guess"}
    headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
    return [client.post("/login", data=wrong, headers=headers).status_code for _ in range(3)]


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "SIGN_IN_RATE_LIMIT": "2 per minute", "PROXY_FIX": 1}

    def test_each_client_behind_the_proxy_has_its_own_budget(self, app: Flask, world: World) -> None:
        client = app.test_client()
        assert forged_failures(client, world, "203.0.113.7") == [200, 200, 429]
        assert forged_failures(client, world, "198.51.100.2") == [200, 200, 429]
        answer = client.get("/", headers={"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in answer.headers  # the proxy's HTTPS is recognised


class TestWithoutAProxy:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "SIGN_IN_RATE_LIMIT": "2 per minute"}

    def test_the_forwarding_headers_are_not_trusted(self, app: Flask, world: World) -> None:
        client = app.test_client()
        assert forged_failures(client, world, "203.0.113.7") == [200, 200, 429]
        assert forged_failures(client, world, "198.51.100.2") == [429, 429, 429]  # a forged header buys nothing
        answer = client.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in answer.headers
