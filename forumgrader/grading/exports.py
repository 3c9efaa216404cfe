"""Grade files the LMS gradebooks import: Canvas gradebook CSV, Moodle grade import CSV, D2L grade import CSV."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from forumgrader.grading.spreadsheet import Cell, write_csv


class ExportError(ValueError):
    """A grade file we must not write, with what to do instead."""


class MatchBy(StrEnum):
    """Which Moodle user field the import maps the identifier column to."""

    EMAIL = "email"
    IDNUMBER = "idnumber"
    USERID = "userid"  # Moodle's own user id: what a Moodle forum export names its authors by


@dataclass(frozen=True, slots=True)
class _Identifier:
    field: str  # the GradeRow attribute
    name: str  # what people call it
    column: str  # the grade file's column


_MOODLE_IDS = {
    MatchBy.EMAIL: _Identifier("email", "email address", "Email address"),
    MatchBy.IDNUMBER: _Identifier("sis_user_id", "ID number", "ID number"),
    MatchBy.USERID: _Identifier("lms_user_id", "Moodle user id", "User id"),
}


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
    ids_from: str = ""  # the LMS the rows' lms_user_id come from (the course's import: canvas, moodle, csv), if known

    def foreign_ids(self, lms: str) -> bool:
        """Tell whether the rows' LMS user ids are known to belong to another LMS than this file's."""
        return self.ids_from in _LMS_WITH_IDS and self.ids_from != lms


_LMS_WITH_IDS = frozenset({"canvas", "moodle", "d2l"})
ROSTER_ADVICE = (
    "import the course's {lms} roster, which holds them (forumgrader roster import FILE --course NAME, or the "
    "course's roster page)"
)


_CANVAS_COLUMN = re.compile(r"\A(.*)\s\((\d+)\)\Z")


def _number(points: float | None) -> Decimal | None:
    """Two decimals, halves rounded up (7.125 -> 7.13) as gradebooks round, not to even as floats do."""
    if points is None:
        return None
    return Decimal(repr(points)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
    lines: list[list[Cell]] = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
        ["    Points Possible", "", "", "", "", _number(options.points_possible)],
    ]
    # Canvas matches the ID column first: another LMS's user ids would land grades on the wrong students
    own_ids = not options.foreign_ids("canvas")
    for row in rows:
        lines.append(
            [
                row.sortable_name or row.name,
                row.lms_user_id if own_ids else "",
                row.sis_user_id,
                row.login_id,
                row.section,
                _number(row.points),
            ]
        )
    return write_csv(lines)


def moodle_grades_csv(rows: Sequence[GradeRow], options: ExportOptions) -> str:
    """Write a Moodle grade import: the identifier (email, ID number or user id), the item, and "Feedback: <item>"."""
    chosen = _MOODLE_IDS[options.match_by]
    if options.match_by is MatchBy.USERID and options.foreign_ids("moodle"):
        raise ExportError(
            f"these students' user ids come from {options.ids_from.title()}, not Moodle: "
            "match them by --match-by email or --match-by idnumber"
        )
    lacking = [row for row in rows if not getattr(row, chosen.field).strip()]
    if lacking:
        raise ExportError(
            f"{len(lacking)} student(s) have no {chosen.name} for Moodle to match on: {_names(lacking)}; "
            + _moodle_advice(rows, options)
        )
    item = options.item.strip()
    if not item:
        raise ExportError("name the Moodle grade item to fill (--item), as it appears in the gradebook")
    lines: list[list[Cell]] = [[chosen.column, item, f"Feedback: {item}"]]
    lines += [[getattr(row, chosen.field).strip(), _number(row.points), row.feedback] for row in rows]
    return write_csv(lines)


def _moodle_advice(rows: Sequence[GradeRow], options: ExportOptions) -> str:
    """What to do when some students lack the chosen id: another id every student has, else import them again."""
    left_out = []
    for match_by, identifier in _MOODLE_IDS.items():
        # user ids are offered only when they are known to be Moodle's: another LMS's would grade other students
        if match_by is options.match_by or (match_by is MatchBy.USERID and options.ids_from != "moodle"):
            continue
        lacking = sum(1 for row in rows if not getattr(row, identifier.field).strip())
        if not lacking:
            return f"export with --match-by {match_by.value}: every student has {_a(identifier.name)}"
        left_out.append(f"--match-by {match_by.value} would leave out {lacking}")
    return f"no other id covers every student either ({'; '.join(left_out)}): {ROSTER_ADVICE.format(lms='Moodle')}"


def _a(name: str) -> str:
    return ("an " if name[0].lower() in "aeio" else "a ") + name


def d2l_grades_csv(rows: Sequence[GradeRow], options: ExportOptions) -> str:
    """Write a D2L Brightspace grade import: OrgDefinedId, Username, "<Item> Points Grade", End-of-Line Indicator."""
    lacking = [row for row in rows if not (row.sis_user_id.strip() or row.login_id.strip())]
    if lacking:
        raise ExportError(
            f"{len(lacking)} student(s) have neither an OrgDefinedId (SIS user id) nor a Username for D2L to match on: "
            f"{_names(lacking)}; {ROSTER_ADVICE.format(lms='D2L')}"
        )
    item = options.item.strip()
    if not item:
        raise ExportError("name the D2L grade item to fill (--item), as it appears in the gradebook")
    lines: list[list[Cell]] = [["OrgDefinedId", "Username", f"{item} Points Grade", "End-of-Line Indicator"]]
    # D2L exports may write ids as "#1234"; the import wants the bare id
    lines += [[row.sis_user_id.strip().lstrip("#"), row.login_id.strip(), _number(row.points), "#"] for row in rows]
    return write_csv(lines)


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether an LMS's grade file can be written for these students, and if not, why, in one sentence."""

    lms: str
    lacking: int  # students with no id this LMS matches on
    why: str = ""  # "" when every student has one
    match_by: tuple[MatchBy, ...] = ()  # Moodle: the ids every student has

    @property
    def ready(self) -> bool:
        """Tell whether the file can be written."""
        return not self.why


