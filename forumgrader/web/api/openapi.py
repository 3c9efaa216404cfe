"""API: the OpenAPI document of every route."""

from __future__ import annotations

from typing import Any

from forumgrader.web.api import registry


@registry.route(
    "/openapi.json",
    summary="Describe this API (OpenAPI 3.1)",
    response={"type": "object", "description": "An OpenAPI 3.1 document"},
    errors=(),
    public=True,
)
def openapi() -> dict[str, Any]:
    """This document: every route, its parameters and its answers."""
    return registry.document()
