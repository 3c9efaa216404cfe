"""The grading view: one student at a time beside the class list, their posts with the citations marked and their
rubric with its overrides, with next and previous by link and by key. The class keeps the dashboard's order."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.grading import Rubric, RubricError
from forumgrader.grading.scores import points_text
from forumgrader.store import accounts
from forumgrader.store.dashboard import RowQuery
from forumgrader.store.grades import topic_rubric
from forumgrader.store.grading_view import class_rows, grading_page
from forumgrader.store.models import Person, Topic
from forumgrader.store.students import person_in_topic
from forumgrader.web.access import signed_in_user, topic_or_404
from forumgrader.web.errors import fail
from forumgrader.web.instructor.topics import row_query

blueprint = Blueprint("grading", __name__)


def query_values(query: RowQuery) -> dict[str, Any]:
    """Return the address values that keep the dashboard's sort and filters from one student to the next."""
    values: dict[str, Any] = {"sort": query.sort, "order": "desc" if query.descending else "asc"}
    if query.text:
        values["q"] = query.text
    if query.only:
        values["only"] = sorted(query.only)
    return values


@blueprint.get("/topics/<int:topic_id>/grading")
def first(topic_id: int) -> ResponseReturnValue:
    """Show the grading view of the first student, in the dashboard's order and filters."""
    topic = topic_or_404(topic_id)
    session = store.session()
    query = row_query(request.args)
    rubric = _rubric(topic)
    rows = class_rows(session, topic, rubric, query)
    if not rows:
        fail(404, "Nobody in this topic matches these filters: clear them on the topic's dashboard.")
    return _show(topic, session.get_one(Person, rows[0].person_id), query, rubric)


@blueprint.get("/topics/<int:topic_id>/grading/<int:person_id>")
def student(topic_id: int, person_id: int) -> ResponseReturnValue:
    """Show one student's posts and grade beside the class, ready to override and move on."""
    topic = topic_or_404(topic_id)
    person = person_in_topic(store.session(), topic, person_id)
    if person is None:
        abort(404)
    return _show(topic, person, row_query(request.args), _rubric(topic))


def _rubric(topic: Topic) -> Rubric:
    try:
        return topic_rubric(topic)
    except RubricError as error:
        fail(409, f"This topic's rubric cannot be read: {'; '.join(error.problems)}. Choose another on its dashboard.")


def _show(topic: Topic, person: Person, query: RowQuery, rubric: Rubric) -> ResponseReturnValue:
    session = store.session()
    page = grading_page(session, topic, rubric, person, query)
    if page is None:
        fail(404, f"{person.display_name or 'This student'} wrote nothing in this topic, so has no grade in it.")
    values = query_values(query)
    return render_template(
        "grading/student.html",
        grading=page,
        topic=topic,
        rubric=rubric,
        query=values,
        here=url_for("grading.student", topic_id=topic.id, person_id=person.id, **values),
        can_grade=accounts.can_grade_course(session, signed_in_user(), topic.course_id),
        points_text=points_text,
    )
