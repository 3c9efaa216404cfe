"""A topic's dashboard: one row per student from the stored grades and counts, and the numbers its plots draw.

Reads only, a few queries whatever the number of students, each answering with its counts already made (per student,
per verdict, per number of references) so that little comes back to Python: scores from the Grade rows grading
stored, the rest from GROUP BY queries. forumgrader.store.student_rows sorts, filters and pages the rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from forumgrader.grading import Rubric, resolve_due
from forumgrader.store.flags import FLAGGED_VERDICTS, RETRACTED
from forumgrader.store.models import Grade, Job, Person, Post, ReferenceCheck, Review, Topic

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


def _posts(session: Session, topic_id: int, due: tuple[datetime | None, datetime | None]) -> Any:
    """Each student's posts in the topic: how many, how many replies, whether the first main post or how many
    replies came late, and the post their name links to (the main post, else the first reply)."""
    reply, due_initial, due_replies = Post.parent_id.is_not(None), *due
    main_at = func.min(case((Post.parent_id.is_(None), Post.created_at)))
    late_reply = case((and_(reply, Post.created_at > due_replies), 1), else_=0) if due_replies else literal(0)
    return session.execute(
        select(
            Person.id,
            Person.display_name,
            Person.sortable_name,
            Person.key,
            func.count(Post.id),
            func.count(Post.parent_id),
            case((main_at > due_initial, 1), else_=0) if due_initial else literal(0),
            func.coalesce(func.min(case((Post.parent_id.is_(None), Post.id))), func.min(Post.id)),
            func.sum(late_reply),
        )
        .join(Person, Person.id == Post.author_id)
        .where(Post.topic_id == topic_id, Post.deleted.is_(False), Person.role.not_in(STAFF_ROLES))
        .group_by(Person.id, Person.display_name, Person.sortable_name, Person.key)
    ).all()


def _in_topic(topic_id: int) -> Any:
    """The topic's references (of posts not deleted)."""
    return ReferenceCheck.post_id.in_(select(Post.id).where(Post.topic_id == topic_id, Post.deleted.is_(False)))


def _references(session: Session, topic_id: int) -> Any:
    """Each author's references in the topic, and their flags awaiting review and confirmed."""
    flagged = or_(ReferenceCheck.verdict.in_(FLAGGED_VERDICTS), ReferenceCheck.retracted.is_(True))
    return session.execute(
        select(
            Post.author_id,
            func.count(),
            func.sum(case((and_(flagged, Review.decision.is_(None)), 1), else_=0)),
            func.sum(case((and_(flagged, Review.decision == "confirmed"), 1), else_=0)),
        )
        .select_from(ReferenceCheck)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .outerjoin(Review, and_(Review.post_id == ReferenceCheck.post_id, Review.reference_key == ReferenceCheck.key))
        .where(Post.topic_id == topic_id, Post.deleted.is_(False))
        .group_by(Post.author_id)
    ).all()


def _verdicts(session: Session, topic_id: int) -> Counter[str]:
    """Count the topic's references by verdict, and the retracted ones."""
    counts: Counter[str] = Counter()
    for verdict, retracted, count in session.execute(
        select(ReferenceCheck.verdict, ReferenceCheck.retracted, func.count())
        .where(_in_topic(topic_id))
        .group_by(ReferenceCheck.verdict, ReferenceCheck.retracted)
    ):
        _count_verdict(counts, verdict, retracted, count)
    return counts


def _listing(session: Session, topic_id: int, student_posts: int) -> dict[int, int]:
    """Count the students' posts by how many references each lists (those listing none: the rest of their posts)."""
    students = select(Post.id).join(Person, Person.id == Post.author_id).where(
        Post.topic_id == topic_id, Post.deleted.is_(False), Person.role.not_in(STAFF_ROLES))  # fmt: skip
    per_post = (
        select(func.count().label("listed"))
        .where(ReferenceCheck.post_id.in_(students))
        .group_by(ReferenceCheck.post_id)
        .subquery()
    )
    rows = session.execute(select(per_post.c.listed, func.count()).group_by(per_post.c.listed))
    counts: dict[int, int] = {listed: posts for listed, posts in rows}
    counts[0] = student_posts - sum(counts.values())
    return {listed: posts for listed, posts in sorted(counts.items()) if posts}


