"""The roster page (the LMS's own class list, then grade files for every LMS whose ids are known, non-participants
in them), a topic's settings page, its rubric page, and a Moodle forum imported on the web."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.models import AuditEntry, Person, Topic

from .conftest import World
from .sample_course import Sample, import_sample
from .test_instructor import Client, text_of

pytestmark = pytest.mark.local_crossref

# The Canvas gradebook export of the sample's course: its four posters, and Zoe, who never posted
GRADEBOOK = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Week 3 Discussion: Psychotherapy Biological Basis (48213)\n"
    "    Points Possible,,,,,100.00\n"
    '"Bennett, Marcus",20940,S0940,mbennett,01,\n'
    '"Hughes, Tyler",20968,S0968,thughes,01,\n'
    '"Okafor, Danielle",20931,S0931,dokafor,01,\n'
    '"Park, Zoe",20977,S0977,zpark,01,\n'
    '"Raman, Priya",20957,S0957,praman,01,\n'
)


@pytest.fixture
def sample(app: Flask, session: Session, world: World, samples: Path) -> Sample:
    return import_sample(app, session, world, samples)


def upload(client, course_id: int, data: str, name: str = "grades.csv"):  # type: ignore[no-untyped-def]
    return client.post(f"/courses/{course_id}/roster", data={"roster": (io.BytesIO(data.encode()), name)},
                       content_type="multipart/form-data")  # fmt: skip


def test_without_a_roster_the_page_offers_only_the_files_the_ids_allow_and_says_how_to_get_the_others(
    client_as: Client, sample: Sample
) -> None:
    page = text_of(client_as("instructor").get(f"/topics/{sample.topic}"))
    assert "Download the Canvas file" in page and "Download the Moodle file" not in page
    assert (
        "No Moodle file yet: Moodle matches students by email address or ID number, and 4 of 4 students have "
        "neither. The course's Moodle roster holds those ids: upload it on the roster page"
    ) in page
    assert "Students who never posted are not in the files" in page


def test_a_canvas_gradebook_roster_fills_ids_and_puts_who_never_posted_in_every_file(
    client_as: Client, sample: Sample, world: World, session: Session
) -> None:
    client = client_as("instructor")
    response = upload(client, world.course_a, GRADEBOOK)
    assert response.status_code == 302
    page = text_of(client.get(f"/courses/{world.course_a}/roster"))
    assert ("Read 5 students from the Canvas roster: 4 matched to the people who posted, 1 enrolled student who "
            "never posted added.") in page  # fmt: skip
    assert "Psychotherapy Biological Basis : Zoe Park (0 points in its grade files)." in page
    # the SIS ids the roster brought make the D2L and Moodle (ID number) files possible
    dashboard = text_of(client.get(f"/topics/{sample.topic}"))
    assert "Download the D2L file" in dashboard and "Download the Moodle file" in dashboard
    assert "1 enrolled student wrote nothing in this topic: 0 points in the files" in dashboard
    d2l = client.get(f"/topics/{sample.topic}/export?lms=d2l&item=Week+3")
    assert d2l.status_code == 200, text_of(d2l)
    rows = list(csv.reader(io.StringIO(d2l.get_data(as_text=True))))
    assert rows[0] == ["OrgDefinedId", "Username", "Week 3 Points Grade", "End-of-Line Indicator"]
    assert ["S0977", "zpark", "0.00", "#"] in rows  # Zoe, who never posted
    moodle = client.get(f"/topics/{sample.topic}/export?lms=moodle&item=Week+3&match_by=idnumber")
    zoe = next(row for row in csv.reader(io.StringIO(moodle.get_data(as_text=True))) if row[0] == "S0977")
    assert zoe == ["S0977", "0.00", "We found no post from you in this discussion."]
    # the same file again changes nothing
    again = upload(client, world.course_a, GRADEBOOK)
    assert "was imported already" in text_of(client.get(again.headers["Location"]))
    assert len(session.scalars(select(Person).where(Person.display_name == "Zoe Park")).all()) == 1


def test_a_roster_with_a_problem_changes_nothing_and_names_the_line_and_column(
    client_as: Client, sample: Sample, world: World, session: Session
) -> None:
    broken = GRADEBOOK.replace("20977", "Zoe")
    response = upload(client_as("instructor"), world.course_a, broken)
    assert response.status_code == 400
    assert "Nothing was changed. The problem is at line 6, column “ID”: the Canvas user id is a number" in (
        text_of(response)
    )
    assert session.scalars(select(Person).where(Person.enrolled.is_(True))).all() == []
    assert client_as("ta").get(f"/courses/{world.course_a}/roster").status_code == 403


def test_the_settings_page_sets_due_dates_in_the_topic_s_time_zone_audits_and_regrades(
    client_as: Client, world: World, session: Session
) -> None:
    client = client_as("instructor")
    form = client.get(f"/topics/{world.topic_a}/settings")
    assert form.status_code == 200 and "Due dates, in UTC" in text_of(form)
    response = client.post(f"/topics/{world.topic_a}/settings", data={
        "title": "Week 1: Memory and sleep", "due_initial_at": "2025-02-05T23:59", "due_replies_at": "2025-02-09T23:59",
        "timezone": "America/Denver", "points_possible": "10", "rubric": "", "lms_assignment_id": "5521",
        "grade_item": "Discussion 1", "absent_grade": "blank",
    })  # fmt: skip
    assert response.status_code == 302, text_of(response)
    session.expire_all()
    topic = session.get_one(Topic, world.topic_a)
    # 23:59 in Denver (UTC-7 in February) is 06:59 UTC the next day
    assert topic.due_initial_at == datetime(2025, 2, 6, 6, 59, tzinfo=UTC)
    assert (topic.timezone, topic.lms_assignment_id, topic.grade_item, topic.absent_grade) == (
        "America/Denver",
        "5521",
        "Discussion 1",
        "blank",
    )
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "topic.settings")).one()
    assert set(audit.details) >= {"due_initial_at", "timezone", "absent_grade"} and audit.actor == "Instructor"
    assert "students were graded again" in text_of(client.get(response.headers["Location"]))
    # the page shows the dates as they were typed, in the topic's zone, so saving it again changes nothing
    page = client.get(f"/topics/{world.topic_a}/settings").get_data(as_text=True)
    assert 'value="2025-02-05T23:59"' in page and 'value="2025-02-09T23:59"' in page
    again = client.post(f"/topics/{world.topic_a}/settings", data={
        "title": "Week 1: Memory and sleep", "due_initial_at": "2025-02-05T23:59", "due_replies_at": "2025-02-09T23:59",
        "timezone": "America/Denver", "points_possible": "10", "rubric": "", "lms_assignment_id": "5521",
        "grade_item": "Discussion 1", "absent_grade": "blank",
    })  # fmt: skip
    assert "Nothing changed." in text_of(client.get(again.headers["Location"]))
    refused = client.post(f"/topics/{world.topic_a}/settings", data={
        "title": "Week 1", "due_initial_at": "2025-02-09T23:59", "due_replies_at": "2025-02-05T23:59",
        "timezone": "Mars/Olympus", "lms_assignment_id": "abc", "absent_grade": "zero",
    })  # fmt: skip
    assert refused.status_code == 400
    said = text_of(refused)
    assert "“Mars/Olympus” is not a time zone name like America/Denver." in said
    assert "The Canvas assignment id is the number at the end of its address." in said
    assert client_as("ta").get(f"/topics/{world.topic_a}/settings").status_code == 403


def test_the_rubric_page_reads_like_the_lms_rubric_with_each_rule_in_words(client_as: Client, world: World) -> None:
    page = text_of(client_as("ta").get(f"/topics/{world.topic_a}/rubric"))
    assert "Graduate discussion rubric" in page and "Total points 100" in page
    assert "Main posting" in page and "45 pts Outstanding" in page and "30 to >0 pts Poor" in page
    assert "Given for: at least 3 credible sources and at least 3 credible sources from the last 5 years and at " \
           "least 300 words." in page  # fmt: skip
    assert "Not assessed when nothing is cited: 0 points." in page
    assert "Not assessed when no due date is set: 0 points (until you set the due date or override it)." in page
    assert "[[" not in page and "when =" not in page and "sources_credible" not in page
    other = text_of(client_as("instructor").get(f"/topics/{world.topic_a}/rubric?rubric=engagement-points"))
    assert "40 points for each post of at least 40 words" in other and "Not this topic's rubric" in other


def test_a_moodle_forum_imported_on_the_web_is_not_named_after_its_file(
    client_as: Client, world: World, session: Session, samples: Path
) -> None:
    client = client_as("instructor")
    data = (samples / "moodle" / "discussion.csv").read_bytes()
    form = {"export": (io.BytesIO(data), "discussion.csv"), "timezone": "UTC", "rubric": "", "format": ""}
    response = client.post(f"/courses/{world.course_a}/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    topic = session.scalars(select(Topic).where(Topic.course_id == world.course_a).order_by(Topic.id.desc())).first()
    assert topic is not None and topic.title.startswith("Forum imported on ")
    flashed = text_of(client.get(response.headers["Location"]))
    assert "has no due date for its main post in the export: set the due dates in the topic's settings" in flashed
    named = client.post(f"/courses/{world.course_a}/import", data={"export": (io.BytesIO(data), "discussion (1).csv"),
                        "title": "Week 2: Mind, body and psychotherapy", "timezone": "UTC", "rubric": "",
                        "format": ""}, content_type="multipart/form-data")  # fmt: skip
    assert named.status_code == 302  # the same file again: nothing changes, the title stays
