"""LTI 1.3 launches against the local platform: who lands where, and every way a launch is refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store.models import Course, LtiUser, Membership, Person, Topic, User

from .conftest import STUDENT, TEACHER, launch, login
from .platform import TA, LaunchSpec, LocalPlatform, _key
from .platform import Person as PlatformPerson

pytestmark = pytest.mark.usefixtures("registered")


@pytest.fixture
def canvas_course(session: Session) -> Topic:
    """A course imported from Canvas course 501 before any launch, with a topic and Ada's Person."""
    course = Course(name="NURS 6501 Fall", lms="canvas", lms_course_id="501")
    session.add(course)
    session.flush()
    topic = Topic(course_id=course.id, title="Week 3: Inflammation", lms_topic_id="77",
                  due_initial_at=datetime(2025, 2, 5, tzinfo=UTC))  # fmt: skip
    session.add_all([topic, Person(course_id=course.id, key="1001", lms_user_id="1001", display_name="Ada L.")])
    session.commit()
    return topic


def _users(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(User.id))) or 0


def test_an_instructor_lands_on_the_topic_dashboard(
    client: FlaskClient, platform: LocalPlatform, session: Session, canvas_course: Topic
) -> None:
    spec = LaunchSpec(TEACHER, custom={"canvas_course_id": "501", "topic": str(canvas_course.id), "view": "dashboard"})
    response = launch(client, platform, spec)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/topics/{canvas_course.id}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Week 3: Inflammation" in page.get_data(as_text=True)
    # the LMS may frame the pages of this browser, and no other site
    assert f"frame-ancestors {platform.url}" in page.headers["Content-Security-Policy"]
    user = session.scalar(select(User).where(User.email == "grace@example.edu"))
    assert user is not None and user.role == "instructor"
    membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership is not None and (membership.course_id, membership.role) == (canvas_course.course_id, "instructor")


def test_a_learner_lands_on_the_self_check_and_writes_as_their_imported_person(
    client: FlaskClient, platform: LocalPlatform, session: Session, canvas_course: Topic
) -> None:
    response = launch(client, platform, LaunchSpec(STUDENT, custom={"canvas_course_id": "501"}))
    assert response.status_code == 302 and response.headers["Location"] == "/check"
    assert client.get("/check").status_code == 200
    user = session.scalar(select(User).where(User.email == "ada@example.edu"))
    assert user is not None and user.role == "student"
    membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
    person = session.scalar(select(Person).where(Person.course_id == canvas_course.course_id, Person.key == "1001"))
    assert membership is not None and person is not None
    assert (membership.role, membership.person_id) == ("student", person.id)
    assert (person.email, person.sis_user_id) == ("ada@example.edu", "S1001")  # ids filled in from the launch
    # a student may not open the course's LMS page (instructors only)
    assert client.get(f"/courses/{canvas_course.course_id}/lms").status_code == 403


def test_a_teaching_assistant_is_a_ta_of_a_new_course(
    client: FlaskClient, platform: LocalPlatform, session: Session
) -> None:
    ta = PlatformPerson("ta-sub", "Alan Turing", "alan@example.edu", TA)
    response = launch(client, platform, LaunchSpec(ta, context_id="course-9", context_title="PSY 200"))
    assert response.status_code == 302
    course = session.scalar(select(Course).where(Course.name == "PSY 200"))
    assert course is not None
    assert response.headers["Location"] == f"/courses/{course.id}"
    membership = session.scalar(select(Membership).where(Membership.course_id == course.id))
    assert membership is not None and membership.role == "ta"


def test_launching_again_signs_in_the_same_account(
    client: FlaskClient, platform: LocalPlatform, session: Session
) -> None:
    for _ in range(2):
        assert launch(client, platform, LaunchSpec(TEACHER)).status_code == 302
    assert _users(session) == 1
    assert session.scalar(select(func.count(LtiUser.id))) == 1
    assert session.scalar(select(func.count(Course.id))) == 1


def test_a_tampered_token_is_refused(client: FlaskClient, platform: LocalPlatform, session: Session) -> None:
    hint = platform.prepare(LaunchSpec(TEACHER))
    state, nonce = login(client, platform, hint)
    header, body, signature = platform.id_token(hint, nonce).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "someone-else"  # the body edited by hand, the signature kept
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    other = platform.id_token(hint, nonce, email="admin@example.edu").split(".")[1]  # another token's body
    for token in (f"{header}.{edited}.{signature}", f"{header}.{other}.{signature}"):
        response = client.post("/lti/launch", data={"id_token": token, "state": state})
        assert response.status_code == 400
        assert "signature does not match" in response.get_data(as_text=True)
    assert _users(session) == 0


