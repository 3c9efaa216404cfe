"""A course's class list as its roster page shows it: each student, the ids each gradebook matches on, whether they
are enrolled, and in which topics they never posted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store.models import Course, Person, Post, RosterImport, Topic
from forumgrader.store.rosters import STAFF_ROLES, latest_roster


@dataclass(frozen=True, slots=True)
class ClassMember:
    """One student of the course."""

    person: Person
    posts: dict[int, int]  # topic id -> posts written there

    @property
    def name(self) -> str:
        """Return the name to show."""
        return self.person.display_name or self.person.key


@dataclass(frozen=True, slots=True)
class ClassList:
    """A course's students, by name, and its topics."""

    course: Course
    students: list[ClassMember]
    topics: list[Topic]
    roster: RosterImport | None  # the latest roster brought in

    def never_posted(self, topic: Topic) -> list[ClassMember]:
        """Return the enrolled students who wrote nothing in a topic."""
        return [member for member in self.students if member.person.enrolled and not member.posts.get(topic.id)]

    @property
    def enrolled(self) -> int:
        """Return how many students the roster lists."""
        return sum(1 for member in self.students if member.person.enrolled)


def class_list(session: Session, course: Course) -> ClassList:
    """Read a course's students with their posts per topic, in two queries."""
    people = session.scalars(select(Person).where(Person.course_id == course.id, Person.role.not_in(STAFF_ROLES))).all()
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = session.execute(
        select(Post.author_id, Post.topic_id, func.count())
        .join(Topic, Topic.id == Post.topic_id)
        .where(Topic.course_id == course.id, Post.deleted.is_(False), Post.author_id.is_not(None))
        .group_by(Post.author_id, Post.topic_id)
    )
    for author_id, topic_id, count in rows:
        if author_id is not None:
            counts[author_id][topic_id] = count
    students = sorted(
        (ClassMember(person, counts.get(person.id, {})) for person in people),
        key=lambda member: ((member.person.sortable_name or member.name).casefold(), member.person.id),
    )
    topics = list(session.scalars(select(Topic).where(Topic.course_id == course.id).order_by(Topic.id)))
    return ClassList(course, students, topics, latest_roster(session, course.id))
