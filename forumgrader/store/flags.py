"""The TA review queue, as read: a course's flagged references worst first, with their evidence and history.

How many each filter shows is counted in forumgrader.store.flag_counts; decisions are taken in
forumgrader.store.reviews.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from forumgrader.store.models import AuditEntry, Person, Post, ReferenceCheck, Review, Topic, User

# How bad a flag is (lower first): the queue's order. "retracted" is a flag beside the verdict, not a verdict.
SEVERITY: dict[str, int] = {"broken_doi": 0, "wrong_doi": 0, "not_found": 1, "retracted": 2, "mismatch": 3}
RETRACTED = "retracted"
FLAGGED_VERDICTS = tuple(name for name in SEVERITY if name != RETRACTED)


class FlagStatus(StrEnum):
    """Where a flag stands in the queue."""

    AWAITING = "awaiting"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


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


def flag_query(*columns: Any) -> Select[Any]:
    """Select columns of the flags of undeleted posts, each joined to its post, topic and review (if any)."""
    return (
        select(*columns)
        .select_from(ReferenceCheck)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .outerjoin(Review, review_join())
        .where(Post.deleted.is_(False), flagged())
    )


def filter_conditions(filters: FlagFilters) -> list[Any]:
    """Return the conditions the filters set, for a flag_query."""
    conditions = []
    if filters.topic_id is not None:
        conditions.append(Post.topic_id == filters.topic_id)
    if filters.person_id is not None:
        conditions.append(Post.author_id == filters.person_id)
    if filters.verdict == RETRACTED:
        conditions.append(ReferenceCheck.retracted.is_(True))
    elif filters.verdict is not None:
        conditions.append(ReferenceCheck.verdict == filters.verdict)
    if filters.status is FlagStatus.AWAITING:
        conditions.append(Review.id.is_(None))
    elif filters.status is not None:
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
        flag_query(
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
        .outerjoin(Person, Person.id == Post.author_id)
        .where(Topic.course_id == course_id, *filter_conditions(filters or FlagFilters()))
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
        _flag(*rows[id_], history=histories.get(audit_subject(rows[id_][0].post_id, rows[id_][0].key), []))
        for id_ in shown
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


def audit_subject(post_id: int, reference_key: str) -> str:
    """Return the audit log's subject for the decisions on one reference of a post."""
    return f"review:{post_id}:{reference_key}"


def _histories(session: Session, keys: Iterable[tuple[int, str]]) -> dict[str, list[AuditEntry]]:
    subjects = [audit_subject(post_id, key) for post_id, key in keys]
    found: dict[str, list[AuditEntry]] = {}
    for start in range(0, len(subjects), 500):
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.subject.in_(subjects[start : start + 500])).order_by(AuditEntry.at)
        )
        for entry in entries:
            found.setdefault(entry.subject, []).append(entry)
    return found
