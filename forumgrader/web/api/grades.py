"""API: a topic's stored grades (its instructors), and one student's (theirs too), with every criterion's reasons."""

from __future__ import annotations

from typing import Any

from flask import abort, request

from forumgrader import store
from forumgrader.store.models import Topic
from forumgrader.store.students import current_rubric, grades_statement, person_in_topic
from forumgrader.web.access import topic_or_404
from forumgrader.web.api import registry
from forumgrader.web.api.pagination import PAGE_PARAMETERS, page_of, paginate
from forumgrader.web.api.resources import GRADE, PERSON_GRADES, grade_json, person_json
from forumgrader.web.api.spec import Parameter

RUBRIC = Parameter(
    "rubric",
    "The rubric whose grades to list (a topic graded with several keeps each); default: the topic's rubric.",
    {"type": "string"},
)


def _rubric(topic: Topic) -> str | None:
    """The rubric asked for, else the topic's; None (every rubric) when the topic's rubric cannot be loaded."""
    return request.args.get("rubric", "").strip() or current_rubric(topic)


@registry.route(
    "/topics/<int:topic_id>/grades",
    summary="List a topic's grades",
    response=page_of(GRADE),
    query=(RUBRIC, *PAGE_PARAMETERS),
    errors=(400, 401, 403, 404),
)
def topic_grades(topic_id: int) -> dict[str, Any]:
    """Each student's last computed grade in a topic, by name, with the points and reasons of every criterion."""
    topic = topic_or_404(topic_id)
    return paginate(grades_statement(topic.id, rubric=_rubric(topic)), lambda row: grade_json(*row))


@registry.route(
    "/topics/<int:topic_id>/grades/<int:person_id>",
    summary="Show one student's grades in a topic",
    response=PERSON_GRADES,
    query=(RUBRIC,),
    errors=(401, 403, 404),
)
def person_grades(topic_id: int, person_id: int) -> dict[str, Any]:
    """A student's grade in a topic with its breakdown (`grades` is empty until the topic is graded). Students may
    read their own."""
    topic = topic_or_404(topic_id)
    person = person_in_topic(store.session(), topic, person_id)
    if person is None:
        abort(404)
    rows = store.session().execute(grades_statement(topic.id, person.id, rubric=_rubric(topic)))
    return {"person": person_json(person), "grades": [grade_json(grade, row_person) for grade, row_person in rows]}
