"""Apply a roster to a course: match its members to the people who wrote, fill the ids gradebooks match on, record
who is enrolled, and add the enrolled students who never posted.

`apply_roster` takes plain RosterMember values, whatever brought them (a roster file, an LTI membership service):
matching goes by the LMS user id, else the email, else an id an earlier roster filled, else the name, and a name
two people share is never guessed. Flush only; the caller commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.discussions.model import Role
from forumgrader.discussions.rosters import GradeColumn, RosterMember, plain_name
from forumgrader.store.models import Course, Person, Post, RosterImport, Topic

STAFF_ROLES = (Role.INSTRUCTOR.value, Role.TA.value)
ROSTER_KEY = "roster:"  # the key of a student the roster added, until an import names them by their LMS user id
# The Person columns a roster fills, and how long each may be
FILLED = (("sis_user_id", 100), ("login_id", 200), ("email", 300), ("section", 200), ("sortable_name", 300))


@dataclass(frozen=True, slots=True)
class RosterResult:
    """What applying a roster found and changed."""

    lms: str
    members: int  # students on the roster
    matched: dict[str, int]  # how many were matched by "user id", "email", "id", "name"
    added: tuple[str, ...]  # enrolled students who never posted in the course (names)
    updated: int  # people whose ids changed
    ambiguous: tuple[str, ...]  # sentences: names that could not be told apart
    not_on_roster: tuple[str, ...]  # people who posted but are not on the roster (names)
    topics_linked: tuple[str, ...] = ()  # topics whose grade column the roster named
    already_imported_at: datetime | None = None
    columns: tuple[dict[str, Any], ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """Return the result as `roster import --json` prints it."""
        return {
            "lms": self.lms,
            "members": self.members,
            "matched": self.matched,
            "added": list(self.added),
            "updated": self.updated,
            "ambiguous": list(self.ambiguous),
            "not_on_roster": list(self.not_on_roster),
            "topics_linked": list(self.topics_linked),
            "already_imported_at": self.already_imported_at.isoformat() if self.already_imported_at else None,
        }


def _fit(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


class _People:
    """The course's people, indexed every way a roster member may be matched."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.all: list[Person] = []
        self.by: dict[str, dict[str, list[Person]]] = {name: defaultdict(list) for name in
                                                       ("user id", "email", "id", "name")}  # fmt: skip
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        """Index one more person (one enrolled after the index was built too)."""
        self.all.append(person)
        for index, value in self._keys(person):
            self.by[index][value].append(person)

    @staticmethod
    def _keys(person: Person) -> Iterable[tuple[str, str]]:
        if person.lms_user_id:
            yield "user id", person.lms_user_id
        if person.email:
            yield "email", person.email.casefold()
        for value in (person.sis_user_id, person.login_id):
            if value:
                yield "id", value.casefold()
        for name in {plain_name(person.display_name), plain_name(_given_first(person.sortable_name))} - {""}:
            yield "name", name

    def candidates(self, member: RosterMember, same_lms: bool) -> tuple[str, list[Person]]:
        """Return how a member is found and who fits: by user id, email, an earlier roster's id, then name."""
        tries = [("user id", member.lms_user_id if same_lms else "")]
        tries += [("email", member.email.casefold()), ("id", member.sis_user_id.casefold()),
                  ("id", member.login_id.casefold()), ("name", plain_name(member.name))]  # fmt: skip
        for index, value in tries:
            found = self.by[index].get(value, []) if value else []
            if found:
                return index, found
        return "", []


def _given_first(sortable: str) -> str:
    family, _, given = sortable.partition(", ")
    return f"{given} {family}" if given else sortable


