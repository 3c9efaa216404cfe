"""A topic's dashboard: one row per student from the stored grades and counts, and the numbers its plots draw.

Reads only, one query per table whatever the number of students: scores come from the Grade rows grading stored,
counts from GROUP BY queries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from forumgrader.grading import Rubric, resolve_due
from forumgrader.store.models import Grade, Job, Person, Post, ReferenceCheck, Review, Topic
from forumgrader.store.reviews import FLAGGED_VERDICTS, RETRACTED

STAFF_ROLES = ("instructor", "ta")
UNCHECKED = "unchecked"  # references without a verdict yet are counted with the `unchecked` ones


@dataclass(frozen=True, slots=True)
class StudentRow:
    """One student's part in a topic: score, posts, references, flags, lateness."""

    person_id: int
    name: str
    sort_name: str
    posts: int
    replies: int
    first_post_id: int | None  # the main post, else the first reply
    late_main: bool  # the first main post came after the initial post's due date
    late_replies: int  # replies after the replies' due date
    total: float | None = None  # None: not graded yet
    possible: float | None = None
    provisional: bool = False
    references: int = 0
    flags_awaiting: int = 0
    flags_confirmed: int = 0

    @property
    def flags(self) -> int:
        """Return the flags still standing: awaiting review or confirmed."""
        return self.flags_awaiting + self.flags_confirmed

    @property
    def late(self) -> int:
        """Return how many posts came after their due date."""
        return int(self.late_main) + self.late_replies

    @property
    def percent(self) -> float | None:
        """Return the score as a percentage of the points possible."""
        if self.total is None or not self.possible:
            return None
        return 100 * self.total / self.possible


@dataclass(frozen=True, slots=True)
class TopicVerdicts:
    """How many references of one topic got each verdict (and how many records were retracted)."""

    topic_id: int
    title: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the topic dashboard shows."""

    topic: Topic
    rubric: str
    students: list[StudentRow]
    verdicts: list[TopicVerdicts]  # every topic of the course, this one among them
    sources_per_post: dict[int, int]  # references in a post -> how many posts have that many
    graded_at: datetime | None = None
    due: tuple[datetime | None, datetime | None] = (None, None)
    counts: dict[str, int] = field(default_factory=dict)  # this topic's verdict counts

    @property
    def percents(self) -> list[float]:
        """Return the scores of the graded students, in percent."""
        return [row.percent for row in self.students if row.percent is not None]


def _posts(session: Session, topic_id: int, due_replies: datetime | None) -> Any:
    reply = Post.parent_id.is_not(None)
    late_reply = case((and_(reply, Post.created_at > due_replies), 1), else_=0) if due_replies else literal(0)
    return session.execute(
        select(
            Person.id,
            Person.display_name,
            Person.sortable_name,
            Person.key,
            func.count(Post.id),
            func.count(Post.parent_id),
            func.min(case((Post.parent_id.is_(None), Post.created_at))),
            func.coalesce(func.min(case((Post.parent_id.is_(None), Post.id))), func.min(Post.id)),
            func.sum(late_reply),
        )
        .join(Person, Person.id == Post.author_id)
        .where(Post.topic_id == topic_id, Post.deleted.is_(False), Person.role.not_in(STAFF_ROLES))
        .group_by(Person.id, Person.display_name, Person.sortable_name, Person.key)
    ).all()


def _references(session: Session, topic_id: int) -> Any:
    return session.execute(
        select(Post.author_id, ReferenceCheck.verdict, ReferenceCheck.retracted, Review.decision, func.count())
        .join(Post, Post.id == ReferenceCheck.post_id)
        .outerjoin(Review, and_(Review.post_id == ReferenceCheck.post_id, Review.reference_key == ReferenceCheck.key))
        .where(Post.topic_id == topic_id, Post.deleted.is_(False))
        .group_by(Post.author_id, ReferenceCheck.verdict, ReferenceCheck.retracted, Review.decision)
    ).all()


def course_verdicts(session: Session, course_id: int) -> list[TopicVerdicts]:
    """Count the verdicts of every topic of a course, topics in the course page's order."""
    topics = session.execute(
        select(Topic.id, Topic.title)
        .where(Topic.course_id == course_id)
        .order_by(Topic.due_initial_at.is_(None), Topic.due_initial_at, Topic.id)
    ).all()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    rows = session.execute(
        select(Post.topic_id, ReferenceCheck.verdict, ReferenceCheck.retracted, func.count())
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Topic.course_id == course_id, Post.deleted.is_(False))
        .group_by(Post.topic_id, ReferenceCheck.verdict, ReferenceCheck.retracted)
    )
    for topic_id, verdict, retracted, count in rows:
        counts[topic_id][verdict or UNCHECKED] += count
        if retracted:
            counts[topic_id][RETRACTED] += count
    return [TopicVerdicts(topic_id, title or f"Topic {topic_id}", dict(counts[topic_id])) for topic_id, title in topics]


