"""`forumgrader roster import|show`, `topic set` and `export` with a roster: the D2L demo course from its own files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.store.models import AuditEntry, Topic

D2L = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "demo" / "d2l"
COURSE = "CIVE 4420"


def run(app: Flask, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def topic(app: Flask, session: Session) -> int:
    result = run(app, "import", D2L / "week5-coastal-hazards.posts.json", "--course", COURSE, "--json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["topic"])


def test_a_d2l_grades_export_brings_the_ids_and_the_students_who_never_posted(app: Flask, topic: int) -> None:
    refused = run(app, "export", topic, "--to", "d2l", "--item", "Week 5")
    assert refused.exit_code == 1
    assert "25 student(s) have neither an OrgDefinedId (SIS user id) nor a Username" in refused.output
    assert "import the course's D2L roster, which holds them (forumgrader roster import FILE --course NAME" in (
        refused.output
    )
    result = run(app, "roster", "import", D2L / "grades-export.csv", "--course", COURSE)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:4] == [
        f"Read 27 students from the D2L Brightspace roster (D2L grades export) into '{COURSE}'.",
        "  matched to people who posted: 25 by name",
        "  enrolled, never posted: 2",
        "  ids filled or changed: 25",
    ]
    again = run(app, "roster", "import", D2L / "grades-export.csv", "--course", COURSE)
    assert "was already imported on" in again.output and "nothing changed" in again.output
    shown = run(app, "roster", "show", "--course", COURSE).output
    assert "Never posted in Week 5: Designing for coastal hazards: Timothy Holzer, Nicole Wheeler" in shown
    exported = run(app, "export", topic, "--to", "d2l", "--item", "Week 5", "--now", "2024-10-20T00:00:00Z")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    assert rows[0] == ["OrgDefinedId", "Username", "Week 5 Points Grade", "End-of-Line Indicator"]
    assert len(rows) == 1 + 27  # every enrolled student, those who never posted among them
    holzer = next(row for row in rows if row[1] == "tholzer")
    assert holzer[2:] == ["0.00", "#"]
    assert "note: 2 enrolled students wrote nothing in this topic: 0 points in the file (Timothy Holzer, " \
           "Nicole Wheeler)" in exported.stderr  # fmt: skip


def test_topic_set_changes_settings_audits_and_regrades(app: Flask, topic: int, session: Session) -> None:
    result = run(app, "topic", "set", topic, "--title", "Week 5: Coastal hazards", "--due-initial",
                 "2024-10-02T23:59", "--timezone", "America/Edmonton", "--absent", "blank")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Changed title, main post due date, time zone, grade of students who never "
                                    "posted of 'Week 5: Coastal hazards'; graded 25 students again.")  # fmt: skip
    found = session.get_one(Topic, topic)
    assert (found.title, found.due_initial_at.isoformat(), found.absent_grade) == (
        "Week 5: Coastal hazards", "2024-10-03T05:59:00+00:00", "blank"
    )  # fmt: skip
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "topic.settings")).one()
    assert run(app, "topic", "set", topic, "--absent", "blank").output == "Nothing changed.\n"
    wrong = run(app, "topic", "set", topic, "--assignment-id", "abc")
    assert wrong.exit_code == 1 and "The Canvas assignment id is the number at the end of its address." in wrong.output
