"""Rosters: the class list an LMS exports (Canvas gradebook, Moodle participants or grades, D2L grades or classlist).

Each reader turns the LMS's own file (CSV, or an .xlsx workbook) into frozen RosterMember values carrying the ids
that LMS's gradebook matches grades on, and the grade columns the file names. Errors name the line and the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from forumgrader.discussions.fields import MAX_ID_LENGTH, table_records
from forumgrader.discussions.model import ExportError, Role


class RosterLms(StrEnum):
    CANVAS = "canvas"
    MOODLE = "moodle"
    D2L = "d2l"


@dataclass(frozen=True, slots=True)
class RosterMember:
    """One enrolled person, with every id their LMS's gradebook may match on."""

    name: str  # "Ada Lovelace"
    sortable_name: str = ""  # "Lovelace, Ada"
    lms_user_id: str = ""  # Canvas: ID (the user id a Canvas discussion names authors by)
    sis_user_id: str = ""  # Canvas: SIS User ID; Moodle: ID number; D2L: OrgDefinedId
    login_id: str = ""  # Canvas: SIS Login ID; Moodle: Username; D2L: Username
    email: str = ""
    section: str = ""
    role: Role = Role.STUDENT
    line: int = 0  # where the file lists them

    def ids(self) -> tuple[str, ...]:
        """Return the ids that identify this member in their LMS, in the order gradebooks prefer them."""
        return tuple(found for found in (self.lms_user_id, self.sis_user_id, self.login_id, self.email) if found)


@dataclass(frozen=True, slots=True)
class GradeColumn:
    """A grade item the gradebook file lists: its name, Canvas's assignment id, its points."""

    title: str
    assignment_id: str = ""
    points_possible: float | None = None


@dataclass(frozen=True, slots=True)
class Roster:
    """One roster file, read."""

    lms: RosterLms
    kind: str  # what the file is, for people: "Canvas gradebook export"
    members: tuple[RosterMember, ...]
    columns: tuple[GradeColumn, ...] = ()
    warnings: tuple[str, ...] = ()


Cells = dict[str, str]


def _key(header: str) -> str:
    return re.sub(r"[\s_-]+", "", header).casefold()


def _cell(record: Cells, *names: str) -> str:
    """The first non-empty cell among columns named (ignoring case, spaces, - and _) any of `names`."""
    wanted = {_key(name) for name in names}
    for header, value in record.items():
        if _key(header) in wanted and value.strip():
            return value.strip()
    return ""


def _has(header: list[str], *names: str) -> bool:
    present = {_key(name) for name in header}
    return any(_key(name) in present for name in names)


def plain_name(name: str) -> str:
    """Fold a name for matching: case, accents, punctuation and spacing do not count ("O'Neil, Zoë" ~ "oneil zoe")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", "", letters).split())


def _id(value: str, line: int, field: str) -> str:
    found = value.strip().lstrip("#")  # D2L writes ids as "#1234" so spreadsheets keep their zeros
    if len(found) > MAX_ID_LENGTH:
        raise ExportError(f"an id of {len(found)} characters is not an id", line=line, field=field)
    return found


def _unquote_formula(name: str) -> str:
    """Canvas writes a name starting with "=" as ="..." so spreadsheets do not run it."""
    found = re.fullmatch(r'="(.*)"', name.strip())
    return found[1] if found else name.strip()


# --- Canvas: the gradebook export (Grades > Export > Export Entire Gradebook) ---------------------------------------

_CANVAS_ASSIGNMENT = re.compile(r"\A(.+)\s\((\d+)\)\Z")
_CANVAS_TEST_STUDENT = "student, test"  # Canvas's Student View user, listed last


def _canvas(header: list[str], records: Iterator[tuple[int, Cells]]) -> Roster:
    if not _has(header, "Student", "LastName"):
        raise ExportError("a Canvas gradebook export starts with the column Student", line=1, field="Student")
    columns = [(name, _CANVAS_ASSIGNMENT.match(name)) for name in header]
    assignments = {name: found for name, found in columns if found and name not in ("ID",)}
    points: dict[str, float | None] = {}
    members = []
    for line, record in records:
        student = _unquote_formula(_cell(record, "Student"))
        if not student and _cell(record, "LastName"):
            student = f"{_unquote_formula(_cell(record, 'LastName'))}, {_unquote_formula(_cell(record, 'FirstName'))}"
        if student.strip().casefold() == "points possible":
            points = {name: _number(record.get(name, "")) for name in assignments}
            continue
        if not student and not _cell(record, "ID"):  # the "Manual Posting" row under the header
            continue
        if student.casefold() == _CANVAS_TEST_STUDENT:
            continue
        user_id = _cell(record, "ID")
        if not user_id.isdigit():
            raise ExportError(f"the Canvas user id is a number, not {user_id!r}", line=line, field="ID")
        family, _, given = student.partition(", ")
        members.append(
            RosterMember(
                name=f"{given} {family}".strip() if given else student,
                sortable_name=student,
                lms_user_id=user_id,
                sis_user_id=_id(_cell(record, "SIS User ID"), line, "SIS User ID"),
                login_id=_id(_cell(record, "SIS Login ID"), line, "SIS Login ID"),
                section=_cell(record, "Section"),
                line=line,
            )
        )
    found = tuple(
        GradeColumn(title=match[1], assignment_id=match[2], points_possible=points.get(name))
        for name, match in assignments.items()
    )
    return Roster(RosterLms.CANVAS, "Canvas gradebook export", tuple(members), found)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where an LMS's class list keeps each field, by the headers it may use."""

    given: str
    family: tuple[str, ...]
    sis: str  # the id its gradebook calls the student number
    email: tuple[str, ...]
    section: tuple[str, ...]
    login: str = "Username"
    role: tuple[str, ...] = ("Roles", "Role")


