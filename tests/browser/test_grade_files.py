"""In a real browser, on the demo: the instructor downloads each LMS's grade file from its course's topic page, and
each holds every enrolled student, those who never posted at 0, in the layout that LMS's gradebook imports."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.cli.demo import prepare
from forumgrader.store.models import Course, Topic

from .conftest import LiveServer
from .test_sign_in import sign_in

Page = Any
HEADERS = {
    "canvas": [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Week 3: Psychotherapy and the brain (48213)",
    ],
    "moodle": ["Email address", "Week 2: Counting fish", "Feedback: Week 2: Counting fish"],
    "d2l": ["OrgDefinedId", "Username", "Week 5: Designing for coastal hazards Points Grade", "End-of-Line Indicator"],
}
BUTTONS = {"canvas": "Download the Canvas file", "moodle": "Download the Moodle file", "d2l": "Download the D2L file"}


@pytest.fixture
def demo(live_server: LiveServer, live_db: Session, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The demo on the live server's database; returns the instructor's email and password."""
    monkeypatch.setitem(live_server.app.config, "METADATA_SOURCE", "snapshot")
    with live_server.app.app_context():
        logins = prepare(live_server.app, echo=False)
    instructor = next(login for login in logins if login.role == "instructor")
    return {"email": instructor.email, "password": instructor.password}


def test_the_instructor_downloads_each_lms_grade_file_in_the_demo(
    page: Page, demo: dict[str, str], live_db: Session, tmp_path: Path
) -> None:
    sign_in(page, demo["email"], demo["password"])
    for course in live_db.scalars(select(Course).order_by(Course.id)):
        topic = live_db.scalars(select(Topic).where(Topic.course_id == course.id).order_by(Topic.id)).first()
        assert topic is not None
        page.goto(f"/topics/{topic.id}")
        form = page.locator(f"#export-{course.lms}")
        with page.expect_download() as download:
            form.get_by_role("button", name=BUTTONS[course.lms]).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name.endswith(f"-{course.lms}-grades.csv")
        rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
        assert rows[0] == HEADERS[course.lms], course.lms
        students = rows[2:] if course.lms == "canvas" else rows[1:]  # Canvas has its Points Possible row
        assert len(students) == 27, course.lms  # every enrolled student, whoever posted
        scores = [row[5] if course.lms == "canvas" else row[2] if course.lms == "d2l" else row[1] for row in students]
        assert scores.count("0.00") >= 2 and all(score for score in scores)  # those who never posted: 0, not blank
