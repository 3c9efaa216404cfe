"""The TA review queue: flagged references across a course, worst first, and the decisions taken on them.

A decision is filed under the post and the reference's key (the hash of its normalised text), so it survives
re-checks and re-imports that leave the reference as it was. Every decision writes an AuditEntry, and the topic is
graded again at once so that a score held provisional by the flag is settled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from forumgrader.grading import Decision
from forumgrader.store.db import utcnow
from forumgrader.store.models import AuditEntry, Person, Post, ReferenceCheck, Review, Topic, User
from forumgrader.store.topics import regrade

# How bad a flag is (lower first): the queue's order. "retracted" is a flag beside the verdict, not a verdict.
SEVERITY: dict[str, int] = {"broken_doi": 0, "wrong_doi": 0, "not_found": 1, "retracted": 2, "mismatch": 3}
RETRACTED = "retracted"
FLAGGED_VERDICTS = tuple(name for name in SEVERITY if name != RETRACTED)


class FlagStatus(StrEnum):
    """Where a flag stands in the queue."""

    AWAITING = "awaiting"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class ReviewError(ValueError):
    """A decision that cannot be taken, with what to do instead."""


@dataclass(frozen=True, slots=True)
class FlagFilters:
    """Which flags to list: None means every topic, student, kind or status."""

    topic_id: int | None = None
    person_id: int | None = None
    verdict: str | None = None  # a key of SEVERITY ("retracted" included)
    status: FlagStatus | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """One flagged reference of one post, with its evidence and where its review stands."""

    post_id: int
    reference_key: str
    position: int
    topic_id: int
    topic_title: str
    person_id: int | None
    student: str
    verdict: str
    retracted: bool
    text: str
    fields: dict[str, Any]
    doi: str
    matched_doi: str
    differences: list[dict[str, Any]]
    record: dict[str, Any] | None
    suggestion: str
    message: str
    notices: list[dict[str, Any]]
    decision: str | None = None
    note: str = ""
    reviewed_verdict: str = ""  # the verdict the decision was taken on (a re-check may have changed it since)
    reviewer: str = ""
    decided_at: datetime | None = None
    history: list[AuditEntry] = field(default_factory=list)

    @property
    def status(self) -> FlagStatus:
        """Tell whether the flag awaits review, or what was decided."""
        return FlagStatus(self.decision) if self.decision else FlagStatus.AWAITING

    @property
    def kind(self) -> str:
        """Return what makes this reference worst: its verdict, or "retracted"."""
        return kind_of(self.verdict, self.retracted)

    @property
    def severity(self) -> int:
        """Return the flag's rank in the queue (0 first)."""
        return SEVERITY[self.kind]

    @property
    def anchor(self) -> str:
        """Return an id naming this flag on a page."""
        return f"flag-{self.post_id}-{self.reference_key[:16]}"


def is_flag(check: ReferenceCheck) -> bool:
    """Tell whether a checked reference needs a person to look at it."""
    return check.verdict in FLAGGED_VERDICTS or bool(check.retracted)


def flagged() -> Any:
    """Select the checked references that are flags (a flagged verdict, or a retracted record)."""
    return or_(ReferenceCheck.verdict.in_(FLAGGED_VERDICTS), ReferenceCheck.retracted.is_(True))


def review_join() -> Any:
    """Join a checked reference to its review, if any."""
    return and_(Review.post_id == ReferenceCheck.post_id, Review.reference_key == ReferenceCheck.key)


def filter_conditions(filters: FlagFilters, *, status: bool = True) -> list[Any]:
    """Return the conditions the filters set (the status one left out with status=False)."""
    conditions = []
    if filters.topic_id is not None:
        conditions.append(Post.topic_id == filters.topic_id)
    if filters.person_id is not None:
        conditions.append(Post.author_id == filters.person_id)
    if filters.verdict == RETRACTED:
        conditions.append(ReferenceCheck.retracted.is_(True))
    elif filters.verdict is not None:
        conditions.append(ReferenceCheck.verdict == filters.verdict)
    if status and filters.status is FlagStatus.AWAITING:
        conditions.append(Review.id.is_(None))
    elif status and filters.status is not None:
        conditions.append(Review.decision == filters.status.value)
    return conditions


def flags(session: Session, course_id: int, filters: FlagFilters | None = None) -> list[Flag]:
    """List a course's flagged references, worst first (broken or wrong DOI, not found, retracted, mismatch)."""
    return flag_page(session, course_id, filters)[1]


