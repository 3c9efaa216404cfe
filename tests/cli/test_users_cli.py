"""`forumgrader users`: create accounts, put them in courses, link students to their posts, make API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.store import accounts
from forumgrader.store.models import Course, Membership, Person

PASSWORD = "a long enough secret"


def run(app: Flask, *args: str, **options: Any) -> Result:
    return app.test_cli_runner().invoke(cli, ["users", *args], **options)


@pytest.fixture
def course(session: Session) -> Course:
    course = Course(name="PSY 101")
    session.add(course)
    session.flush()
    session.add_all(
        [
            Person(course_id=course.id, key="1001", display_name="Ada Lovelace", lms_user_id="1001", login_id="ada"),
            Person(course_id=course.id, key="1002", display_name="Sam Lee", lms_user_id="1002"),
            Person(course_id=course.id, key="1003", display_name="Sam Lee", lms_user_id="1003"),
        ]
    )
    session.commit()
    return course


def test_create_asks_for_the_password_twice_and_stores_only_a_strong_hash(app: Flask, session: Session) -> None:
    result = run(app, "create", "Grace@Example.edu", "--role", "instructor", "--name", "Grace Hopper",
                 input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created instructor account grace@example.edu." in result.output
    user = accounts.user_by_email(session, "grace@example.edu")
    assert user is not None and user.name == "Grace Hopper" and user.role == "instructor"
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert accounts.authenticate(session, "grace@example.edu", PASSWORD) == user


def test_scripts_give_the_password_in_the_environment(app: Flask, session: Session, course: Course) -> None:
    result = run(
        app, "create", "ta@example.edu", "--role", "ta", "--course", "psy 101", env={"FORUMGRADER_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    assert "ta@example.edu is ta in PSY 101." in result.output
    user = accounts.user_by_email(session, "ta@example.edu")
    assert user is not None
    assert accounts.course_role(session, user, course.id) == "ta"


def test_mistakes_are_explained_without_a_traceback(app: Flask, session: Session) -> None:
    env = {"FORUMGRADER_PASSWORD": PASSWORD}
    assert run(app, "create", "a@example.edu", "--role", "admin", env=env).exit_code == 0
    again = run(app, "create", "A@example.edu", "--role", "admin", env=env)
    assert again.exit_code == 1 and "an account for a@example.edu already exists" in again.output
    short = run(app, "create", "b@example.edu", "--role", "ta", env={"FORUMGRADER_PASSWORD": "short"})
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    mismatch = run(app, "create", "c@example.edu", "--role", "ta", input=f"{PASSWORD}\nsomething else\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    missing = run(app, "create", "d@example.edu", "--role", "ta", "--course", "Nope 999", env=env)
    assert missing.exit_code == 1 and "No course named 'Nope 999'. There are no courses yet." in missing.output
    assert accounts.user_by_email(session, "d@example.edu") is None  # nothing half-done is kept
    assert "Traceback" not in again.output + short.output + missing.output


def test_enrol_a_student_and_link_them_to_their_posts(app: Flask, session: Session, course: Course) -> None:
    assert (
        run(app, "create", "ada@example.edu", "--role", "student", env={"FORUMGRADER_PASSWORD": PASSWORD}).exit_code
        == 0
    )
    result = run(app, "enrol", "ada@example.edu", "PSY 101", "--role", "student", "--person", "ADA")
    assert result.exit_code == 0, result.output
    assert "ada@example.edu is student in PSY 101, writing as Ada Lovelace." in result.output
    membership = session.query(Membership).one()
    assert membership.person_id == session.query(Person).filter_by(login_id="ada").one().id


def test_enrol_explains_what_it_cannot_do(app: Flask, session: Session, course: Course) -> None:
    run(app, "create", "sam@example.edu", "--role", "student", env={"FORUMGRADER_PASSWORD": PASSWORD})
    ambiguous = run(app, "enrol", "sam@example.edu", "PSY 101", "--role", "student", "--person", "sam lee")
    assert ambiguous.exit_code == 1
    assert "matches several people: Sam Lee (LMS id 1002); Sam Lee (LMS id 1003)" in ambiguous.output
    assert run(app, "enrol", "sam@example.edu", "PSY 101", "--role", "student", "--person", "1003").exit_code == 0
    nobody = run(app, "enrol", "sam@example.edu", "PSY 101", "--role", "student", "--person", "Zed")
    assert nobody.exit_code == 1 and "Nobody called 'Zed' has posted in PSY 101" in nobody.output
    staff = run(app, "enrol", "sam@example.edu", "PSY 101", "--role", "ta", "--person", "1003")
    assert staff.exit_code == 1 and "--role student only" in staff.output
    unknown = run(app, "enrol", "who@example.edu", "PSY 101", "--role", "ta")
    assert unknown.exit_code == 1 and "No account for who@example.edu" in unknown.output
    elsewhere = run(app, "enrol", "sam@example.edu", "HIS 200", "--role", "ta")
    assert elsewhere.exit_code == 1 and "Courses: PSY 101." in elsewhere.output
    created = run(app, "enrol", "sam@example.edu", "HIS 200", "--role", "ta", "--create-course")
    assert created.exit_code == 0 and "sam@example.edu is ta in HIS 200." in created.output


def test_a_token_is_printed_once_and_opens_the_api(app: Flask, session: Session, course: Course) -> None:
    run(app, "create", "prof@example.edu", "--role", "instructor", "--course", "PSY 101",
        env={"FORUMGRADER_PASSWORD": PASSWORD})  # fmt: skip
    result = run(app, "token", "prof@example.edu", "--label", "gradebook sync")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("fg_") and len(token) > 30
    assert "shown once" in result.stderr
    answer = app.test_client().get("/api/v1/courses", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [(course["name"], course["role"]) for course in answer["items"]] == [("PSY 101", "instructor")]


def test_list_shows_roles_and_courses(app: Flask, session: Session, course: Course) -> None:
    assert "No accounts yet" in run(app, "list").output
    env = {"FORUMGRADER_PASSWORD": PASSWORD}
    run(app, "create", "prof@example.edu", "--role", "instructor", "--name", "Prof", "--course", "PSY 101", env=env)
    run(app, "create", "root@example.edu", "--role", "admin", env=env)
    lines = run(app, "list").output.splitlines()
    assert lines == ["prof@example.edu\tinstructor\tProf\tPSY 101 (instructor)", "root@example.edu\tadmin\t-\t-"]


def signed_in(app: Flask, email: str) -> FlaskClient:
    """Return a browser signed in through the sign-in form (CSRF checks aside: they are tested in tests/web)."""
    app.config["WTF_CSRF_ENABLED"] = False
    browser = app.test_client()
    assert browser.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return browser


def api_status(app: Flask, secret: str) -> int:
    return app.test_client().get("/api/v1/courses", headers={"Authorization": f"Bearer {secret}"}).status_code


def test_a_new_password_signs_out_every_browser_signed_in_with_the_old_one(app: Flask, session: Session) -> None:
    accounts.create_user(session, "grace@example.edu", PASSWORD, role="instructor")
    session.commit()
    browser = signed_in(app, "grace@example.edu")
    assert browser.get("/review").status_code == 200
    result = run(app, "password", "grace@example.edu", input="a brand new secret\na brand new secret\n")
    assert result.exit_code == 0, result.output
    assert "its sessions signed in with the old one have ended" in result.output
    assert browser.get("/review").status_code == 302  # back to the sign-in page
    assert accounts.authenticate(session, "grace@example.edu", "a brand new secret") is not None
    assert accounts.authenticate(session, "grace@example.edu", PASSWORD) is None
    short = run(app, "password", "grace@example.edu", env={"FORUMGRADER_PASSWORD": "short"})
    assert short.exit_code == 1 and "at least 10 characters" in short.output


def test_deactivate_closes_an_account_everywhere_and_activate_opens_it(app: Flask, session: Session) -> None:
    user = accounts.create_user(session, "ta@example.edu", PASSWORD, role="ta")
    secret = accounts.create_token(session, user)
    session.commit()
    browser = signed_in(app, "ta@example.edu")
    assert api_status(app, secret) == 200
    result = run(app, "deactivate", "TA@example.edu")
    assert result.exit_code == 0, result.output
    assert "ta@example.edu can no longer sign in" in result.output
    assert browser.get("/review").status_code == 302
    assert api_status(app, secret) == 401
    assert "[inactive]" in run(app, "list").output
    assert run(app, "activate", "ta@example.edu").exit_code == 0
    assert api_status(app, secret) == 200


def test_revoke_tokens_ends_every_api_token_of_an_account(app: Flask, session: Session) -> None:
    user = accounts.create_user(session, "bot@example.edu", PASSWORD, role="instructor")
    first, second = accounts.create_token(session, user, "sync"), accounts.create_token(session, user, "backup")
    session.commit()
    result = run(app, "revoke-tokens", "bot@example.edu")
    assert result.exit_code == 0, result.output
    assert "Revoked 2 API tokens of bot@example.edu." in result.output
    for secret in (first, second):
        assert (
            app.test_client().get("/api/v1/courses", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
        )
    missing = run(app, "revoke-tokens", "nobody@example.edu")
    assert missing.exit_code == 1 and "No account for nobody@example.edu" in missing.output