def apply_roster(
    session: Session,
    course: Course,
    members: Sequence[RosterMember],
    *,
    lms: str,
    file_name: str = "",
    sha256: str = "",
    columns: Sequence[GradeColumn] = (),
) -> RosterResult:
    """Match a roster's students to the course's people, fill their ids and enrolment, add who never posted."""
    latest = latest_roster(session, course.id) if sha256 else None
    if latest is not None and latest.sha256 == sha256:  # the roster in force already: nothing changes
        return _result(latest.counts, latest.created_at)
    people = _People(session.scalars(select(Person).where(Person.course_id == course.id).order_by(Person.id)))
    students = [member for member in members if member.role is Role.STUDENT]
    same_lms = course.lms in ("", lms)
    matched, unmatched, ambiguous = _match(people, students, same_lms)
    updated = sum(_fill(person, member, same_lms) for person, (_how, member) in matched.items())
    added = [_enrol_new(session, course, member, same_lms) for member in unmatched]
    enrolled = set(matched) | set(added)
    posters = set(session.scalars(select(Post.author_id).where(Post.author_id.in_([p.id for p in people.all]))))
    not_on_roster = []
    for person in people.all:
        if person.role in STAFF_ROLES or person in enrolled:
            continue
        person.enrolled = False
        if person.id in posters:
            not_on_roster.append(person.display_name or person.key)
    counts = {
        "lms": lms,
        "members": len(students),
        "matched": dict(sorted(Counter(how for how, _member in matched.values()).items())),
        "added": [member.name for member in unmatched],
        "updated": updated,
        "ambiguous": ambiguous,
        "not_on_roster": sorted(not_on_roster, key=str.casefold),
        "topics_linked": _link_topics(session, course, columns, lms),
    }
    session.add(RosterImport(course_id=course.id, lms=lms, file_name=_fit(file_name, 500), sha256=sha256,
                             columns=[_column_json(column) for column in columns], counts=counts))  # fmt: skip
    session.flush()
    return _result(counts, None)


def enrol_members(
    session: Session,
    course: Course,
    members: Sequence[RosterMember],
    *,
    lms: str,
    known: Sequence[Person | None] = (),
) -> list[Person | None]:
    """Find the person each student member is, as a roster finds them (or the `known` person beside them), fill in
    their ids and enrol them, or enrol a student found nowhere; None for one who could be several people. Unlike
    `apply_roster`, it says nothing of anyone else in the course (an LMS launch names one person). Flush only."""
    people = _People(session.scalars(select(Person).where(Person.course_id == course.id).order_by(Person.id)))
    same_lms = course.lms in ("", lms)
    found_people: list[Person | None] = []
    for index, member in enumerate(members):
        person = known[index] if index < len(known) else None
        if person is None:
            _how, found = people.candidates(member, same_lms)
            found = [candidate for candidate in found if candidate.role not in STAFF_ROLES]
            if len(found) > 1:  # never guessed
                found_people.append(None)
                continue
            person = found[0] if found else None
        if person is None:
            person = _enrol_new(session, course, member, same_lms)
            people.add(person)
        else:
            _fill(person, member, same_lms)
        found_people.append(person)
    session.flush()
    return found_people


def _match(
    people: _People, students: list[RosterMember], same_lms: bool
) -> tuple[dict[Person, tuple[str, RosterMember]], list[RosterMember], list[str]]:
    """Match each roster student to one person, or to nobody; say, in words, which could not be told apart."""
    claims: dict[Person, list[tuple[str, RosterMember]]] = defaultdict(list)
    unmatched: list[RosterMember] = []
    ambiguous: list[str] = []
    for member in students:
        how, found = people.candidates(member, same_lms)
        found = [person for person in found if person.role not in STAFF_ROLES]
        if len(found) == 1:
            claims[found[0]].append((how, member))
        elif len(found) > 1:
            ambiguous.append(f"{len(found)} people in this course are called “{member.name}” (line {member.line}): "
                             "we could not tell which one the roster means, so none was matched")  # fmt: skip
        else:
            unmatched.append(member)
    for person, claimants in claims.items():
        if len(claimants) > 1:  # two roster rows found the same person (by name): neither is sure
            lines = ", ".join(str(member.line) for _how, member in claimants)
            ambiguous.append(f"lines {lines} of the roster are all called “{claimants[0][1].name}”: we could not "
                             f"tell which of them wrote as {person.display_name or person.key}, so none was "
                             "matched")  # fmt: skip
    return {person: found[0] for person, found in claims.items() if len(found) == 1}, unmatched, ambiguous


