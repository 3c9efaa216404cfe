"""Decisions on the TA review queue's flags (forumgrader.store.flags reads the queue).

A decision is filed under the post and the reference's key (the hash of its normalised text), so it survives
re-checks and re-imports that leave the reference as it was. Every decision writes an AuditEntry, and the topic is
graded again at once so that a score held provisional by the flag is settled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.grading import Decision
from forumgrader.store.db import utcnow
from forumgrader.store.flags import audit_subject, is_flag
from forumgrader.store.models import AuditEntry, Post, ReferenceCheck, Review, Topic, User
from forumgrader.store.topics import regrade

NOTE_LENGTH = 2000  # characters of a reviewer's note: the form, the page and the API keep to it


class ReviewError(ValueError):
    """A decision that cannot be taken, with what to do instead."""


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
        audit_subject(check.post_id, check.key),
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
        audit_subject(post_id, reference_key),
        note.strip(),
        decision=None,
        previous=review.decision,
        previous_note=review.note,
    )
    session.delete(review)
    session.flush()
    regrade(session, session.get_one(Topic, post.topic_id), now=now or utcnow())
    return True