def readiness(lms: str, rows: Sequence[GradeRow], ids_from: str = "") -> Readiness:
    """Tell whether every student has an id the LMS's gradebook matches on: a file for it may be offered."""
    options = ExportOptions(item="", points_possible=0, ids_from=ids_from)
    total = len(rows)
    if lms == "moodle":
        usable = tuple(
            match_by
            for match_by, identifier in _MOODLE_IDS.items()
            if not (match_by is MatchBy.USERID and ids_from != "moodle")
            and all(getattr(row, identifier.field).strip() for row in rows)
        )
        lacking = sum(1 for row in rows if not (row.email.strip() or row.sis_user_id.strip()))
        if usable:
            return Readiness(lms, 0, match_by=usable)
        return Readiness(lms, lacking, f"Moodle matches students by email address or ID number, and {lacking} of "
                                       f"{total} students have neither.")  # fmt: skip
    if lms == "canvas":
        own = not options.foreign_ids("canvas")
        lacking = sum(1 for row in rows if not ((own and row.lms_user_id) or row.sis_user_id or row.login_id))
        why = (f"Canvas matches students by their Canvas user id, SIS user id or login, and {lacking} of {total} "
               "students have none of them.")  # fmt: skip
    else:
        lacking = sum(1 for row in rows if not (row.sis_user_id.strip() or row.login_id.strip()))
        why = f"D2L matches students by their OrgDefinedId or Username, and {lacking} of {total} students have neither."
    return Readiness(lms, lacking, why if lacking else "")


EXPORTS: dict[str, Callable[[Sequence[GradeRow], ExportOptions], str]] = {
    "canvas": canvas_gradebook_csv,
    "moodle": moodle_grades_csv,
    "d2l": d2l_grades_csv,
}
