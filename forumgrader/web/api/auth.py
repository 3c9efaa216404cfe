"""API authentication: `Authorization: Bearer <token>`; no cookies, so no CSRF."""

from __future__ import annotations

from typing import NoReturn, cast

from flask import g, request

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store.models import User
from forumgrader.web.errors import fail

_UNSET = object()


def bearer_token() -> str | None:
    """Return the token the request carries, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_user() -> User | None:
    """Return the owner of the request's API token, once per request; None without a valid token."""
    found = g.get("api_user", _UNSET)
    if found is _UNSET:
        token = bearer_token()
        session = store.session()
        found = accounts.user_for_token(session, token) if token else None
        session.commit()  # authentication records when the token was last used
        g.api_user = found
    return cast(User | None, found)


def refuse() -> NoReturn:
    """Answer 401, saying whether the token is missing or not valid."""
    if bearer_token() is None:
        fail(
            401,
            "Send an API token in the header `Authorization: Bearer <token>`. "
            "Make one with `forumgrader users token EMAIL`.",
        )
    fail(
        401,
        "This API token is not valid (it may have been revoked, or its account closed). "
        "Make a new one with `forumgrader users token EMAIL`.",
        code="invalid_token",
    )
