"""Errors as people meet them: a page in the browser, and one JSON shape under /api/v1."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import NoReturn

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from forumgrader.web.limits import EXTENSION as LIMITER

log = logging.getLogger(__name__)

# the `error` code of the API's error shape, per HTTP status
ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
}
# codes views may give instead of their status's, to say more precisely what was wrong
SPECIFIC_CODES = frozenset({"invalid_parameter", "invalid_token", "invalid_upload"})

MESSAGES: dict[int, str] = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You do not have access to this.",
    404: "There is nothing here, or it is not yours to see. Check the address.",
    405: "This address does not accept {method} requests.",
    413: "The upload is larger than the {limit} limit.",
    429: "Too many requests from your address: wait a little and try again.",
    500: "Something went wrong on our side. Try again; if it keeps happening, tell your administrator.",
}


def fail(status: int, message: str, *, code: str | None = None) -> NoReturn:
    """Stop the request with an error a person reads (JSON under /api/v1, a page elsewhere)."""
    error = default_exceptions[status](description=message)
    error.forumgrader_code = code  # type: ignore[attr-defined]
    raise error


def init_app(app: Flask, *, wants_json: Callable[[], bool]) -> None:
    """Answer every HTTP error with a page, or with the JSON error shape when `wants_json()` (the API's requests)."""

    def handle(error: HTTPException) -> ResponseReturnValue:
        return _as_json(error) if wants_json() else _as_page(error)

    app.register_error_handler(HTTPException, handle)
    app.register_error_handler(CSRFError, handle)


def message_for(error: HTTPException) -> str:
    """Return what to tell the user about an error: the view's own words, or ours for its status."""
    status = error.code or 500
    if isinstance(error, CSRFError):  # its own description ("The CSRF token is missing.") means nothing to people
        return "This form has expired. Reload the page and try again."
    if isinstance(error, RateLimitExceeded):  # the limiter describes the limit only ("3 per 1 minute")
        says = error.description if error.limit.error_message else "Too many requests from your address"
        return f"{says} (at most {error.limit.limit}): try again {_retry_in()}."
    if error.description and error.description != type(error).description:
        return error.description
    template = MESSAGES.get(status, error.name)
    return template.format(method=request.method, limit=human_size(current_app.config["MAX_IMPORT_BYTES"]))


def _retry_in() -> str:
    """Say when the limit that was hit lets the client in again: "in 42 seconds", "in 3 minutes"."""
    limiter = current_app.extensions.get(LIMITER)
    limit = limiter.current_limit if limiter is not None else None
    if limit is None:
        return "in a little while"
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    if seconds < 120:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 2 * 3600:
        return f"in {math.ceil(seconds / 60)} minutes"
    return f"in {math.ceil(seconds / 3600)} hours"


def human_size(size: int) -> str:
    """Write a number of bytes the way people say it: 50 MB, 300 KB."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def _log_unexpected(error: HTTPException) -> None:
    if isinstance(error, InternalServerError):
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=error.original_exception)


def _kept_headers(error: HTTPException) -> dict[str, str]:
    """What the error's own response would have said in its headers (Allow on a 405, Retry-After on a 429)."""
    return {key: value for key, value in error.get_headers() if key.lower() != "content-type"}


def _as_json(error: HTTPException) -> Response:
    _log_unexpected(error)
    status = error.code or 500
    code = getattr(error, "forumgrader_code", None) or ERROR_CODES.get(status, "error")
    response = jsonify(error=code, message=message_for(error))
    response.status_code = status
    response.headers.update(_kept_headers(error))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="forumgrader"'
    return response


def _as_page(error: HTTPException) -> ResponseReturnValue:
    _log_unexpected(error)
    status = error.code or 500
    page = render_template("errors/error.html", status=status, title=error.name, message=message_for(error))
    return page, status, _kept_headers(error)
