"""What a reader may list: a topic's posts (all for staff, their own for a student), grades, and a student's own work.

A student's posts are the posts of the Person their course membership is linked to; a student whose membership is
not linked yet has none. Nothing here decides access for a single object: forumgrader.web.access does that.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from forumgrader.grading import RubricError
from forumgrader.store.accounts import STAFF, CourseRole, Role, membership_of, memberships
from forumgrader.store.grades import topic_rubric
from forumgrader.store.models import Course, Grade, Person, Post, Topic, User


def readable_posts(session: Session, user: User, course_id: int) -> ColumnElement[bool]:
    """Which posts of a course a user may read: all for its staff and admins, their own for a student."""
    if user.role == Role.ADMIN:
        return true()
    membership = membership_of(session, user, course_id)
    if membership is None:
        return false()
    if membership.role in STAFF:
        return true()
    return Post.author_id == membership.person_id if membership.person_id is not None else false()


def topic_posts_statement(session: Session, user: User, topic: Topic) -> Select[Post]:
    """Select the posts of a topic the user may read, in the order they were written (deleted placeholders too)."""
    return (
        select(Post)
        .where(Post.topic_id == topic.id, readable_posts(session, user, topic.course_id))
        .order_by(Post.created_at.is_(None), Post.created_at, Post.id)
    )


def grades_statement(
    topic_id: int, person_id: int | None = None, *, rubric: str | None = None
) -> Select[Grade, Person]:
    """Select the stored grades of a topic (of one person, under one rubric, when given) with each student, by name."""
    statement = (
        select(Grade, Person)
        .join(Person, Person.id == Grade.person_id)
        .where(Grade.topic_id == topic_id)
        .order_by(Person.sortable_name, Person.display_name, Person.id, Grade.rubric)
    )
    if person_id is not None:
        statement = statement.where(Grade.person_id == person_id)
    return statement if rubric is None else statement.where(Grade.rubric == rubric)


def person_in_topic(session: Session, topic: Topic, person_id: int) -> Person | None:
    """Return a person of the topic's course, or None."""
    person = session.get(Person, person_id)
    return person if person is not None and person.course_id == topic.course_id else None


def own_person_ids(session: Session, user: User) -> set[int]:
    """Return the people a user is in the courses they take as a student (their linked memberships)."""
    return {m.person_id for m in memberships(session, user) if m.role == CourseRole.STUDENT and m.person_id is not None}


@dataclass
class TopicWork:
    """A student's posts in one topic and their grades there (one per rubric the topic was graded with)."""

    topic: Topic
    posts: list[Post] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)


@dataclass
class CourseWork:
    """A course a student takes, with their work in each of its topics (topics they wrote nothing in left out)."""

    course: Course
    linked: bool  # False until an instructor links the student's account to their name in the course
    topics: list[TopicWork] = field(default_factory=list)


def own_work(session: Session, user: User) -> list[CourseWork]:
    """Return the courses a user takes as a student, each with their own posts and grades, topic by topic."""
    found = []
    for membership in memberships(session, user):
        if membership.role != CourseRole.STUDENT:
            continue
        course = session.get_one(Course, membership.course_id)
        work = CourseWork(course=course, linked=membership.person_id is not None)
        found.append(work)
        if membership.person_id is None:
            continue
        topics: dict[int, TopicWork] = {}
        posts = session.scalars(
            select(Post)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Topic.course_id == course.id, Post.author_id == membership.person_id, Post.deleted.is_(False))
            .order_by(Post.created_at.is_(None), Post.created_at, Post.id)
        )
        for post in posts:
            topics.setdefault(post.topic_id, TopicWork(session.get_one(Topic, post.topic_id))).posts.append(post)
        grades: defaultdict[int, list[Grade]] = defaultdict(list)
        for grade in session.scalars(select(Grade).where(Grade.person_id == membership.person_id).order_by(Grade.id)):
            grades[grade.topic_id].append(grade)
        for topic_id, topic_grades in grades.items():
            work_in = topics.setdefault(topic_id, TopicWork(session.get_one(Topic, topic_id)))
            current = current_rubric(work_in.topic)
            work_in.grades = [g for g in topic_grades if current is None or g.rubric == current]
        work.topics = sorted(topics.values(), key=_due_order)
    return found


def current_rubric(topic: Topic) -> str | None:
    """Return the name of the rubric a topic is graded with now, or None when it cannot be loaded (all then count)."""
    try:
        return topic_rubric(topic).name
    except RubricError:
        return None


def _due_order(work: TopicWork) -> tuple[bool, float, int]:
    due = work.topic.due_initial_at
    return (due is None, due.timestamp() if due else 0.0, work.topic.id)
