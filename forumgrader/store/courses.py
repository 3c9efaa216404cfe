"""Courses and their topics as pages list them: who is in a course, what it holds, how many posts each topic has."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from forumgrader.store.models import Course, Person, Post, Topic, User
from forumgrader.store.students import readable_posts


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A topic as a course page lists it; `posts` counts what the reader may see (a student: their own)."""

    topic: Topic
    posts: int


def course_by_name(session: Session, name: str) -> Course | None:
    """Find a course by its name, ignoring case."""
    return session.scalar(select(Course).where(func.lower(Course.name) == name.strip().lower()))


def course_names(session: Session) -> list[str]:
    """Return the names of every course, in order."""
    return list(session.scalars(select(Course.name).order_by(func.lower(Course.name))))


def create_course(session: Session, name: str) -> Course:
    """Start an empty course (imports fill it)."""
    course = Course(name=name.strip())
    session.add(course)
    session.flush()
    return course


def topics_statement(session: Session, user: User, course_id: int) -> Select[Topic, int]:
    """Select a course's topics with the number of posts the user may see in each, earliest due first."""
    counted = (
        select(func.count(Post.id))
        .where(Post.topic_id == Topic.id, Post.deleted.is_(False), readable_posts(session, user, course_id))
        .correlate(Topic)
        .scalar_subquery()
    )
    return (
        select(Topic, counted)
        .where(Topic.course_id == course_id)
        .order_by(Topic.due_initial_at.is_(None), Topic.due_initial_at, Topic.id)
    )


def course_topics(session: Session, user: User, course_id: int) -> list[TopicRow]:
    """Return a course's topics as the user's course page lists them."""
    rows = session.execute(topics_statement(session, user, course_id))
    return [TopicRow(topic, posts) for topic, posts in rows]


def topic_row(session: Session, user: User, topic: Topic) -> TopicRow:
    """Return one topic with the number of posts the user may see in it."""
    statement = topics_statement(session, user, topic.course_id).where(Topic.id == topic.id)
    found, posts = session.execute(statement).one()
    return TopicRow(found, posts)


def find_people(session: Session, course_id: int, words: str) -> list[Person]:
    """Find the people of a course by LMS id, SIS id, login, email, importer key or name (ignoring case)."""
    wanted = words.strip().lower()
    columns = (Person.key, Person.lms_user_id, Person.sis_user_id, Person.login_id, Person.email)
    exact = or_(*(func.lower(column) == wanted for column in columns))
    by_id = list(session.scalars(select(Person).where(Person.course_id == course_id, exact).order_by(Person.id)))
    if by_id:
        return by_id
    by_name = or_(func.lower(Person.display_name) == wanted, func.lower(Person.sortable_name) == wanted)
    return list(session.scalars(select(Person).where(Person.course_id == course_id, by_name).order_by(Person.id)))
