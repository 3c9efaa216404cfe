"""The JSON API under /api/v1: token authentication, one error shape, and an OpenAPI document built from its routes."""

from __future__ import annotations

from flask import Blueprint, Flask, request

from forumgrader.web.api.spec import Registry

URL_PREFIX = "/api/v1"
blueprint = Blueprint("api", __name__)
registry = Registry(blueprint, prefix=URL_PREFIX, title="forumgrader API", version="1")


def is_api_request() -> bool:
    """Tell whether the current request is addressed to the JSON API (even when no route matched)."""
    return request.path == URL_PREFIX or request.path.startswith(URL_PREFIX + "/")


def init_app(app: Flask) -> None:
    """Declare every API route, then register the blueprint."""
    from forumgrader.web.api import checks, courses, docs, grades, jobs, openapi, posts, reviews  # noqa: F401  (routes)

    app.register_blueprint(blueprint, url_prefix=URL_PREFIX)
