"""`forumgrader grade`, `export`, `override` and `rubrics` on the bundled Canvas and Moodle samples."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.store.models import AuditEntry, Grade, Person, Topic

CANVAS = "canvas/psychotherapy-biological-basis.view.json"
MOODLE = "moodle/discussion.csv"
NOW = "2024-06-10T12:00:00Z"  # after both Canvas due dates (30 May and 3 June 2024)


def run(app: Flask, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def canvas_topic(app: Flask, samples: Path, session: Session) -> int:
    result = run(app, "import", samples / CANVAS)
    assert result.exit_code == 0, result.output
    return session.scalars(select(Topic.id)).one()


def test_grade_prints_a_table_and_keeps_the_grades(app: Flask, canvas_topic: int, session: Session) -> None:
    result = run(app, "grade", canvas_topic, "--now", NOW)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Psychotherapy Biological Basis: Graduate discussion rubric (graduate-discussion), 100 points; "
        "initial post due Thu 30 May 2024 05:59 UTC; replies due Mon 03 Jun 2024 05:59 UTC"
    )
    assert re.match(r"\s+Danielle Okafor\s+56/100\s+final", lines[1])
    assert lines[-1] == "4 students graded; `--json` shows every criterion and its reasons."
    assert "have not been checked against Crossref yet" in result.stderr
    assert len(session.scalars(select(Grade)).all()) == 4


def test_grade_json_and_csv(app: Flask, canvas_topic: int) -> None:
    data = json.loads(run(app, "grade", canvas_topic, "--now", NOW, "--json").stdout)
    assert (data["rubric"], data["possible"], data["now"]) == ("graduate-discussion", 100, "2024-06-10T12:00:00+00:00")
    danielle = data["students"][0]
    assert (danielle["display_name"], danielle["lms_user_id"], danielle["total"]) == ("Danielle Okafor", "20931", 56)
    assert [c["criterion"] for c in danielle["criteria"]][:3] == ["main-posting", "main-writing", "main-timeliness"]
    assert danielle["criteria"][0]["reason"].endswith("): Outstanding, 45/45")
    table = list(csv.DictReader(io.StringIO(run(app, "grade", canvas_topic, "--now", NOW, "--csv").stdout)))
    assert [(row["student"], row["total"], row["main-posting"]) for row in table][:2] == [
        ("Danielle Okafor", "56", "45"),
        ("Marcus Bennett", "19", "0"),
    ]
    assert run(app, "grade", canvas_topic, "--json", "--csv").exit_code == 2


def test_grade_with_other_rubrics_by_name_or_file(app: Flask, canvas_topic: int, tmp_path: Path) -> None:
    result = run(app, "grade", canvas_topic, "--now", NOW, "--rubric", "engagement-points", "--json")
    totals = {s["display_name"]: s["total"] for s in json.loads(result.stdout)["students"]}
    # Danielle: her post (40) and three replies received (30); Priya also answers the deleted post's thread.
    assert totals == {"Danielle Okafor": 70, "Marcus Bennett": 20, "Priya Raman": 40, "Tyler Hughes": 20}
    broken = tmp_path / "mine.toml"
    broken.write_text('[[criteria]]\nid = "x"\nname = "X"\napplies_to = "main_post"\n[[criteria.levels]]\n'
                      'name = "A"\npoints = "ten"\n')  # fmt: skip
    result = run(app, "grade", canvas_topic, "--rubric", broken)
    assert result.exit_code == 1
    assert (
        f'{broken}: criterion "x", key "levels[1].points": expected a number or [min, max], got "ten"' in result.stderr
    )
    assert "Traceback" not in result.output


def test_an_unknown_topic_or_rubric(app: Flask, canvas_topic: int) -> None:
    result = run(app, "grade", 999)
    assert (result.exit_code, "there is no topic 999" in result.stderr) == (1, True)
    result = run(app, "grade", canvas_topic, "--rubric", "nonesuch")
    assert result.exit_code == 1 and "shipped: canvas-discussion-60, engagement-points" in result.stderr


def test_export_to_canvas_uses_the_topics_assignment(app: Flask, canvas_topic: int, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    result = run(app, "export", canvas_topic, "--to", "canvas", "--now", NOW, "-o", out)
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,Psychotherapy Biological Basis (48213)"
    assert lines[1] == "    Points Possible,,,,,100.00"
    assert lines[2] == "Danielle Okafor,20931,,,,56.00"
    other = run(app, "export", canvas_topic, "--to", "canvas", "--now", NOW, "--assignment-id", "777", "--item", "W3")
    assert other.stdout.splitlines()[0].endswith(",W3 (777)")


def test_export_refuses_what_the_gradebook_would_get_wrong(app: Flask, canvas_topic: int, session: Session) -> None:
    topic = session.get(Topic, canvas_topic)
    topic.lms_assignment_id = ""
    session.commit()
    result = run(app, "export", canvas_topic, "--to", "canvas")
    assert result.exit_code == 1 and "--assignment-id" in result.stderr and not result.stdout
    moodle = run(app, "export", canvas_topic, "--to", "moodle")
    assert moodle.exit_code == 1 and "no email address for Moodle to match on" in moodle.stderr
    for number, person in enumerate(session.scalars(select(Person).order_by(Person.id)), 1):
        person.email, person.sis_user_id, person.login_id = f"s{number}@example.edu", f"S{number}", f"s{number}"
    session.commit()
    moodle = run(app, "export", canvas_topic, "--to", "moodle", "--item", "Forum: Week 3 (Real)", "--now", NOW)
    assert moodle.stdout.splitlines()[0] == "Email address,Forum: Week 3 (Real),Feedback: Forum: Week 3 (Real)"
    d2l = run(app, "export", canvas_topic, "--to", "d2l", "--now", NOW)
    assert d2l.stdout.splitlines()[:2] == [
        "OrgDefinedId,Username,Psychotherapy Biological Basis Points Grade,End-of-Line Indicator",
        "S1,s1,56.00,#",
    ]


def test_override_is_kept_and_audited(app: Flask, canvas_topic: int, session: Session) -> None:
    result = run(app, "override", canvas_topic, "Priya", "first-response", "8.5", "--reason", "thoughtful synthesis",
                 "--now", NOW)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Priya Raman: First response 8.5/9; total")
    data = json.loads(run(app, "grade", canvas_topic, "--now", NOW, "--json").stdout)
    priya = next(s for s in data["students"] if s["display_name"] == "Priya Raman")
    first = next(c for c in priya["criteria"] if c["criterion"] == "first-response")
    assert (first["points"], first["overridden"]) == (8.5, True)
    assert session.scalars(select(AuditEntry.note)).all() == ["thoughtful synthesis"]
    priya_id = session.scalars(select(Person.id).where(Person.display_name == "Priya Raman")).one()
    cleared = run(app, "override", canvas_topic, priya_id, "first-response", "--clear", "--now", NOW)
    assert cleared.exit_code == 0 and "First response 9/9" in cleared.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Priya Raman", "first-response", "12", "--reason", "x"], "'first-response' takes up to 9 points, not 12"),
        (["Priya Raman", "style", "1", "--reason", "x"], "has no criterion 'style'"),
        (["Priya Raman", "first-response", "5"], "give the reason"),
        (["Nobody Here", "first-response", "5", "--reason", "x"], "nobody in this course matches 'Nobody Here'"),
        (["Priya Raman", "first-response", "--clear"], "has no override for 'first-response'"),
    ],
)
def test_override_mistakes(app: Flask, canvas_topic: int, args: list[str], message: str) -> None:
    result = run(app, "override", canvas_topic, *args)
    assert result.exit_code == 1 and message in result.stderr, result.output


def test_moodle_forum_grades(app: Flask, samples: Path) -> None:
    assert run(app, "import", samples / MOODLE).exit_code == 0
    data = json.loads(run(app, "grade", 1, "--now", NOW, "--json", "--rubric", "canvas-discussion-60").stdout)
    by_name = {s["display_name"]: s for s in data["students"]}
    assert set(by_name) == {"Hannah Whitfield", "Omar Haddad"}  # the teacher is not graded
    omar = {c["criterion"]: c for c in by_name["Omar Haddad"]["criteria"]}
    assert omar["content"]["level"] == "Needs improvement"  # the encyclopedia text cites nothing
    assert omar["engagement"]["points"] > 0  # he answered Hannah


def test_export_a_moodle_forum_by_moodle_user_id(app: Flask, samples: Path, session: Session) -> None:
    assert run(app, "import", samples / MOODLE).exit_code == 0
    course_id = session.scalars(select(Topic.course_id)).one()
    session.add(Person(course_id=course_id, key="99", display_name="Quiet Student", lms_user_id="99"))
    session.commit()
    refused = run(app, "export", 1, "--to", "moodle", "--now", NOW)
    assert refused.exit_code == 1
    assert "export with --match-by userid: every student has a Moodle user id" in refused.stderr
    result = run(app, "export", 1, "--to", "moodle", "--match-by", "userid", "--item", "Week 3", "--now", NOW)
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0] == ["User id", "Week 3", "Feedback: Week 3"]
    assert [row[0] for row in table[1:]] == ["57", "63"]  # Hannah and Omar; the teacher is not graded
    assert (
        "note: 1 student of the course wrote nothing in this topic and is not in the file, so the gradebook keeps "
        "what it has for them: Quiet Student"
    ) in result.stderr


def test_rubrics_commands(app: Flask, tmp_path: Path) -> None:
    listed = run(app, "rubrics", "list").stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["canvas-discussion-60", "engagement-points", "graduate-discussion"]
    assert "sources_recent (post; years = 5)" in run(app, "rubrics", "measures").stdout
    csv_file, toml_file = tmp_path / "rubric.csv", tmp_path / "back.toml"
    assert run(app, "rubrics", "to-canvas", "canvas-discussion-60", "-o", csv_file).exit_code == 0
    assert csv_file.read_text().startswith("Rubric Name,Criteria Name,Criteria Description,Criteria Enable Range,")
    result = run(app, "rubrics", "from-canvas", csv_file, "-o", toml_file)
    assert result.exit_code == 0, result.output
    checked = run(app, "rubrics", "check", toml_file)  # from Canvas: every criterion manual, never not assessed
    assert checked.stdout == f"{toml_file}: ok: Discussion board rubric (60 points), 5 criteria, 60 points\n"
    shipped = run(app, "rubrics", "check", Path(__file__).parents[2] / "rubrics" / "canvas-discussion-60.toml")
    assert shipped.stdout.splitlines()[1:] == [
        "  Timeliness: Not assessed when no due date is set: 0 points (until you set the due date or override it).",
        "  Spelling, grammar, mechanics and APA: Not assessed when nothing is cited: 0 points.",
        "  Citation integrity: Not assessed when there are no references: 0 points.",
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_file.read_text().replace("applies_to", "applies-to", 1))
    failed = run(app, "rubrics", "check", toml_file, bad)
    assert failed.exit_code == 1
    assert f'{bad}: criterion "content-and-comprehension", key "applies-to": unknown key (did you mean ' \
           '"applies_to"?)' in failed.stderr  # fmt: skip


def test_grade_uses_the_rubric_chosen_for_the_topic_unless_told_otherwise(
    app: Flask, canvas_topic: int, session: Session
) -> None:
    topic = session.get(Topic, canvas_topic)
    assert topic is not None
    topic.rubric = "canvas-discussion-60"  # as the topic page's rubric choice stores it
    session.commit()
    chosen = json.loads(run(app, "grade", canvas_topic, "--now", NOW, "--json").stdout)
    assert (chosen["rubric"], chosen["possible"]) == ("canvas-discussion-60", 60)
    told = json.loads(run(app, "grade", canvas_topic, "--now", NOW, "--json", "--rubric", "engagement-points").stdout)
    assert told["rubric"] == "engagement-points"
