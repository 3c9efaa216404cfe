"""Grade files the LMS gradebooks import: Canvas gradebook CSV, Moodle grade import CSV, D2L grade import CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class ExportError(ValueError):
    """A grade file we must not write, with what to do instead."""


class MatchBy(StrEnum):
    """Which Moodle user field the import maps the identifier column to."""

    EMAIL = "email"
    IDNUMBER = "idnumber"


@dataclass(frozen=True, slots=True)
class GradeRow:
    """One student's grade with every id an LMS may match it on."""

    name: str
    sortable_name: str = ""
    lms_user_id: str = ""
    sis_user_id: str = ""
    login_id: str = ""
    email: str = ""
    section: str = ""
    points: float | None = None  # None: no grade (an empty cell, which the gradebook leaves alone)
    feedback: str = ""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What a grade file needs beyond the rows."""

    item: str  # the assignment or grade item's name in the LMS
    points_possible: float
    assignment_id: str = ""  # Canvas: the number in the assignment's URL
    match_by: MatchBy = MatchBy.EMAIL


_CANVAS_COLUMN = re.compile(r"\A(.*)\s\((\d+)\)\Z")


def _number(points: float | None) -> str:
    """Two decimals, halves rounded up (7.125 -> 7.13) as gradebooks round, not to even as floats do."""
    if points is None:
        return ""
    return str(Decimal(repr(points)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _write(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _names(rows: Sequence[GradeRow]) -> str:
    shown = ", ".join(row.name or "(no name)" for row in rows[:5])
    return shown + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def canvas_gradebook_csv(rows: Sequence[GradeRow], options: ExportOptions) -> str:
    """Write a Canvas gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, "<Title> (<id>)"."""
    assignment_id = options.assignment_id.strip()
    if not assignment_id:
        raise ExportError(
            "Canvas needs the assignment id, or its importer creates a new assignment column: pass --assignment-id "
            "with the number at the end of the assignment's address (…/assignments/48213)"
        )
    if not assignment_id.isdigit():
        raise ExportError(f"the Canvas assignment id is a number (…/assignments/48213), not {assignment_id!r}")
    title = " ".join(options.item.split()) or "Discussion"
    column = f"{title} ({assignment_id})"
    assert _CANVAS_COLUMN.match(column), column
    lines = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
        ["    Points Possible", "", "", "", "", _number(options.points_possible)],
    ]
    for row in rows:
        lines.append(
            [
                row.sortable_name or row.name,
                row.lms_user_id,
                row.sis_user_id,
                row.login_id,
                row.section,
                _number(row.points),
            ]
        )
    return _write(lines)


def moodle_grades_csv(rows: Sequence[GradeRow], options: ExportOptions) -> str:
    """Write a Moodle grade import: the identifier (email or ID number), the item, and "Feedback: <item>"."""
    by_email = options.match_by is MatchBy.EMAIL
    header, field = ("Email address", "email") if by_email else ("ID number", "sis_user_id")
    lacking = [row for row in rows if not getattr(row, field).strip()]
    if lacking:
        other = "idnumber" if by_email else "email"
        raise ExportError(
            f"{len(lacking)} student(s) have no {header.lower()} for Moodle to match on: {_names(lacking)}; "
            f"export with --match-by {other}, or import the course's participant list first"
        )
    item = options.item.strip()
    if not item:
        raise ExportError("name the Moodle grade item to fill (--item), as it appears in the gradebook")
    lines = [[header, item, f"Feedback: {item}"]]
    lines += [[getattr(row, field).strip(), _number(row.points), row.feedback] for row in rows]
    return _write(lines)


def d2l_grades_csv(rows: Sequence[GradeRow], options: ExportOptions) -> str:
    """Write a D2L Brightspace grade import: OrgDefinedId, Username, "<Item> Points Grade", End-of-Line Indicator."""
    lacking = [row for row in rows if not (row.sis_user_id.strip() or row.login_id.strip())]
    if lacking:
        raise ExportError(
            f"{len(lacking)} student(s) have neither an OrgDefinedId (SIS id) nor a Username for D2L to match on: "
            f"{_names(lacking)}; import the classlist with those columns first"
        )
    item = options.item.strip()
    if not item:
        raise ExportError("name the D2L grade item to fill (--item), as it appears in the gradebook")
    lines = [["OrgDefinedId", "Username", f"{item} Points Grade", "End-of-Line Indicator"]]
    # D2L exports may write ids as "#1234"; the import wants the bare id
    lines += [[row.sis_user_id.strip().lstrip("#"), row.login_id.strip(), _number(row.points), "#"] for row in rows]
    return _write(lines)


EXPORTS: dict[str, Callable[[Sequence[GradeRow], ExportOptions], str]] = {
    "canvas": canvas_gradebook_csv,
    "moodle": moodle_grades_csv,
    "d2l": d2l_grades_csv,
}
