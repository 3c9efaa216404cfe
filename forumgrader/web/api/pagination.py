"""Long lists come in pages: ?page=1&per_page=50, answered as {items, page, per_page, total, pages}."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVarTuple

from flask import request
from sqlalchemy import Select, func, select

from forumgrader import store
from forumgrader.web.api.spec import Parameter, Schema
from forumgrader.web.errors import fail
from forumgrader.web.inputs import ID_MAX, whole_number

Columns = TypeVarTuple("Columns")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
PAGE_PARAMETERS = (
    Parameter("page", "Which page, from 1.", {"type": "integer", "minimum": 1, "maximum": ID_MAX, "default": 1}),
    Parameter(
        "per_page",
        f"How many items per page, at most {MAX_PER_PAGE}.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    ),
)


def page_of(item: Schema) -> Schema:
    """Return the schema of a page of items."""
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": item},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
        },
    }


def _whole_number(name: str, default: int, maximum: int = ID_MAX) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    number = whole_number(raw, maximum)
    if number is None or number < 1:
        fail(400, f"`{name}` must be a whole number from 1 to {maximum}; got {raw!r}.", code="invalid_parameter")
    return number


def _page_asked() -> tuple[int, int]:
    return _whole_number("page", 1), _whole_number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)


def paginate(statement: Select[*Columns], write: Callable[[tuple[*Columns]], dict[str, Any]]) -> dict[str, Any]:
    """Answer one page of a statement's rows, as the request's page and per_page ask."""
    page, per_page = _page_asked()
    session = store.session()
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": [write(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": -(-total // per_page),
    }


def paginate_items(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Answer one page of a list built in memory (findings gathered from several reports), as paginate does."""
    page, per_page = _page_asked()
    total = len(items)
    return {
        "items": list(items[(page - 1) * per_page : page * per_page]),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": -(-total // per_page),
    }