def test_a_token_signed_with_another_key_is_refused(client: FlaskClient, platform: LocalPlatform) -> None:
    other_key, _public = _key()
    response = launch(client, platform, LaunchSpec(TEACHER), key_pem=other_key)
    assert response.status_code == 400
    assert "signature does not match" in response.get_data(as_text=True)


def test_a_replayed_launch_is_refused(client: FlaskClient, platform: LocalPlatform, app: Flask) -> None:
    hint = platform.prepare(LaunchSpec(TEACHER))
    state, nonce = login(client, platform, hint)
    form = {"id_token": platform.id_token(hint, nonce), "state": state}
    assert client.post("/lti/launch", data=form).status_code == 302
    again = client.post("/lti/launch", data=form)
    assert again.status_code == 400
    assert "used already" in again.get_data(as_text=True)
    # replayed from another browser, which has no state cookie, it is refused too
    elsewhere = app.test_client().post("/lti/launch", data=form)
    assert elsewhere.status_code == 400


def test_a_nonce_the_tool_never_issued_is_refused(client: FlaskClient, platform: LocalPlatform) -> None:
    hint = platform.prepare(LaunchSpec(TEACHER))
    state, _nonce = login(client, platform, hint)
    response = client.post("/lti/launch", data={"id_token": platform.id_token(hint, "made-up"), "state": state})
    assert response.status_code == 400
    assert "used already, or forumgrader never started it" in response.get_data(as_text=True)


def test_an_unknown_deployment_is_refused(client: FlaskClient, platform: LocalPlatform, session: Session) -> None:
    response = launch(client, platform, LaunchSpec(TEACHER, deployment_id="rogue-deployment"))
    assert response.status_code == 400
    assert "deployment of the LMS is not registered" in response.get_data(as_text=True)
    assert _users(session) == 0


def test_an_expired_token_and_a_wrong_state_are_refused(client: FlaskClient, platform: LocalPlatform) -> None:
    expired = launch(client, platform, LaunchSpec(TEACHER), exp=1_000_000, iat=999_000)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    hint = platform.prepare(LaunchSpec(TEACHER))
    _state, nonce = login(client, platform, hint)
    wrong = client.post("/lti/launch", data={"id_token": platform.id_token(hint, nonce), "state": "state-forged"})
    assert wrong.status_code == 400 and "does not belong to this browser" in wrong.get_data(as_text=True)


def test_an_unregistered_platform_and_an_unmapped_role_are_refused(
    client: FlaskClient, platform: LocalPlatform
) -> None:
    params = platform.login_params(platform.prepare(LaunchSpec(TEACHER))) | {"iss": "https://unknown.example"}
    response = client.post("/lti/login", data=params)
    assert response.status_code == 400 and "not registered" in response.get_data(as_text=True)
    mentor = PlatformPerson(
        "mentor-sub", "Parent", "p@example.edu", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
    )
    refused = launch(client, platform, LaunchSpec(mentor))
    assert refused.status_code == 400 and "nothing for your role" in refused.get_data(as_text=True)


def test_a_person_visiting_the_login_address_is_told_what_it_is_for(client: FlaskClient) -> None:
    page = client.get("/lti/login")
    assert page.status_code == 200
    assert "http://localhost/lti/jwks" in page.get_data(as_text=True)


def test_behind_https_the_login_checks_that_cookies_work_in_the_frame(
    client: FlaskClient, platform: LocalPlatform
) -> None:
    params = platform.login_params(platform.prepare(LaunchSpec(TEACHER)))
    page = client.post("/lti/login", data=params, base_url="https://localhost")
    assert page.status_code == 200  # pylti1p3's cookie check, before going on to the LMS
    policy = page.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.get_data(as_text=True)  # its inline code runs under our policy
    assert "frame-ancestors *" in policy
    again = client.post("/lti/login", data=params | {"lti1p3_new_window": "1"}, base_url="https://localhost")
    assert again.status_code == 302 and again.headers["Location"].startswith(f"{platform.url}/auth")
    cookies = again.headers.getlist("Set-Cookie")
    assert any("SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie for cookie in cookies)
