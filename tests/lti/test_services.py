"""LTI Advantage against the local platform: the roster (NRPS), grades with comments (AGS), Deep Linking."""

from __future__ import annotations

import html
import re
from importlib import resources
from pathlib import Path

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.db import utcnow
from forumgrader.store.grades import grade_topic, rubric_name, topic_rubric
from forumgrader.store.models import Course, Grade, Job, Person, Topic

from .conftest import STUDENT, TEACHER, launch
from .platform import LEARNER, LaunchSpec, LocalPlatform
from .platform import Person as PlatformPerson

pytestmark = pytest.mark.usefixtures("registered")
BEN = PlatformPerson("ben-sub", "Ben Okafor", "ben@example.edu", LEARNER, "Ben", "Okafor", sis_id="S1002")


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """Forms posted without scraping CSRF tokens (the launch tests keep CSRF on)."""
    return {**app_config, "WTF_CSRF_ENABLED": False}


@pytest.fixture
def course(client: FlaskClient, platform: LocalPlatform, session: Session) -> Topic:
    """A course made by the teacher's launch, with a graded topic: Ada 40/100 and Ben 75/100 (provisional)."""
    platform.members["course-1"] = [TEACHER, STUDENT, BEN]
    platform.tool_jwks = client.get("/lti/jwks").json
    assert launch(client, platform, LaunchSpec(TEACHER)).status_code == 302
    found = session.scalar(select(Course))
    assert found is not None
    topic = Topic(course_id=found.id, title="Week 3: Inflammation")
    ada = Person(course_id=found.id, key="ada", display_name="Ada Lovelace", email="ada@example.edu")
    ben = Person(course_id=found.id, key="ben", display_name="Ben Okafor", sis_user_id="S1002")
    session.add_all([topic, ada, ben])
    session.flush()
    for person, total, provisional in ((ada, 40.0, False), (ben, 75.0, True)):
        session.add(Grade(topic_id=topic.id, person_id=person.id, rubric=rubric_name(topic), total=total,
                          possible=100.0, provisional=provisional,
                          breakdown={"feedback": f"{person.display_name}: cite two sources."}))  # fmt: skip
    session.commit()
    return topic


def _fetch_roster(client: FlaskClient, course_id: int, session: Session) -> Job:
    response = client.post(f"/courses/{course_id}/lms/roster")
    assert response.status_code == 302
    job = session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job is not None
    session.refresh(job)
    return job


def _send(client: FlaskClient, topic: Topic, session: Session, **form: str) -> Job:
    response = client.post(f"/topics/{topic.id}/passback/send", data=form)
    assert response.status_code == 302
    job = session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job is not None
    session.refresh(job)
    assert job.status == "done", job.error
    return job


