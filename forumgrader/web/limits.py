"""Rate limits, named so that several views share one budget (the self-check page and API), each per client address
or per what else its key says.

Failed sign-ins have three budgets, so that none locks out more than the attack: per address and account (ten
failures from one address at one account stop that, not the colleague at the next desk behind the same NAT signing in
to their own), per account from any address, and per address at any account (many addresses at one account, one
address at many). A browser that signed in to the account before (forumgrader.web.devices) is counted on its own
budget instead, so that its owner is never locked out by someone else's attempts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, Response
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from forumgrader.web import devices

View = TypeVar("View", bound=Callable[..., Any])
MARK = "forumgrader_limit"
WRAPPED = "forumgrader_limited"
EXTENSION = "forumgrader.limiter"


def _failed_sign_in(response: Response) -> bool:
    return response.status_code != 302  # a successful sign-in redirects; only failures use up the budget


def _known_device() -> bool:
    return devices.known_device() is not None


@dataclass(frozen=True, slots=True)
class NamedLimit:
    """A limit whose value is read from the configuration when a request arrives."""

    config_key: str
    methods: tuple[str, ...] | None = None
    counts: Callable[[Response], bool] | None = None  # which answers use up the budget (default: all)
    key: Callable[[], str] = get_remote_address  # whose budget a request uses
    exempt: Callable[[], bool] | None = None  # requests this limit does not apply to
    says: str | None = None  # what a 429 says was too many (default: requests from your address)


def _sign_in(config_key: str, says: str, **options: Any) -> NamedLimit:
    return NamedLimit(config_key, methods=("POST",), counts=_failed_sign_in, says=says, **options)


NAMED_LIMITS: dict[str, tuple[NamedLimit, ...]] = {
    "self_check": (NamedLimit("SELF_CHECK_RATE_LIMIT"),),
    "sign_in": (
        _sign_in("SIGN_IN_RATE_LIMIT", "Too many failed sign-ins to this account", key=devices.address_and_account),
        _sign_in(
            "SIGN_IN_ACCOUNT_RATE_LIMIT",
            "Too many failed sign-ins to this account from elsewhere (a browser that signed in to it before still can)",
            key=devices.account,
            exempt=_known_device,
        ),
        _sign_in("SIGN_IN_ADDRESS_RATE_LIMIT", "Too many failed sign-ins from your address", exempt=_known_device),
    ),
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
        wrapped: Any = view
        for limit in NAMED_LIMITS[name]:
            wrapped = limiter.shared_limit(
                _configured(app, limit.config_key),
                scope=f"{name}:{limit.config_key}",
                key_func=limit.key,
                methods=list(limit.methods) if limit.methods else None,
                deduct_when=limit.counts,
                exempt_when=limit.exempt,
                error_message=limit.says,
            )(wrapped)
        setattr(wrapped, WRAPPED, True)
        app.view_functions[endpoint] = cast(RouteCallable, wrapped)


def _configured(app: Flask, key: str) -> Callable[[], str]:
    """Read a limit from the configuration on each request, so a changed setting applies without a restart."""
    return lambda: str(app.config[key])
