"""How many flags each choice of the review queue's filter menus would show, each menu counted under the other
filters; and how many flags await review in each course."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store.flags import FLAGGED_VERDICTS, RETRACTED, FlagFilters, FlagStatus, filter_conditions, flag_query
from forumgrader.store.models import Post, ReferenceCheck, Review, Topic

Choice = TypeVar("Choice")


@dataclass(frozen=True, slots=True)
class MenuCounts(Generic[Choice]):
    """How many flags each choice of one filter menu would show (0 if unlisted); `every`: with none chosen."""

    every: int = 0
    each: dict[Choice, int] = field(default_factory=dict)

    def __getitem__(self, choice: Choice) -> int:
        """Return how many flags the choice would show."""
        return self.each.get(choice, 0)


@dataclass(frozen=True, slots=True)
class FlagCounts:
    """The counts of each of the queue's filter menus, named as the FlagFilters field the menu sets."""

    topic_id: MenuCounts[int]
    person_id: MenuCounts[int]
    verdict: MenuCounts[str]  # a kind of flag: a flagged verdict or "retracted" (a flag may be both)
    status: MenuCounts[FlagStatus]


def flag_counts(session: Session, course_id: int, filters: FlagFilters | None = None) -> FlagCounts:
    """Count how many flags of a course each filter's choices would show, each under the other filters."""
    count = partial(count_by, session, course_id, filters or FlagFilters())
    return FlagCounts(
        topic_id=count("topic_id", lambda topic: (topic,), Post.topic_id),
        person_id=count("person_id", _known, Post.author_id),
        verdict=count("verdict", _kinds, ReferenceCheck.verdict, ReferenceCheck.retracted),
        status=count("status", _status, Review.decision),
    )


def count_by(
    session: Session,
    course_id: int,
    filters: FlagFilters,
    left_out: str,
    choices: Callable[..., Iterable[Choice]],
    *columns: Any,
) -> MenuCounts[Choice]:
    """Count a course's flags by some of their columns, under every filter but `left_out` (a FlagFilters field);
    `choices` tells which of the menu's choices a flag with those column values falls under (none, one or more)."""
    conditions = [Topic.course_id == course_id, *filter_conditions(replace(filters, **{left_out: None}))]
    every = 0
    each: dict[Choice, int] = {}
    for *values, count in _grouped(session, conditions, *columns):
        every += count
        for choice in choices(*values):
            each[choice] = each.get(choice, 0) + count
    return MenuCounts(every, each)


def awaiting_by_course(session: Session, course_ids: Sequence[int]) -> dict[int, int]:
    """Count the flags nobody has reviewed yet in each of the given courses."""
    if not course_ids:
        return {}
    rows = _grouped(session, [Topic.course_id.in_(course_ids), Review.id.is_(None)], Topic.course_id)
    return {course_id: count for course_id, count in rows}


def _grouped(session: Session, conditions: list[Any], *columns: Any) -> list[Any]:
    """Count the flags that meet the conditions by the columns: each flag (post, reference key) once."""
    distinct = flag_query(ReferenceCheck.post_id, ReferenceCheck.key, *columns).where(*conditions).distinct().subquery()
    grouped = list(distinct.c)[2:]
    return list(session.execute(select(*grouped, func.count()).group_by(*grouped)))


def _known(author_id: int | None) -> tuple[int, ...]:
    return () if author_id is None else (author_id,)  # an unknown author's flags count under "every student" only


def _kinds(verdict: str | None, retracted: bool | None) -> list[str]:
    """Return the kinds a flag shows under: its verdict if flagged, and "retracted" if it is (whatever the verdict)."""
    kinds = [verdict] if verdict is not None and verdict in FLAGGED_VERDICTS else []
    if retracted:
        kinds.append(RETRACTED)
    return kinds


def _status(decision: str | None) -> tuple[FlagStatus]:
    return (FlagStatus(decision) if decision else FlagStatus.AWAITING,)