_MOODLE_COLUMNS = _Columns("First name", ("Last name", "Surname"), "ID number", ("Email address", "Email"),
                           ("Groups", "Group"))  # fmt: skip
_D2L_COLUMNS = _Columns("First Name", ("Last Name",), "OrgDefinedId", ("Email",), ("Section", "Sections"))
_TEACHING_ASSISTANT = re.compile(r"non-editing|\bta\b|teaching assistant", re.IGNORECASE)


def _role(roles: str) -> Role:
    """A class list's role column ("Student", "Learner", "Teacher", "Non-editing teacher"): students by default."""
    found = roles.casefold()
    if not found or "student" in found or "learner" in found:
        return Role.STUDENT
    return Role.TA if _TEACHING_ASSISTANT.search(found) else Role.INSTRUCTOR


def _member(record: Cells, line: int, columns: _Columns) -> RosterMember:
    given, family = _cell(record, columns.given), _cell(record, *columns.family)
    return RosterMember(
        name=f"{given} {family}".strip(),
        sortable_name=f"{family}, {given}" if family and given else family or given,
        sis_user_id=_id(_cell(record, columns.sis), line, columns.sis),
        login_id=_id(_cell(record, columns.login), line, columns.login),
        email=_cell(record, *columns.email),
        section=_cell(record, *columns.section),
        role=_role(_cell(record, *columns.role)),
        line=line,
    )


# --- Moodle: Participants > Download table data, or the grader report's export -------------------------------------

_MOODLE_ITEM = re.compile(r"\A(?:[^:]+):\s(.+?)\s\((?:Real|Percentage|Letter)\)\Z")


def _moodle(header: list[str], records: Iterator[tuple[int, Cells]]) -> Roster:
    if not _has(header, "First name") or not _has(header, "Last name", "Surname"):
        raise ExportError("a Moodle participants or grades file has First name and Last name columns", line=1,
                          field="First name")  # fmt: skip
    items = [found[1] for name in header if (found := _MOODLE_ITEM.match(name)) and not name.startswith("Course total")]
    members = [_member(record, line, _MOODLE_COLUMNS) for line, record in records]
    kind = (
        "Moodle grades export" if items or _has(header, "Last downloaded from this course") else "Moodle participants"
    )
    return Roster(RosterLms.MOODLE, kind, tuple(members), tuple(GradeColumn(title) for title in items))


# --- D2L Brightspace: Grades > Export (key field Both), or a classlist export ---------------------------------------

_D2L_ITEM = re.compile(r"\A(.+?) (?:Points|Weighted) Grade(?: <Numeric MaxPoints:([\d.]+)[^>]*>)?\Z")


def _d2l(header: list[str], records: Iterator[tuple[int, Cells]]) -> Roster:
    if not _has(header, "OrgDefinedId", "Username"):
        raise ExportError("a D2L grades export has the column OrgDefinedId or Username: export with key field Both",
                          line=1, field="OrgDefinedId")  # fmt: skip
    columns = tuple(
        GradeColumn(found[1], points_possible=float(found[2]) if found[2] else None)
        for name in header
        if (found := _D2L_ITEM.match(name))
    )
    members = [_member(record, line, _D2L_COLUMNS) for line, record in records]
    kind = "D2L grades export" if columns or _has(header, "End-of-Line Indicator") else "D2L classlist"
    return Roster(RosterLms.D2L, kind, tuple(members), columns)


# Which reader a header calls for, most telling first.
READERS: dict[RosterLms, tuple[Callable[[list[str]], bool], Callable[..., Roster]]] = {
    RosterLms.CANVAS: (lambda header: _has(header, "SIS Login ID") and _has(header, "ID"), _canvas),
    RosterLms.D2L: (lambda header: _has(header, "OrgDefinedId", "End-of-Line Indicator"), _d2l),
    RosterLms.MOODLE: (lambda header: _has(header, "Email address", "First name"), _moodle),
}


def read_roster(data: bytes, *, filename: str = "roster.csv", lms: str | None = None) -> Roster:
    """Read a roster or gradebook file (CSV or .xlsx), telling its LMS from its columns unless `lms` names it."""
    header, records = table_records(data)
    chosen = RosterLms(lms) if lms else next((name for name, (fits, _) in READERS.items() if fits(header)), None)
    if chosen is None:
        raise ExportError(
            f"the columns of {filename} ({', '.join(header[:6])}...) are not a roster we know: export the Canvas "
            "gradebook, Moodle's participants or grades, or D2L's grades with key field Both",
            line=1,
        )
    roster = READERS[chosen][1](header, records)
    students = [member for member in roster.members if member.role is Role.STUDENT]
    if not students:
        raise ExportError(f"{filename} lists no students: export the roster again with the students in it")
    _no_repeats(students)
    for member in students:
        if not member.name and not member.ids():
            raise ExportError("this row names nobody: no name and no id", line=member.line)
    return roster


def _no_repeats(members: list[RosterMember]) -> None:
    """Refuse a file that lists one id on two lines: grades would go to one of them at random."""
    seen: dict[tuple[str, str], int] = {}
    for member in members:
        for field, value in (("ID", member.lms_user_id), ("ID number", member.sis_user_id),
                             ("Username", member.login_id), ("Email", member.email.casefold())):  # fmt: skip
            if value:
                first = seen.setdefault((field, value), member.line)
                if first != member.line:
                    raise ExportError(
                        f"{value} is listed twice (first at line {first}): keep one row", line=member.line, field=field
                    )
