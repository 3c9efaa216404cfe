"""API: the courses a token's owner may see, and their topics."""

from __future__ import annotations

from typing import Any

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store import courses as course_store
from forumgrader.web.access import course_or_404, signed_in_user, topic_or_404
from forumgrader.web.api import registry
from forumgrader.web.api.pagination import PAGE_PARAMETERS, page_of, paginate
from forumgrader.web.api.resources import COURSE, TOPIC, course_json, topic_json


@registry.route(
    "/courses",
    summary="List the courses you can see",
    response=page_of(COURSE),
    query=PAGE_PARAMETERS,
    errors=(400, 401),
)
def courses() -> dict[str, Any]:
    """Courses you teach, assist or take (every course for an admin), by name."""
    statement = accounts.visible_courses_statement(signed_in_user())
    return paginate(statement, lambda row: course_json(row[0], row[1] or accounts.Role.ADMIN.value))


@registry.route("/courses/<int:course_id>", summary="Show one course", response=COURSE)
def course(course_id: int) -> dict[str, Any]:
    """A course and your role in it."""
    found = course_or_404(course_id)
    role = accounts.course_role(store.session(), signed_in_user(), found.id)
    return course_json(found, role or accounts.Role.ADMIN.value)


@registry.route(
    "/courses/<int:course_id>/topics",
    summary="List a course's topics",
    response=page_of(TOPIC),
    query=PAGE_PARAMETERS,
    errors=(400, 401, 404),
)
def course_topics(course_id: int) -> dict[str, Any]:
    """The course's discussions, earliest due first, with the number of posts you may see in each."""
    found = course_or_404(course_id)
    statement = course_store.topics_statement(store.session(), signed_in_user(), found.id)
    return paginate(statement, lambda row: topic_json(row[0], row[1]))


@registry.route("/topics/<int:topic_id>", summary="Show one topic", response=TOPIC)
def topic(topic_id: int) -> dict[str, Any]:
    """A discussion topic: its prompt, due dates and points."""
    row = course_store.topic_row(store.session(), signed_in_user(), topic_or_404(topic_id))
    return topic_json(row.topic, row.posts)
