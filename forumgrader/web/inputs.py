"""Inputs checked at the edge: ids a database can hold, numbers that are numbers, strict JSON, no NUL characters.

A bad value gets a 400 that says what is wrong, never a 500 from deeper down: an id in the address beyond the id
columns (OverflowError on SQLite) is a 404 like any unknown id; a query or form number is read by `whole_number` or
`decimal_number`; JSON is read by `strict_loads` (forumgrader.strict_json: no lone surrogates, NaN, Infinity, numbers
beyond 64 bits or NUL characters), at most MAX_JSON_DEPTH deep; and a NUL character, which PostgreSQL text cannot
hold, is refused in any form field or query parameter.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map

from forumgrader import strict_json
from forumgrader.store.ids import ID_MAX, whole_number
from forumgrader.web.errors import fail

__all__ = ["ID_MAX", "decimal_number", "init_app", "strict_loads", "whole_number"]

MAX_JSON_DEPTH = 64  # arrays and objects within each other; the API's bodies need three
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,12}(?:[.,][0-9]{0,6})?|[.,][0-9]{1,6})")


class IdConverter(IntegerConverter):
    """Flask's `int` converter, kept to the ids a database holds: a larger one matches no route (a 404)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max)


def decimal_number(raw: str | None, *, low: float, high: float) -> float | None:
    """Return the text as a finite number within [low, high] ("7", "7.5", "7,5"), or None when it is not one."""
    if raw is None or not _DECIMAL.fullmatch(raw.strip()):
        return None
    number = float(raw.strip().replace(",", "."))
    return number if math.isfinite(number) and low <= number <= high else None


def strict_loads(data: str | bytes) -> Any:
    """Parse a request's JSON strictly (forumgrader.strict_json), at most MAX_JSON_DEPTH deep, or raise ValueError."""
    return strict_json.loads(data, max_depth=MAX_JSON_DEPTH)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with `strict_loads`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return strict_loads(s)


def _refuse_nul() -> None:
    for name, value in (*request.args.items(multi=True), *request.form.items(multi=True)):
        if "\x00" in f"{name}{value}":
            fail(400, f"“{name[:40]}” holds a NUL character, which no text we keep may hold: remove it.")


def init_app(app: Flask) -> None:
    """Bound the `int` converter, read JSON strictly, and refuse NUL in forms and queries (before any blueprint)."""
    app.url_map.converters["int"] = IdConverter
    app.json = StrictJSONProvider(app)
    app.before_request(_refuse_nul)
