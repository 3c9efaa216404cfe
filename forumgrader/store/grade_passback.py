"""Grades going back to an LMS gradebook: the instructor's choices per topic, which stored grades to send (those that
changed since they were last sent), and the record of what was sent. Flush only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.store.db import utcnow
from forumgrader.store.gradefiles import ABSENT_FEEDBACK, gives_zero, ungraded_students
from forumgrader.store.grades import topic_rubric
from forumgrader.store.models import AuditEntry, Grade, GradePassback, GradeSent, Job, Person, Topic, User


class Provisional(StrEnum):
    """What happens to a provisional grade (a flagged reference still awaits a TA)."""

    HOLD = "hold"  # not sent until it is final
    PENDING = "pending"  # sent, marked as not final (AGS gradingProgress PendingManual)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One student's grade to send, and the fingerprint recorded once it is sent."""

    person: Person
    lms_user: str  # the id the gradebook knows the student by
    points: float
    possible: float
    comment: str
    provisional: bool
    digest: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What a send would do: grades to send, and how many are held back, unchanged, or have no LMS id."""

    send: tuple[Outgoing, ...]
    held: int
    unchanged: int
    unmatched: tuple[Person, ...]


def settings(session: Session, topic: Topic) -> GradePassback:
    """Return a topic's passback choices (the defaults until an instructor chooses: on request, hold provisional)."""
    found = session.get(GradePassback, topic.id)
    return found or GradePassback(topic_id=topic.id, automatic=False, provisional=Provisional.HOLD.value)


def choose(session: Session, topic: Topic, *, automatic: bool, provisional: Provisional, user: User | None) -> None:
    """Record how a topic's grades go back (flush only), audited."""
    found = session.get(GradePassback, topic.id)
    if found is None:
        found = GradePassback(topic_id=topic.id)
        session.add(found)
    found.automatic, found.provisional = automatic, provisional.value
    session.add(AuditEntry(action="topic.passback", subject=f"topic:{topic.id}",
                           details={"automatic": automatic, "provisional": provisional.value},
                           user_id=user.id if user else None,
                           actor=(user.name or user.email) if user else ""))  # fmt: skip
    session.flush()


def enqueue_after_commit(session: Session, job: Job) -> None:
    """Queue a job once the session that recorded it commits (a grading's caller commits once, later)."""
    event.listen(session, "after_commit", lambda _session: jobs.enqueue(job), once=True)


def automatic(session: Session, topic: Topic) -> bool:
    """Tell whether a topic's grades go to the LMS after each grading."""
    return settings(session, topic).automatic


def _digest(points: float, possible: float, comment: str, provisional: bool) -> str:
    fingerprint = json.dumps([round(points, 4), round(possible, 4), comment, provisional])
    return hashlib.sha256(fingerprint.encode()).hexdigest()


def _grades(session: Session, topic: Topic) -> list[tuple[Person, float, float, str, bool]]:
    """Each student's grade as the grade files hold it (person, points, possible, comment, provisional): the stored
    grades, and 0 for enrolled students who never posted when the topic gives them 0."""
    rubric = topic_rubric(topic)  # grades are kept under the name the rubric declares, not the file it is read from
    rows = session.execute(
        select(Grade, Person)
        .join(Person, Person.id == Grade.person_id)
        .where(Grade.topic_id == topic.id, Grade.rubric == rubric.name)
        .order_by(Person.id)
    )
    grades = [(person, grade.total, grade.possible, str((grade.breakdown or {}).get("feedback", "")), grade.provisional)
              for grade, person in rows]  # fmt: skip
    if gives_zero(topic):
        absent = [
            person for person in ungraded_students(session, topic, {row[0].id for row in grades}) if person.enrolled
        ]
        possible = rubric.possible if absent else 0.0
        grades += [(person, 0.0, possible, ABSENT_FEEDBACK, False) for person in absent]
    return grades


def plan(session: Session, topic: Topic, target: str, lms_users: dict[int, str], *, force: bool = False) -> Plan:
    """Choose which of a topic's grades to send to `target` (grades changed since last sent, or all)."""
    choice = Provisional(settings(session, topic).provisional)
    sent = {row.person_id: row.digest for row in session.scalars(select(GradeSent).where(GradeSent.target == target))}
    outgoing, unmatched, held, unchanged = [], [], 0, 0
    for person, points, possible, comment, provisional in _grades(session, topic):
        if provisional and choice is Provisional.HOLD:
            held += 1
            continue
        if not lms_users.get(person.id):
            unmatched.append(person)
            continue
        digest = _digest(points, possible, comment, provisional)
        if not force and sent.get(person.id) == digest:
            unchanged += 1
            continue
        outgoing.append(Outgoing(person, lms_users[person.id], points, possible, comment, provisional, digest))
    return Plan(tuple(outgoing), held, unchanged, tuple(unmatched))


def mark_sent(session: Session, target: str, outgoing: Outgoing) -> None:
    """Record that a grade reached the gradebook (flush only), so an unchanged grade is not sent again."""
    row = session.scalar(select(GradeSent).where(GradeSent.target == target,
                                                 GradeSent.person_id == outgoing.person.id))  # fmt: skip
    if row is None:
        row = GradeSent(target=target, person_id=outgoing.person.id, digest="")
        session.add(row)
    row.digest, row.sent_at = outgoing.digest, utcnow()
    session.flush()