def sources_per_post(session: Session, topic_id: int) -> dict[int, int]:
    """Count the students' posts of a topic by how many references each lists."""
    per_post = (
        select(Post.id, func.count(ReferenceCheck.id).label("sources"))
        .join(Person, Person.id == Post.author_id)
        .outerjoin(ReferenceCheck, ReferenceCheck.post_id == Post.id)
        .where(Post.topic_id == topic_id, Post.deleted.is_(False), Person.role.not_in(STAFF_ROLES))
        .group_by(Post.id)
        .subquery()
    )
    rows = session.execute(select(per_post.c.sources, func.count()).group_by(per_post.c.sources))
    return {sources: posts for sources, posts in rows}


def topic_dashboard(session: Session, topic: Topic, rubric: Rubric) -> Dashboard:
    """Read a topic's dashboard: its students' rows, and its plots' numbers, under the topic's rubric."""
    due_initial, due_replies = resolve_due(rubric, topic.due_initial_at, topic.due_replies_at)
    grades = {
        person_id: (total, possible, provisional, computed_at)
        for person_id, total, possible, provisional, computed_at in session.execute(
            select(Grade.person_id, Grade.total, Grade.possible, Grade.provisional, Grade.computed_at).where(
                Grade.topic_id == topic.id, Grade.rubric == rubric.name
            )
        )
    }
    references: Counter[int | None] = Counter()
    awaiting: Counter[int | None] = Counter()
    confirmed: Counter[int | None] = Counter()
    for author_id, verdict, retracted, decision, count in _references(session, topic.id):
        references[author_id] += count
        if verdict in FLAGGED_VERDICTS or retracted:
            awaiting[author_id] += count if decision is None else 0
            confirmed[author_id] += count if decision == "confirmed" else 0
    students = []
    for person_id, name, sortable, key, posts, replies, first_main, first_id, late_replies in _posts(
        session, topic.id, due_replies
    ):
        total, possible, provisional, _at = grades.get(person_id, (None, None, False, None))
        students.append(
            StudentRow(
                person_id=person_id,
                name=name or key,
                sort_name=sortable or name or key,
                posts=posts,
                replies=replies,
                first_post_id=first_id,
                late_main=bool(due_initial and first_main and first_main > due_initial),
                late_replies=int(late_replies or 0),
                total=total,
                possible=possible,
                provisional=bool(provisional),
                references=references[person_id],
                flags_awaiting=awaiting[person_id],
                flags_confirmed=confirmed[person_id],
            )
        )
    students.sort(key=lambda row: (row.sort_name.casefold(), row.person_id))
    verdicts = course_verdicts(session, topic.course_id)
    return Dashboard(
        topic=topic,
        rubric=rubric.name,
        students=students,
        verdicts=verdicts,
        sources_per_post=sources_per_post(session, topic.id),
        graded_at=max((grade[3] for grade in grades.values()), default=None),
        due=(due_initial, due_replies),
        counts=next((found.counts for found in verdicts if found.topic_id == topic.id), {}),
    )


# How the table sorts, by the name in ?sort=; ties fall back to the student's name.
SORTS: dict[str, Callable[[StudentRow], Any]] = {
    "name": lambda row: row.sort_name.casefold(),
    "score": lambda row: row.percent if row.percent is not None else -1.0,
    "posts": lambda row: row.posts,
    "replies": lambda row: row.replies,
    "references": lambda row: row.references,
    "flags": lambda row: (row.flags, row.flags_awaiting),
    "late": lambda row: row.late,
}
# What the "only" filters keep, by the name in ?only=.
ONLY: dict[str, Callable[[StudentRow], bool]] = {
    "flags": lambda row: row.flags > 0,
    "late": lambda row: row.late > 0,
    "provisional": lambda row: row.provisional,
}


@dataclass(frozen=True, slots=True)
class RowQuery:
    """How the table is sorted and filtered (also without JavaScript, from the address)."""

    sort: str = "name"
    descending: bool = False
    text: str = ""
    only: frozenset[str] = frozenset()


def matches(row: StudentRow, query: RowQuery) -> bool:
    """Tell whether a student's row passes the query's filters."""
    words = query.text.casefold().split()
    return all(word in row.name.casefold() for word in words) and all(ONLY[name](row) for name in query.only)


def sort_rows(rows: list[StudentRow], query: RowQuery) -> list[StudentRow]:
    """Sort the students' rows as the query asks; ties keep the order of names."""
    by_name = sorted(rows, key=SORTS["name"])
    return sorted(by_name, key=SORTS.get(query.sort, SORTS["name"]), reverse=query.descending)


def select_rows(rows: list[StudentRow], query: RowQuery) -> list[StudentRow]:
    """Filter and sort the students' rows as the query asks."""
    return [row for row in sort_rows(rows, query) if matches(row, query)]


def latest_job(session: Session, topic_id: int) -> Job | None:
    """Return the topic's most recent check or grading job, if any."""
    return session.scalars(select(Job).where(Job.topic_id == topic_id).order_by(Job.id.desc()).limit(1)).first()
