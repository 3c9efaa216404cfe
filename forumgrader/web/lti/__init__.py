"""LTI pages: the LMS's doors (login, launch, keys, deep linking), admins' platform registrations, grade passback."""

from __future__ import annotations

from flask import Flask

from forumgrader.web.lti import admin, frames, launch, lms

BLUEPRINTS = (launch.blueprint, admin.blueprint, lms.blueprint)


def init_app(app: Flask) -> None:
    """Exempt the platform's posts from CSRF tokens (state and nonce protect them), let the LMS frame pages, and
    behind HTTPS give the session cookie the flags an LMS's iframe needs (LTI_IFRAME_COOKIES)."""
    if app.config["LTI_IFRAME_COOKIES"] and app.config["SESSION_COOKIE_SECURE"]:
        # a cross-site frame sends only SameSite=None cookies; Partitioned keeps them where third-party ones are split
        app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_PARTITIONED=True,
                          REMEMBER_COOKIE_SAMESITE="None")  # fmt: skip
    csrf = app.extensions["csrf"]
    csrf.exempt(launch.login)
    csrf.exempt(launch.launch)
    frames.init_app(app)
