"""Every route, for every role: the access matrix. A new route fails here until it has a rule and a sample value."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule as UrlRule

from forumgrader.web import access
from forumgrader.web.access import ROUTES, Rule

from .conftest import ACTORS, World


class Outcome(StrEnum):
    OK = "ok"
    SIGN_IN = "sign in"  # the sign-in page (HTML) or 401 (API)
    FORBIDDEN = "403"
    NOT_FOUND = "404"


ALL_OK = dict.fromkeys(ACTORS, Outcome.OK)
SIGNED_IN_OK = {**ALL_OK, "anonymous": Outcome.SIGN_IN}
_ = Outcome

# What each rule means for each actor, on course A's objects: the test's own statement of the access policy.
# `other_instructor` teaches course B only; `student` wrote post A; `other_student` is in course A too.
EXPECTED: dict[Rule, dict[str, Outcome]] = {
    Rule.PUBLIC: ALL_OK,
    Rule.SIGNED_IN: SIGNED_IN_OK,
    Rule.INSTRUCTOR: {**SIGNED_IN_OK, "student": _.FORBIDDEN, "other_student": _.FORBIDDEN, "ta": _.FORBIDDEN},
    Rule.ADMIN: {**dict.fromkeys(ACTORS, _.FORBIDDEN), "anonymous": _.SIGN_IN, "admin": _.OK},
    Rule.COURSE_MEMBER: {**SIGNED_IN_OK, "other_instructor": _.NOT_FOUND},
    Rule.COURSE_REVIEWER: {
        **SIGNED_IN_OK,
        "student": _.FORBIDDEN,
        "other_student": _.FORBIDDEN,
        "other_instructor": _.NOT_FOUND,
    },
    Rule.COURSE_GRADER: {
        **SIGNED_IN_OK,
        "student": _.FORBIDDEN,
        "other_student": _.FORBIDDEN,
        "ta": _.FORBIDDEN,
        "other_instructor": _.NOT_FOUND,
    },
    Rule.POST_READER: {**SIGNED_IN_OK, "other_student": _.NOT_FOUND, "other_instructor": _.NOT_FOUND},
    Rule.JOB_WATCHER: {
        **SIGNED_IN_OK,
        "student": _.NOT_FOUND,
        "other_student": _.NOT_FOUND,
        "other_instructor": _.NOT_FOUND,
    },
    # the draft was saved by `student`: nobody else may know it exists, admins neither
    Rule.DRAFT_OWNER: {**dict.fromkeys(ACTORS, _.NOT_FOUND), "anonymous": _.SIGN_IN, "student": _.OK},
    # `student`'s grades in course A: theirs, and its staff's (TAs read, only instructors change) and admins'
    Rule.GRADE_READER: {**SIGNED_IN_OK, "other_student": _.NOT_FOUND, "other_instructor": _.NOT_FOUND},
    # only a browser that an LMS's deep-linking launch signed in (none of these): tests/lti test it with one
    Rule.DEEP_LINKER: {**dict.fromkeys(ACTORS, _.FORBIDDEN), "anonymous": _.SIGN_IN},
}


def sample_values(world: World) -> dict[str, object]:
    """A value for each path parameter a route may have, pointing into course A."""
    return {
        "course_id": world.course_a,
        "topic_id": world.topic_a,
        "post_id": world.post_a,
        "job_id": world.job_a,
        "person_id": world.person_a,
        "draft_id": world.draft_a,
        "filename": "css/forumgrader.css",
        "version_asked": "0123456789ab",
    }


def routes(app: Flask) -> list[tuple[UrlRule, str]]:
    """Every (rule, method) of the app, HEAD and OPTIONS aside."""
    return sorted(
        (
            (rule, method)
            for rule in app.url_map.iter_rules()
            for method in rule.methods or ()
            if method not in {"HEAD", "OPTIONS"}
        ),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


def outcome_of(response_status: int, location: str, is_api: bool) -> Outcome:
    if response_status == 404:
        return Outcome.NOT_FOUND
    if response_status == 403:
        return Outcome.FORBIDDEN
    if response_status == 401 or (not is_api and response_status == 302 and location.startswith("/login")):
        return Outcome.SIGN_IN
    return Outcome.OK


def test_every_route_has_a_rule_and_every_rule_a_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ROUTES.keys() == set(), "add these endpoints to ROUTES in forumgrader/web/access.py"
    assert ROUTES.keys() - endpoints == set(), "these ROUTES entries name no route any more"


def test_every_rule_has_an_expected_outcome_for_every_actor() -> None:
    for rule in Rule:
        assert set(EXPECTED[rule]) == set(ACTORS), f"say what {rule} means for every actor in EXPECTED"


def test_every_route_parameter_has_a_sample_value(app: Flask, world: World) -> None:
    samples = sample_values(world)
    for rule in app.url_map.iter_rules():
        missing = rule.arguments - samples.keys()
        assert not missing, f"{rule.rule}: add a sample value for {missing} in sample_values()"


@pytest.mark.parametrize("actor", ACTORS)
def test_each_role_across_every_route(
    app: Flask,
    world: World,
    actor: str,
    client_as: Callable[[str], FlaskClient],
    token_for: Callable[[str], dict[str, str]],
) -> None:
    samples = sample_values(world)
    api_headers = token_for(actor)
    reading = client_as(actor)
    wrong = []
    for rule, method in routes(app):
        is_api = rule.rule.startswith("/api/")
        values = {name: samples[name] for name in rule.arguments}
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values)
        # requests that may change the session (sign out) get a client of their own
        client = reading if method == "GET" else client_as(actor)
        with client.open(url, method=method, headers=api_headers if is_api else {}) as response:
            got = outcome_of(response.status_code, response.headers.get("Location", ""), is_api)
        if rule.endpoint == "auth.logout" and actor != "anonymous":
            reading = client_as(actor)  # signing out ended every session of the account, the reading client's too
        expected = EXPECTED[ROUTES[rule.endpoint]][actor]
        if got != expected or (got is Outcome.OK and method == "GET" and response.status_code != 200):
            declared = f"{rule.endpoint}, {ROUTES[rule.endpoint]}"
            wrong.append(f"{method} {url} ({declared}): {response.status_code}, expected {expected}")
    assert not wrong, f"as {actor}:\n" + "\n".join(wrong)


def test_a_route_without_a_rule_is_refused(app: Flask, world: World, client_as: Callable[[str], FlaskClient]) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    response = client_as("admin").get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


def test_cookies_do_not_sign_in_to_the_api(world: World, client_as: Callable[[str], FlaskClient]) -> None:
    client = client_as("admin")
    assert client.get("/").status_code == 200
    response = client.get("/api/v1/courses")
    assert response.status_code == 401
    assert response.json is not None and response.json["error"] == "unauthorized"


def test_course_rules_need_a_course_parameter() -> None:
    with pytest.raises(LookupError, match="course_id"):
        access.course_of(None, {"filename": "x"})  # type: ignore[arg-type]
