"""Request bodies: strict JSON (forumgrader.web.inputs) that matches the schema its route declares, else a 400."""

from __future__ import annotations

import json
from typing import Any, cast

from flask import request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from forumgrader.web.api.spec import Schema
from forumgrader.web.errors import fail
from forumgrader.web.inputs import strict_loads

TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "object": "a JSON object",
         "array": "a list", "boolean": "true or false", "null": "null"}  # fmt: skip


def json_body(declared: Schema, *, what: str) -> Any:
    """Return the request's JSON body once it matches the route's declared body (its application/json schema).

    `what` says, in a 400's message, what a good body looks like.
    """
    if not request.is_json:
        fail(400, f"Send {what}, with Content-Type: application/json.")
    try:
        body = strict_loads(request.get_data(cache=True))
    except ValueError as error:
        fail(400, f"The body is not JSON we can read: {error}. Send {what}.")
    problem = best_match(Draft202012Validator(declared["application/json"]["schema"]).iter_errors(body))
    if problem is not None:  # a wrong value of a key is an invalid parameter; a wrong or incomplete body, a bad request
        fail(400, f"{_say(problem)}. Send {what}.", code="invalid_parameter" if problem.absolute_path else None)
    return body


def _say(problem: ValidationError) -> str:
    """Say what is wrong with a value in words, naming it as the body's key path (`note`, `items[2].id`)."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem.absolute_path)
    where = f"`{path.lstrip('.')}`" if path else "The body"
    rule, value = problem.validator, cast(Any, problem.validator_value)
    if rule == "type":
        return f"{where} must be {TYPES.get(str(value), str(value))}"
    if rule == "enum":
        return f"{where} must be {' or '.join(json.dumps(choice) for choice in value)}, not {_short(problem.instance)}"
    if rule in ("minimum", "maximum"):
        return f"{where} must be {'at least' if rule == 'minimum' else 'at most'} {value}"
    if rule in ("minLength", "maxLength"):
        return f"{where} must be {'at least' if rule == 'minLength' else 'at most'} {value} characters long"
    return f"{where}: {problem.message[:200]}"


def _short(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:59] + "…"
