"""The grading view of one student: the class beside them in the dashboard's order, their posts with the citations
marked, and their grade with its overrides. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from forumgrader.grading import Rubric
from forumgrader.store.dashboard import StudentRow, topic_dashboard
from forumgrader.store.models import Person, Topic
from forumgrader.store.posts import PostPage, post_page, student_posts
from forumgrader.store.student_rows import RowQuery, matches, sort_rows


@dataclass(frozen=True, slots=True)
class GradingPage:
    """One student of a topic as the grading view shows them, among the students the query keeps."""

    topic: Topic
    person: Person
    students: list[StudentRow]  # in the query's order; the student shown is always among them
    posts: list[PostPage]  # main posts first, then replies, oldest first; the first carries the grade

    @property
    def place(self) -> int:
        """Return the shown student's index in `students`."""
        return next(i for i, row in enumerate(self.students) if row.person_id == self.person.id)

    @property
    def previous(self) -> StudentRow | None:
        """Return the student before this one, if any."""
        return self.students[self.place - 1] if self.place > 0 else None

    @property
    def next(self) -> StudentRow | None:
        """Return the student after this one, if any."""
        return self.students[self.place + 1] if self.place + 1 < len(self.students) else None

    @property
    def graded(self) -> PostPage | None:
        """Return the post page that carries the student's grade and overrides (their first post)."""
        return self.posts[0] if self.posts else None


def grading_page(
    session: Session, topic: Topic, rubric: Rubric, person_id: int | None, query: RowQuery
) -> GradingPage | None:
    """Read the grading view of a student of the topic (None: the first the query keeps), or None when there is no
    such student or they wrote nothing there. The student stays in the list even when the query's filters leave them
    out: grading them may change what the filters keep."""
    rows = sort_rows(topic_dashboard(session, topic, rubric).students, query)
    if person_id is None:
        person_id = next((row.person_id for row in rows if matches(row, query)), None)
    students = [row for row in rows if matches(row, query) or row.person_id == person_id]
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None or not any(row.person_id == person.id for row in students):
        return None
    posts = sorted(student_posts(session, topic.id, person.id), key=lambda post: post.parent_id is not None)
    pages = [post_page(session, post, rubric.name if index == 0 else None) for index, post in enumerate(posts)]
    return GradingPage(topic=topic, person=person, students=students, posts=pages)