def _fill(person: Person, member: RosterMember, same_lms: bool) -> bool:
    """Put the roster's ids on a person (the roster is the LMS's own word on them); tell whether any changed."""
    before = (person.enrolled, *(getattr(person, column) for column, _ in FILLED), person.lms_user_id)
    person.enrolled = True
    for column, length in FILLED:
        value = getattr(member, column)
        if value:
            setattr(person, column, _fit(value, length))
    if same_lms and member.lms_user_id and not person.lms_user_id:
        person.lms_user_id = member.lms_user_id
    if not person.display_name:
        person.display_name = _fit(member.name, 300)
    return before != (person.enrolled, *(getattr(person, column) for column, _ in FILLED), person.lms_user_id)


def _enrol_new(session: Session, course: Course, member: RosterMember, same_lms: bool) -> Person:
    """Add an enrolled student who has not posted; keyed by the LMS user id a later import will name them by."""
    key = member.lms_user_id if same_lms and member.lms_user_id else ROSTER_KEY + (member.ids() or (member.name,))[0]
    person = Person(course_id=course.id, key=_fit(key, 200), display_name=_fit(member.name, 300), role="student",
                    lms_user_id=member.lms_user_id if same_lms else "")  # fmt: skip
    _fill(person, member, same_lms)
    session.add(person)
    return person


def _column_json(column: GradeColumn) -> dict[str, Any]:
    return {"title": column.title, "assignment_id": column.assignment_id, "points_possible": column.points_possible}


def _link_topics(session: Session, course: Course, columns: Sequence[GradeColumn], lms: str) -> list[str]:
    """Give each topic its gradebook column when exactly one column is named like the topic."""
    linked = []
    for topic in session.scalars(select(Topic).where(Topic.course_id == course.id).order_by(Topic.id)):
        wanted = plain_name(topic.title)
        fits = [column for column in columns if wanted and wanted in plain_name(column.title)]
        if len(fits) != 1:
            continue
        column = fits[0]
        if lms == "canvas" and column.assignment_id and not topic.lms_assignment_id:
            topic.lms_assignment_id = column.assignment_id
        if lms != "canvas" and not topic.grade_item:
            topic.grade_item = _fit(column.title, 500)
        linked.append(topic.title)
    return linked


def _result(counts: dict[str, Any], already: datetime | None) -> RosterResult:
    return RosterResult(
        lms=counts["lms"],
        members=counts["members"],
        matched=dict(counts["matched"]),
        added=tuple(counts["added"]),
        updated=counts["updated"],
        ambiguous=tuple(counts["ambiguous"]),
        not_on_roster=tuple(counts["not_on_roster"]),
        topics_linked=tuple(counts["topics_linked"]),
        already_imported_at=already,
    )


def latest_roster(session: Session, course_id: int) -> RosterImport | None:
    """Return the course's most recent roster import, if any."""
    return session.scalars(select(RosterImport).where(RosterImport.course_id == course_id)
                           .order_by(RosterImport.id.desc())).first()  # fmt: skip


def waiting_to_post(people: Iterable[Person]) -> dict[str, Person]:
    """Index the enrolled students a roster added before they posted by their name, leaving out names shared.

    An import whose authors are named by an LMS user id the roster did not give (Moodle, D2L) adopts them by name.
    """
    found: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.enrolled and person.key.startswith(ROSTER_KEY):
            found[plain_name(person.display_name)].append(person)
    return {name: persons[0] for name, persons in found.items() if name and len(persons) == 1}
