"""Many flags decided at once: the ones a reviewer ticked, or every flag a filter shows, with one note.

One transaction for all of them: each flag gets its Review and its AuditEntry as a single decision does (marked
`bulk`), then each topic they belong to is graded again once. A flag that is not one any more refuses the whole lot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.grading import Decision
from forumgrader.store.db import utcnow
from forumgrader.store.flags import FlagFilters, filter_conditions, flag_query, is_flag
from forumgrader.store.models import Post, ReferenceCheck, Review, Topic, User
from forumgrader.store.reviews import ReviewError, as_decision, record_decision
from forumgrader.store.topics import regrade

FlagKey = tuple[int, str]  # (post id, reference key): what a decision is filed under
MOST = 5000  # flags decided in one go


def flag_keys(session: Session, course_id: int, filters: FlagFilters) -> list[FlagKey]:
    """Return the (post, reference) of every flag of a course the filters show."""
    rows = session.execute(
        flag_query(ReferenceCheck.post_id, ReferenceCheck.key)
        .where(Topic.course_id == course_id, *filter_conditions(filters))
        .distinct()
    )
    return sorted((post_id, key) for post_id, key in rows)


def decide_all(
    session: Session,
    course_id: int,
    flags: Sequence[FlagKey],
    decision: Decision | str,
    note: str,
    user: User | None,
    *,
    now: datetime | None = None,
) -> int:
    """Confirm or dismiss many flags of a course (flush only), each audited; regrade their topics. Return how many."""
    chosen = as_decision(decision)
    wanted = set(flags)
    if not wanted:
        raise ReviewError("Tick the flags to decide, or choose every flag these filters show.")
    if len(wanted) > MOST:
        raise ReviewError(f"{len(wanted)} flags at once is too many: narrow the filters to at most {MOST}.")
    post_ids = {post_id for post_id, _key in wanted}
    checks: dict[FlagKey, ReferenceCheck] = {}
    topics: dict[int, int] = {}
    found = session.execute(
        select(ReferenceCheck, Post.topic_id)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(ReferenceCheck.post_id.in_(post_ids), Topic.course_id == course_id, Post.deleted.is_(False))
        .order_by(ReferenceCheck.position)
    )
    for check, topic_id in found:
        if (check.post_id, check.key) in wanted and is_flag(check):
            checks.setdefault((check.post_id, check.key), check)
            topics[check.post_id] = topic_id
    missing = len(wanted - checks.keys())
    if missing:
        raise ReviewError(
            f"{missing} of these {len(wanted)} flags are not flags of this course any more (a re-check or an edit "
            "changed them): nothing was decided. Reload the queue and try again."
        )
    reviews = {
        (review.post_id, review.reference_key): review
        for review in session.scalars(select(Review).where(Review.post_id.in_(post_ids)))
    }
    moment = now or utcnow()
    for key, check in checks.items():
        record_decision(session, check, reviews.get(key), chosen, note, user, moment, bulk=len(checks))
    session.flush()
    for topic_id in sorted(set(topics.values())):
        regrade(session, session.get_one(Topic, topic_id), now=moment)
    return len(checks)
