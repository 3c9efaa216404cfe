"""The web layer: pages for instructors, students and reviewers, and the JSON API, behind one access table."""

from __future__ import annotations

from flask import Flask

from forumgrader.web import (
    access,
    api,
    auth,
    courses,
    errors,
    inputs,
    instructor,
    jobs,
    limits,
    lti,
    review,
    security,
    student,
    templating,
)

BLUEPRINTS = (
    auth.blueprint,
    courses.blueprint,
    jobs.blueprint,
    *student.BLUEPRINTS,
    *instructor.BLUEPRINTS,
    review.blueprint,
    *lti.BLUEPRINTS,
)


def init_app(app: Flask) -> None:
    """Register the input checks, sign-in, CSRF protection, security headers, error pages, the blueprints, access
    rules and rate limits."""
    inputs.init_app(app)  # first: the `int` converter it bounds is read when routes are added
    security.init_app(app)
    errors.init_app(app, wants_json=api.is_api_request)
    templating.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    api.init_app(app)
    lti.init_app(app)
    access.init_app(app)
    limits.init_app(app)  # last: it wraps the views that declare a named limit
