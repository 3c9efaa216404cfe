"""Sign-in sessions, CSRF protection, cookie flags, the proxies trusted, and the security headers on every response."""

from __future__ import annotations

import hmac

from flask import Flask, Response, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from forumgrader import store
from forumgrader.store.models import User

# Scripts and styles come only from our own static files: no inline script, no inline style, no CDN.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def init_app(app: Flask) -> None:
    """Set up sign-in, CSRF protection on every form (the token-authenticated API aside) and safe cookies."""
    _behind_proxies(app)
    _cookie_flags(app)
    login = LoginManager()
    login.session_protection = "strong"
    login.login_view = "auth.login"
    login.login_message = "Sign in to see this page."
    login.login_message_category = "info"
    login.user_loader(load_user)
    login.init_app(app)

    from forumgrader.web.api import blueprint as api

    csrf = CSRFProtect(app)
    csrf.exempt(api)
    app.after_request(add_security_headers)


def _behind_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the headers of the PROXY_FIX proxies in front, and only then."""
    proxies = int(app.config["PROXY_FIX"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _cookie_flags(app: Flask) -> None:
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config.update(
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SAMESITE=app.config["SESSION_COOKIE_SAMESITE"],
    )


def load_user(session_id: str) -> User | None:
    """Find the signed-in user of a session; a closed account, or one whose password changed since, is signed out."""
    user_id, _, _password = session_id.partition(".")
    try:
        user = store.session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.active or not hmac.compare_digest(user.get_id(), session_id):
        return None
    return user


def add_security_headers(response: Response) -> Response:
    """Add the security headers, and keep pages that may show private data out of caches."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