def test_the_roster_fills_in_each_persons_ids_from_nrps(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    job = _fetch_roster(client, course.course_id, session)
    assert job.status == "done", job.error
    assert "2 new" in job.message  # Ada and Ben (three people on two pages; the teacher is staff)
    session.expire_all()
    people = {p.key: p for p in session.scalars(select(Person).where(Person.course_id == course.course_id))}
    assert people["ada"].sis_user_id == "S1001"  # matched by email, SIS id filled in
    assert people["ben"].email == "ben@example.edu"  # matched by SIS id, email filled in
    assert set(people) == {"ada", "ben"}  # nobody doubled
    again = _fetch_roster(client, course.course_id, session)
    assert "0 new, 0 updated, 3 unchanged" in again.message  # the teacher too


def test_the_lms_roster_enrols_who_never_posted_and_their_zero_goes_to_the_gradebook(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    cara = PlatformPerson("cara-sub", "Cara Mendes", "cara@example.edu", LEARNER, "Cara", "Mendes")
    platform.members["course-1"].append(cara)  # enrolled, never posted
    dan = Person(course_id=course.course_id, key="dan", display_name="Dan Ruiz", email="dan@example.edu", enrolled=True)
    session.add(dan)  # enrolled by an earlier roster, but no longer in the LMS course
    session.commit()
    assert _fetch_roster(client, course.course_id, session).status == "done"
    session.expire_all()
    people = {p.display_name: p for p in session.scalars(select(Person).where(Person.course_id == course.course_id))}
    assert {name for name, person in people.items() if person.enrolled} == {"Ada Lovelace", "Ben Okafor", "Cara Mendes"}
    assert people["Cara Mendes"].email == "cara@example.edu"
    client.post(f"/topics/{course.id}/passback/settings", data={"automatic": "0", "provisional": "hold"})
    sent = _send(client, course, session)
    assert "Sent 2 grades" in sent.message and "1 provisional held back" in sent.message  # Ada's 40 and Cara's 0
    [item] = platform.lineitems["course-1"]
    cara_score = platform.scores[item["id"]]["cara-sub"]
    assert (cara_score["scoreGiven"], cara_score["scoreMaximum"]) == (0.0, 100)
    assert cara_score["comment"] == "We found no post from you in this discussion."
    course.absent_grade = "blank"  # the instructor leaves them blank (the settings page)
    session.commit()
    again = _send(client, course, session)
    assert "Sent 0 grades" in again.message  # nothing more to send: the gradebook keeps Cara's as it is


def test_a_grade_sync_sends_every_students_score_and_is_idempotent(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    _fetch_roster(client, course.course_id, session)
    client.post(f"/topics/{course.id}/passback/settings", data={"automatic": "0", "provisional": "pending"})
    first = _send(client, course, session)
    assert "Sent 2 grades" in first.message
    [item] = platform.lineitems["course-1"]
    assert item["resourceId"] == f"forumgrader-topic-{course.id}" and item["scoreMaximum"] == 100
    scores = platform.scores[item["id"]]
    assert {user: (s["scoreGiven"], s["gradingProgress"]) for user, s in scores.items()} == {
        "student-sub": (40.0, "FullyGraded"),
        "ben-sub": (75.0, "PendingManual"),
    }
    assert scores["ben-sub"]["comment"] == "Ben Okafor: cite two sources."
    state = {user: (s["scoreGiven"], s["comment"]) for user, s in scores.items()}
    posts = platform.score_posts
    second = _send(client, course, session)
    assert "Sent 0 grades; 2 unchanged" in second.message
    assert platform.score_posts == posts  # nothing changed: nothing sent
    _send(client, course, session, force="1")
    assert platform.score_posts == posts + 2  # sent again, with later timestamps the platform accepts
    assert len(platform.lineitems["course-1"]) == 1  # still one line item per topic
    assert {user: (s["scoreGiven"], s["comment"]) for user, s in platform.scores[item["id"]].items()} == state


def test_provisional_grades_are_held_back_by_default(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    _fetch_roster(client, course.course_id, session)
    job = _send(client, course, session)
    assert "1 provisional held back" in job.message
    [item] = platform.lineitems["course-1"]
    assert set(platform.scores[item["id"]]) == {"student-sub"}


def test_grades_made_with_a_rubric_file_go_to_the_gradebook(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic, tmp_path: Path
) -> None:
    rubric_file = tmp_path / "week-3.toml"  # declares the name "graduate-discussion": its grades are kept under it
    rubric_file.write_text((resources.files("forumgrader") / "rubrics" / "graduate-discussion.toml").read_text())
    course.rubric = str(rubric_file)
    session.commit()
    _fetch_roster(client, course.course_id, session)
    client.post(f"/topics/{course.id}/passback/settings", data={"automatic": "0", "provisional": "pending"})
    assert "Sent 2 grades" in _send(client, course, session).message
    [item] = platform.lineitems["course-1"]
    assert {user: s["scoreGiven"] for user, s in platform.scores[item["id"]].items()} == {
        "student-sub": 40.0,
        "ben-sub": 75.0,
    }  # their grades, not the 0 of students who never posted


def test_grades_go_after_each_grading_when_the_instructor_chooses(
    app: Flask, client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    _fetch_roster(client, course.course_id, session)
    client.post(f"/topics/{course.id}/passback/settings", data={"automatic": "1", "provisional": "pending"})
    with app.app_context():
        grade_topic(session, course.id, topic_rubric(course), now=utcnow())
        session.commit()  # the grading's caller commits; the send follows
    [item] = platform.lineitems["course-1"]
    assert set(platform.scores[item["id"]]) == {"student-sub", "ben-sub"}


def test_a_student_who_is_not_in_the_lms_roster_is_reported(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    job = _send(client, course, session)  # no roster fetched: nobody has an LTI user id yet
    assert "not in the LMS roster" in job.message


def test_deep_linking_places_a_topic_dashboard_with_its_line_item(
    client: FlaskClient, platform: LocalPlatform, session: Session, course: Topic
) -> None:
    response = launch(client, platform, LaunchSpec(TEACHER, message_type="LtiDeepLinkingRequest"))
    assert response.headers["Location"] == "/lti/deep-link"
    page = client.get("/lti/deep-link")
    assert page.status_code == 200 and "Week 3: Inflammation" in page.get_data(as_text=True)
    answer = client.post("/lti/deep-link", data={"place": [f"dashboard:{course.id}", "selfcheck"]})
    assert answer.status_code == 200
    assert f"form-action 'self' {platform.url}" in answer.headers["Content-Security-Policy"]
    body = answer.get_data(as_text=True)
    assert f'action="{platform.url}/deep-link-return"' in body
    token = html.unescape(re.search(r'name="JWT" value="([^"]+)"', body)[1])  # type: ignore[index]
    key = jwt.PyJWK(platform.tool_jwks["keys"][0]).key  # type: ignore[index]
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=platform.url)
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    dashboard, selfcheck = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert dashboard["custom"] == {"view": "dashboard", "topic": str(course.id)}
    assert dashboard["lineItem"]["resourceId"] == f"forumgrader-topic-{course.id}"
    assert selfcheck["custom"] == {"view": "selfcheck"} and "lineItem" not in selfcheck


def test_a_student_cannot_place_content(client: FlaskClient, platform: LocalPlatform, course: Topic) -> None:
    response = launch(client, platform, LaunchSpec(STUDENT, message_type="LtiDeepLinkingRequest"))
    assert response.headers["Location"] == "/lti/deep-link"
    assert client.get("/lti/deep-link").status_code == 403