def flag_page(
    session: Session, course_id: int, filters: FlagFilters | None = None, start: int = 0, stop: int | None = None
) -> tuple[int, list[Flag]]:
    """Count a course's flags under the filters, and read those from `start` to `stop` in the queue's order with
    their evidence and history (the order is found from a few columns; only the shown flags are read whole)."""
    ranked = session.execute(
        select(
            ReferenceCheck.id,
            ReferenceCheck.post_id,
            ReferenceCheck.key,
            ReferenceCheck.position,
            ReferenceCheck.verdict,
            ReferenceCheck.retracted,
            Topic.id,
            Topic.title,
            Person.display_name,
        )
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .outerjoin(Person, Person.id == Post.author_id)
        .outerjoin(Review, review_join())
        .where(
            Topic.course_id == course_id,
            Post.deleted.is_(False),
            flagged(),
            *filter_conditions(filters or FlagFilters()),
        )
        .order_by(ReferenceCheck.post_id, ReferenceCheck.position)
    ).all()
    unique: dict[tuple[int, str], Any] = {}
    for row in ranked:  # the same entry twice in one list: one decision covers both
        unique.setdefault((row.post_id, row.key), row)
    order = sorted(
        unique.values(),
        key=lambda r: (SEVERITY[kind_of(r.verdict or "", bool(r.retracted))], (r.title or "").casefold(), r[6],
                       (r.display_name or "(unknown author)").casefold(), r.post_id, r.position),
    )  # fmt: skip
    shown = [row.id for row in order[start:stop]]
    rows: dict[int, Any] = {}
    for chunk in range(0, len(shown), 500):
        for whole in session.execute(
            select(ReferenceCheck, Post.topic_id, Topic.title, Post.author_id, Person.display_name, Review, User.name,
                   User.email)
            .join(Post, Post.id == ReferenceCheck.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .outerjoin(Person, Person.id == Post.author_id)
            .outerjoin(Review, review_join())
            .outerjoin(User, User.id == Review.reviewer_id)
            .where(ReferenceCheck.id.in_(shown[chunk : chunk + 500]))
        ):  # fmt: skip
            rows[whole[0].id] = whole
    histories = _histories(session, [(rows[id_][0].post_id, rows[id_][0].key) for id_ in shown])
    return len(order), [
        _flag(*rows[id_], history=histories.get(_subject(rows[id_][0].post_id, rows[id_][0].key), [])) for id_ in shown
    ]


def kind_of(verdict: str, retracted: bool) -> str:
    """Return what makes a reference worst: its verdict, or "retracted"."""
    if retracted and SEVERITY[RETRACTED] < SEVERITY.get(verdict, len(SEVERITY)):
        return RETRACTED
    return verdict


def _flag(
    check: ReferenceCheck,
    topic_id: int,
    topic_title: str,
    author_id: int | None,
    student: str | None,
    review: Review | None,
    reviewer_name: str | None,
    reviewer_email: str | None,
    *,
    history: list[AuditEntry],
) -> Flag:
    return Flag(
        post_id=check.post_id,
        reference_key=check.key,
        position=check.position,
        topic_id=topic_id,
        topic_title=topic_title,
        person_id=author_id,
        student=student or "(unknown author)",
        verdict=check.verdict or "",
        retracted=bool(check.retracted),
        text=check.text,
        fields=check.fields or {},
        doi=check.doi,
        matched_doi=check.matched_doi,
        differences=list(check.differences or []),
        record=check.record,
        suggestion=check.suggestion,
        message=check.message,
        notices=list(check.notices or []),
        decision=review.decision if review else None,
        note=review.note if review else "",
        reviewed_verdict=review.verdict if review else "",
        reviewer=(reviewer_name or reviewer_email or "") if review else "",
        decided_at=review.decided_at if review else None,
        history=history,
    )


def _subject(post_id: int, reference_key: str) -> str:
    return f"review:{post_id}:{reference_key}"


def _histories(session: Session, keys: Iterable[tuple[int, str]]) -> dict[str, list[AuditEntry]]:
    subjects = [_subject(post_id, key) for post_id, key in keys]
    found: dict[str, list[AuditEntry]] = {}
    for start in range(0, len(subjects), 500):
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.subject.in_(subjects[start : start + 500])).order_by(AuditEntry.at)
        )
        for entry in entries:
            found.setdefault(entry.subject, []).append(entry)
    return found


