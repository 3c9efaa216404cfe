"""The grading view: one student at a time beside the class list, their posts with the citations marked and their
rubric with its overrides, with next and previous by link and by key. The class keeps the dashboard's order."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.grading import Rubric, RubricError
from forumgrader.grading.scores import points_text
from forumgrader.store import accounts
from forumgrader.store.grades import topic_rubric
from forumgrader.store.grading_view import grading_page
from forumgrader.store.models import Person, Topic
from forumgrader.store.student_rows import RowQuery
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
    return _show(topic, None, row_query(request.args))


@blueprint.get("/topics/<int:topic_id>/grading/<int:person_id>")
def student(topic_id: int, person_id: int) -> ResponseReturnValue:
    """Show one student's posts and grade beside the class, ready to override and move on."""
    topic = topic_or_404(topic_id)
    if person_in_topic(store.session(), topic, person_id) is None:
        abort(404)
    return _show(topic, person_id, row_query(request.args))


def _rubric(topic: Topic) -> Rubric:
    try:
        return topic_rubric(topic)
    except RubricError as error:
        fail(409, f"This topic's rubric cannot be read: {'; '.join(error.problems)}. Choose another on its dashboard.")


def _show(topic: Topic, person_id: int | None, query: RowQuery) -> ResponseReturnValue:
    session = store.session()
    rubric = _rubric(topic)
    page = grading_page(session, topic, rubric, person_id, query)
    if page is None and person_id is None:
        fail(404, "Nobody in this topic matches these filters: clear them on the topic's dashboard.")
    if page is None:
        person = session.get_one(Person, person_id)
        fail(404, f"{person.display_name or 'This student'} wrote nothing in this topic, so has no grade in it.")
    values = query_values(query)
    # one address built, not one per student: the list holds the whole class
    prefix = url_for("grading.student", topic_id=topic.id, person_id=0).removesuffix("0")
    return render_template(
        "grading/student.html",
        grading=page,
        topic=topic,
        rubric=rubric,
        query=values,
        student_prefix=prefix,
        query_string=urlencode(values, doseq=True),
        here=url_for("grading.student", topic_id=topic.id, person_id=page.person.id, **values),
        can_grade=accounts.can_grade_course(session, signed_in_user(), topic.course_id),
        points_text=points_text,
    )
