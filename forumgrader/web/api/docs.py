"""API: its documentation page, Swagger UI over the OpenAPI document, served from our own static files."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from forumgrader.web.api import URL_PREFIX, blueprint, registry


@blueprint.get("/")
def docs() -> ResponseReturnValue:
    """Show the API's routes, parameters and answers, drawn from /api/v1/openapi.json."""
    document = registry.document()
    return render_template("api/docs.html", info=document["info"], openapi_version=document["openapi"], base=URL_PREFIX)
