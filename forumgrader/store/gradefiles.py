"""What a topic's grade files hold: the stored grades, the enrolled students who never posted (0 or blank, as the
topic says), and for each LMS whether its gradebook can match every student. The CLI and the web both call this."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.grading import EXPORTS, ExportOptions, GradeRow, MatchBy
from forumgrader.grading.exports import Readiness, readiness
from forumgrader.store.models import Course, Grade, Person, Topic
from forumgrader.store.rosters import STAFF_ROLES, latest_roster

ABSENT_FEEDBACK = "We found no post from you in this discussion."
ABSENT_GRADES = {"zero": "0 points", "blank": "left blank (the gradebook keeps what it has)"}
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle", "d2l": "D2L Brightspace"}


@dataclass(frozen=True, slots=True)
class GradeFile:
    """A topic's rows for the LMS grade files, by name, and what the instructor should know about them."""

    rows: list[GradeRow]
    provisional: int  # graded students whose score may still change
    absent: list[str]  # enrolled students who wrote nothing in the topic (names): 0 or blank in the files
    unlisted: list[str]  # the course's students with no grade and no roster to say they are enrolled (names)
    rostered: bool  # the course has a roster
    ids_from: str  # the LMS the course's user ids come from

    def readiness(self) -> dict[str, Readiness]:
        """Tell, for each LMS, whether its gradebook can match every student of the file."""
        return {lms: readiness(lms, self.rows, self.ids_from) for lms in EXPORTS}


def _row(person: Person, points: float | None, feedback: str) -> GradeRow:
    return GradeRow(
        name=person.display_name or person.key,
        sortable_name=person.sortable_name,
        lms_user_id=person.lms_user_id,
        sis_user_id=person.sis_user_id,
        login_id=person.login_id,
        email=person.email,
        section=person.section,
        points=points,
        feedback=feedback,
    )


def _by_name(person: Person) -> tuple[str, int]:
    return ((person.sortable_name or person.display_name or person.key).casefold(), person.id)


def ungraded_students(session: Session, topic: Topic, graded: set[int]) -> list[Person]:
    """Return the course's students with no grade in the topic (the enrolled among them never posted there)."""
    students = select(Person).where(Person.course_id == topic.course_id, Person.role.not_in(STAFF_ROLES))
    return [person for person in session.scalars(students) if person.id not in graded]


def gives_zero(topic: Topic) -> bool:
    """Tell whether enrolled students who never posted get 0 (else the gradebook keeps what it has)."""
    return topic.absent_grade != "blank"


def grade_file(session: Session, topic: Topic, rubric: str) -> GradeFile:
    """Read a topic's stored grades under a rubric, with the enrolled students who never posted."""
    graded = session.execute(
        select(Grade, Person).join(Person, Person.id == Grade.person_id)
        .where(Grade.topic_id == topic.id, Grade.rubric == rubric)
    ).all()  # fmt: skip
    others = ungraded_students(session, topic, {person.id for _grade, person in graded})
    absent = sorted((person for person in others if person.enrolled), key=_by_name)
    zero = gives_zero(topic)
    rows = [(person, _row(person, grade.total, str((grade.breakdown or {}).get("feedback", "")))) for grade, person in
            graded]  # fmt: skip
    rows += [(person, _row(person, 0.0 if zero else None, ABSENT_FEEDBACK if zero else "")) for person in absent]
    rows.sort(key=lambda pair: _by_name(pair[0]))
    course = session.get_one(Course, topic.course_id)
    return GradeFile(
        rows=[row for _person, row in rows],
        provisional=sum(1 for grade, _person in graded if grade.provisional),
        absent=[person.display_name or person.key for person in absent],
        unlisted=[person.display_name or person.key for person in sorted(others, key=_by_name) if not person.enrolled],
        rostered=latest_roster(session, topic.course_id) is not None,
        ids_from=course.lms,
    )


def export_options(topic: Topic, points_possible: float, *, item: str | None = None,
                   assignment_id: str | None = None, match_by: MatchBy = MatchBy.EMAIL) -> ExportOptions:  # fmt: skip
    """The options a topic's grade file is written with: its grade item's name and Canvas assignment id."""
    return ExportOptions(
        item=(item or "").strip() or topic.grade_item or topic.title or f"Discussion {topic.id}",
        points_possible=points_possible,
        assignment_id=(assignment_id if assignment_id is not None else topic.lms_assignment_id).strip(),
        match_by=match_by,
        ids_from=topic.course.lms,
    )
