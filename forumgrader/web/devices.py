"""Browsers that signed in to an account before, known by a signed cookie, so that no attack locks the owner out.

Failed sign-ins are throttled per account and per address (forumgrader.web.limits). An attacker hammering one account
from many addresses would use up that account's budget and lock its owner out for as long as the attack lasts.
OWASP's answer is the device cookie: a browser that signed in to the account carries a cookie saying so, signed with
the app's key, and its attempts count against its own budget instead of the account's and the address's. A copied
or stolen device cookie is worth no more than a password guess: it still needs the password, within its own budget.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from forumgrader.store.accounts import normalise_email

COOKIE = "forumgrader_device"
LIFETIME = timedelta(days=365)
_SALT = "forumgrader.device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def remember_device(response: Response, email: str) -> None:
    """Give the browser that just signed in a cookie naming the account (kept a year, sent only to this site)."""
    token = _serializer().dumps({"account": normalise_email(email), "device": secrets.token_urlsafe(16)})
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        samesite="Lax",
    )


def known_device() -> str | None:
    """Return the id of this browser if it signed in before to the account the form names, else None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        found = _serializer().loads(token, max_age=int(LIFETIME.total_seconds()))
    except BadData:
        return None
    if not isinstance(found, dict) or found.get("account") != submitted_account():
        return None
    device = found.get("device")
    return device if isinstance(device, str) else None


def submitted_account() -> str:
    """Return the account a sign-in form names, as accounts are looked up."""
    return normalise_email(request.form.get("email", ""))[:300]


def address_and_account() -> str:
    """Key a sign-in by the browser when it is known to the account, else by its address and the account named."""
    device = known_device()
    return f"device:{device}" if device else f"{get_remote_address()}|{submitted_account()}"


def account() -> str:
    """Key a sign-in by the account the form names."""
    return f"account:{submitted_account()}"
