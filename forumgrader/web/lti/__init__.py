"""LTI pages: the LMS's doors (login, launch, keys, deep linking), admins' platform registrations, grade passback."""

from __future__ import annotations

from flask import Flask

from forumgrader.web.lti import admin, frames, launch, lms

BLUEPRINTS = (launch.blueprint, admin.blueprint, lms.blueprint)


def init_app(app: Flask) -> None:
    """Exempt the platform's posts from CSRF tokens (state and nonce protect them) and let the LMS frame pages."""
    csrf = app.extensions["csrf"]
    csrf.exempt(launch.login)
    csrf.exempt(launch.launch)
    frames.init_app(app)
