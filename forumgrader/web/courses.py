"""The home page (your courses, by role) and a course's page (its topics)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store import courses as course_store
from forumgrader.store.models import Course
from forumgrader.web.access import course_or_404, current_actor, signed_in_user

blueprint = Blueprint("courses", __name__)

# the home page's sections, in order: the role a user has in a course -> the heading of its list
SECTIONS = {
    "instructor": "Courses you teach",
    "ta": "Courses you assist",
    "student": "Courses you take",
    "admin": "Other courses (you see them as an administrator)",
}


@blueprint.get("/")
def home() -> ResponseReturnValue:
    """Show a signed-in user their courses; invite everyone else to check a draft or sign in."""
    user = current_actor()
    if user is None:
        return render_template("courses/welcome.html")
    sections: dict[str, list[Course]] = {role: [] for role in SECTIONS}
    for course, role in accounts.visible_courses(store.session(), user):
        sections[role].append(course)
    return render_template("courses/home.html", sections=sections, headings=SECTIONS)


@blueprint.get("/courses/<int:course_id>")
def course(course_id: int) -> ResponseReturnValue:
    """List a course's topics with their due dates and posts."""
    found = course_or_404(course_id)
    user = signed_in_user()
    session = store.session()
    return render_template(
        "courses/course.html",
        course=found,
        role=accounts.course_role(session, user, found.id),
        rows=course_store.course_topics(session, user, found.id),
    )