def course_verdicts(
    session: Session, course_id: int, known: Mapping[int, Counter[str]] | None = None
) -> list[TopicVerdicts]:
    """Count the verdicts of every topic of a course, topics in the course page's order (`known`: counts already
    read, by topic, not read again)."""
    known = known or {}
    topics = session.execute(
        select(Topic.id, Topic.title)
        .where(Topic.course_id == course_id)
        .order_by(Topic.due_initial_at.is_(None), Topic.due_initial_at, Topic.id)
    ).all()
    counts: dict[int, Counter[str]] = defaultdict(Counter, known)
    rows = session.execute(
        select(Post.topic_id, ReferenceCheck.verdict, ReferenceCheck.retracted, func.count())
        .join(Post, Post.id == ReferenceCheck.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Topic.course_id == course_id, Post.deleted.is_(False), Topic.id.not_in(list(known)))
        .group_by(Post.topic_id, ReferenceCheck.verdict, ReferenceCheck.retracted)
    )
    for topic_id, verdict, retracted, count in rows:
        _count_verdict(counts[topic_id], verdict, retracted, count)
    return [TopicVerdicts(topic_id, title or f"Topic {topic_id}", dict(counts[topic_id])) for topic_id, title in topics]


def _count_verdict(counts: Counter[str], verdict: str | None, retracted: bool, count: int) -> None:
    counts[verdict or UNCHECKED] += count
    if retracted:
        counts[RETRACTED] += count


def topic_dashboard(session: Session, topic: Topic, rubric: Rubric) -> Dashboard:
    """Read a topic's dashboard: its students' rows, and its plots' numbers, under the topic's rubric."""
    due = resolve_due(rubric, topic.due_initial_at, topic.due_replies_at)
    this_rubric = (Grade.topic_id == topic.id) & (Grade.rubric == rubric.name)
    grades = {person_id: (total, possible, provisional) for person_id, total, possible, provisional in session.execute(
        select(Grade.person_id, Grade.total, Grade.possible, Grade.provisional).where(this_rubric))}  # fmt: skip
    references = {author: (count, awaiting, confirmed) for author, count, awaiting, confirmed
                  in _references(session, topic.id)}  # fmt: skip
    students = []
    for person_id, name, sortable, key, posts, replies, late_main, first_id, late_replies in _posts(
        session, topic.id, due
    ):
        total, possible, provisional = grades.get(person_id, (None, None, False))
        listed, awaiting, confirmed = references.get(person_id, (0, 0, 0))
        students.append(
            StudentRow(
                person_id=person_id,
                name=name or key,
                sort_name=sortable or name or key,
                posts=posts,
                replies=replies,
                first_post_id=first_id,
                late_main=bool(late_main),
                late_replies=int(late_replies or 0),
                total=total,
                possible=possible,
                provisional=bool(provisional),
                references=listed,
                flags_awaiting=int(awaiting or 0),
                flags_confirmed=int(confirmed or 0),
            )
        )
    students.sort(key=lambda row: (row.sort_name.casefold(), row.person_id))
    counts = _verdicts(session, topic.id)
    return Dashboard(
        topic=topic,
        rubric=rubric.name,
        students=students,
        verdicts=course_verdicts(session, topic.course_id, {topic.id: counts}),
        sources_per_post=_listing(session, topic.id, sum(row.posts for row in students)),
        graded_at=session.scalar(select(func.max(Grade.computed_at)).where(this_rubric)),
        due=due,
        counts=dict(counts),
    )


def latest_job(session: Session, topic_id: int) -> Job | None:
    """Return the topic's most recent check or grading job, if any."""
    return session.scalars(select(Job).where(Job.topic_id == topic_id).order_by(Job.id.desc()).limit(1)).first()
