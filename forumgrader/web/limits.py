"""Rate limits per client address, named so that several views can share one budget (the self-check page and API)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, Response
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

View = TypeVar("View", bound=Callable[..., Any])
MARK = "forumgrader_limit"
WRAPPED = "forumgrader_limited"
EXTENSION = "forumgrader.limiter"


def _failed_sign_in(response: Response) -> bool:
    return response.status_code != 302  # a successful sign-in redirects; only failures use up the budget


@dataclass(frozen=True, slots=True)
class NamedLimit:
    """A limit whose value is read from the configuration when a request arrives."""

    config_key: str
    methods: tuple[str, ...] | None = None
    counts: Callable[[Response], bool] | None = None  # which answers use up the budget (default: all)


NAMED_LIMITS: dict[str, NamedLimit] = {
    "self_check": NamedLimit("SELF_CHECK_RATE_LIMIT"),
    "sign_in": NamedLimit("SIGN_IN_RATE_LIMIT", methods=("POST",), counts=_failed_sign_in),
}


def limited(name: str) -> Callable[[View], View]:
    """Put a view under a named limit; views sharing a name share one budget per client address."""
    if name not in NAMED_LIMITS:
        raise KeyError(f"no rate limit named {name!r}: add it to NAMED_LIMITS")

    def mark(view: View) -> View:
        setattr(view, MARK, name)
        return view

    return mark


def init_app(app: Flask) -> Limiter:
    """Create the app's limiter (storage: RATELIMIT_STORAGE_URI) and put the marked views under their named limits.

    Call it after every blueprint is registered: it wraps the views it finds.
    """
    limiter = Limiter(get_remote_address, app=app, headers_enabled=True)
    app.extensions[EXTENSION] = limiter
    apply_named_limits(app)
    return limiter


def apply_named_limits(app: Flask) -> None:
    """Wrap each marked view of the app in its named limit (once; views added later can be wrapped by calling again)."""
    limiter: Limiter = app.extensions[EXTENSION]
    for endpoint, view in list(app.view_functions.items()):
        name = getattr(view, MARK, None)
        if name is None or getattr(view, WRAPPED, False):
            continue
        limit = NAMED_LIMITS[name]
        wrapped = limiter.shared_limit(
            _configured(app, limit.config_key),
            scope=name,
            methods=list(limit.methods) if limit.methods else None,
            deduct_when=limit.counts,
        )(view)
        setattr(wrapped, WRAPPED, True)
        app.view_functions[endpoint] = cast(RouteCallable, wrapped)


def _configured(app: Flask, key: str) -> Callable[[], str]:
    """Read a limit from the configuration on each request, so a changed setting applies without a restart."""
    return lambda: str(app.config[key])