def flag_counts(session: Session, course_id: int, filters: FlagFilters | None = None) -> dict[FlagStatus, int]:
    """Count a course's flags by status, under every filter but the status one."""
    distinct = (
        select(ReferenceCheck.post_id, ReferenceCheck.key, Review.decision)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .outerjoin(Review, review_join())
        .where(
            Topic.course_id == course_id,
            Post.deleted.is_(False),
            flagged(),
            *filter_conditions(filters or FlagFilters(), status=False),
        )
        .distinct()
        .subquery()
    )
    rows = session.execute(select(distinct.c.decision, func.count()).group_by(distinct.c.decision))
    counts = dict.fromkeys(FlagStatus, 0)
    for decision, count in rows:
        counts[FlagStatus(decision) if decision else FlagStatus.AWAITING] += count
    return counts


def awaiting_by_course(session: Session, course_ids: Sequence[int]) -> dict[int, int]:
    """Count the flags nobody has reviewed yet in each of the given courses."""
    if not course_ids:
        return {}
    distinct = (
        select(Topic.course_id, ReferenceCheck.post_id, ReferenceCheck.key)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .outerjoin(Review, review_join())
        .where(Topic.course_id.in_(course_ids), Post.deleted.is_(False), flagged(), Review.id.is_(None))
        .distinct()
        .subquery()
    )
    rows = session.execute(select(distinct.c.course_id, func.count()).group_by(distinct.c.course_id))
    return {course_id: count for course_id, count in rows}


def _flagged_check(session: Session, post_id: int, reference_key: str) -> ReferenceCheck:
    check = session.scalars(
        select(ReferenceCheck)
        .where(ReferenceCheck.post_id == post_id, ReferenceCheck.key == reference_key)
        .order_by(ReferenceCheck.position)
    ).first()
    if check is None:
        raise ReviewError(
            "This reference is no longer in the post (it was edited and checked again): reload the queue."
        )
    if not is_flag(check):
        raise ReviewError(
            f"This reference is not flagged any more (it is now {check.verdict or 'unchecked'}): reload the queue."
        )
    return check


def _audit(session: Session, user: User | None, action: str, subject: str, note: str, **details: Any) -> None:
    session.add(
        AuditEntry(
            action=action,
            subject=subject,
            details=details,
            note=note,
            user_id=user.id if user else None,
            actor=(user.name or user.email) if user else "",
        )
    )


def decide(
    session: Session,
    post_id: int,
    reference_key: str,
    decision: Decision | str,
    note: str,
    user: User | None,
    *,
    now: datetime | None = None,
) -> Review:
    """Confirm or dismiss a flagged reference (flush only): kept across re-checks, audited, and the topic regraded."""
    chosen = as_decision(decision)
    check = _flagged_check(session, post_id, reference_key)
    moment = now or utcnow()
    existing = session.scalar(select(Review).where(Review.post_id == post_id, Review.reference_key == reference_key))
    review = record_decision(session, check, existing, chosen, note, user, moment)
    session.flush()
    regrade(session, session.get_one(Topic, check.post.topic_id), now=moment)
    return review


def as_decision(decision: Decision | str) -> Decision:
    """Read a decision, or raise ReviewError saying which there are."""
    try:
        return Decision(decision)
    except ValueError:
        raise ReviewError(f"{decision!r} is not a decision: confirm or dismiss the flag.") from None


def record_decision(
    session: Session,
    check: ReferenceCheck,
    review: Review | None,
    decision: Decision,
    note: str,
    user: User | None,
    moment: datetime,
    **details: Any,
) -> Review:
    """File a decision on a flagged reference, over its earlier `review` if any, and audit it (the caller regrades)."""
    previous = review.decision if review is not None else None
    if review is None:
        review = Review(post_id=check.post_id, reference_key=check.key)
        session.add(review)
    review.decision, review.note, review.verdict = decision.value, note.strip(), check.verdict or ""
    review.reviewer_id, review.decided_at = (user.id if user else None), moment
    _audit(
        session,
        user,
        f"review.{decision.value}",
        _subject(check.post_id, check.key),
        note.strip(),
        decision=decision.value,
        previous=previous,
        verdict=check.verdict,
        retracted=bool(check.retracted),
        reference=check.text[:500],
        **details,
    )
    return review


def reopen(
    session: Session, post_id: int, reference_key: str, note: str, user: User | None, *, now: datetime | None = None
) -> bool:
    """Put a decided flag back in the queue (flush only), audited, and regrade; tell whether there was a decision."""
    review = session.scalar(select(Review).where(Review.post_id == post_id, Review.reference_key == reference_key))
    if review is None:
        return False
    post = session.get_one(Post, post_id)
    _audit(
        session,
        user,
        "review.reopen",
        _subject(post_id, reference_key),
        note.strip(),
        decision=None,
        previous=review.decision,
        previous_note=review.note,
    )
    session.delete(review)
    session.flush()
    regrade(session, session.get_one(Topic, post.topic_id), now=now or utcnow())
    return True
