"""LTI fixtures: the local platform (one server for the session, its state fresh per test), registered in the app."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from forumgrader.store import lti_platforms
from forumgrader.store.lti_platforms import Endpoints
from forumgrader.store.models import LtiPlatform

from .platform import INSTRUCTOR, LEARNER, LaunchSpec, LocalPlatform, Person, Served, serve

TEACHER = Person("teacher-sub", "Grace Hopper", "grace@example.edu", INSTRUCTOR, "Grace", "Hopper")
STUDENT = Person("student-sub", "Ada Lovelace", "ada@example.edu", LEARNER, "Ada", "Lovelace", sis_id="S1001",
                 custom={"canvas_user_id": "1001"})  # fmt: skip


@pytest.fixture(scope="session")
def _platform_server() -> Iterator[Served]:
    served = serve()
    yield served
    served.stop()


@pytest.fixture
def platform(_platform_server: Served) -> LocalPlatform:
    """The local platform, its state fresh for this test (same address and key)."""
    served = _platform_server.platform
    served.reset()
    served.tool_login_url = "http://localhost/lti/login"
    served.members["course-1"] = [TEACHER, STUDENT]
    return served


def register(session: Session, platform: LocalPlatform, *, lms: str = "canvas") -> LtiPlatform:
    """Register the local platform in the app, with its deployment."""
    endpoints = Endpoints(platform.url, f"{platform.url}/auth", f"{platform.url}/token", f"{platform.url}/jwks")
    found = lti_platforms.register_platform(session, name="Local LMS", lms=lms, client_id=platform.client_id,
                                            endpoints=endpoints, deployment_ids=[platform.deployment_id])  # fmt: skip
    session.commit()
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser on the app (CSRF protection on, as in production)."""
    return app.test_client()


@pytest.fixture
def registered(app: Flask, session: Session, platform: LocalPlatform) -> LtiPlatform:
    """The local platform registered in the app (as a Canvas)."""
    return register(session, platform)


def login(client: FlaskClient, platform: LocalPlatform, hint: str) -> tuple[str, str]:
    """Run the third-party initiated login; return the state and nonce the tool chose."""
    response = client.post("/lti/login", data=platform.login_params(hint))
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    assert location.geturl().startswith(f"{platform.url}/auth")
    query = parse_qs(location.query)
    return query["state"][0], query["nonce"][0]


def launch(client: FlaskClient, platform: LocalPlatform, spec: LaunchSpec, **changes: object) -> TestResponse:
    """Log in and launch as the platform would; `changes` alter the id_token's claims."""
    hint = platform.prepare(spec)
    state, nonce = login(client, platform, hint)
    token = platform.id_token(hint, nonce, **changes)
    return client.post("/lti/launch", data={"id_token": token, "state": state})
