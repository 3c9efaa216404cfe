"""What templates can use: our templates and static files, the `|safe_html` filter, and a few helpers.

Static files are served under an address that names their version (/static/<version>/js/main.js, the version a hash
of every static file), so browsers keep them for a year without asking again, and an upgrade changes every address.
Scripts import each other by relative address, so they share the version too.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, send_from_directory, url_for
from werkzeug.routing import BuildError

from forumgrader.web import access
from forumgrader.web.sanitize import safe_html
from forumgrader.web.verdicts import RETRACTED, VERDICTS

HERE = Path(__file__).parent
STATIC = HERE / "static"
VERSION_LENGTH = 12
CACHED_SECONDS = 365 * 24 * 3600  # a versioned address never changes content
ROLE_NAMES = {"admin": "Administrator", "instructor": "Instructor", "ta": "Teaching assistant", "student": "Student"}


def init_app(app: Flask) -> None:
    """Serve web/templates and web/static, and give templates their filters and helpers."""
    app.template_folder = str(HERE / "templates")
    app.static_folder = str(STATIC)
    version = static_version(STATIC)

    def static(filename: str, version_asked: str | None = None) -> Response:
        cached = version_asked == version and not app.debug
        response = send_from_directory(STATIC, filename, max_age=CACHED_SECONDS if cached else None)
        response.cache_control.immutable = cached
        return response

    # the app is built without Flask's own static route: these two replace it (the plain one for old addresses)
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)
    versioned = f"/static/<string(length={VERSION_LENGTH}):version_asked>/<path:filename>"
    app.add_url_rule(versioned, endpoint="static", view_func=static)

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and not app.debug:  # while developing, files change without a new version
            values.setdefault("version_asked", version)

    app.add_template_filter(safe_html, "safe_html")
    app.add_template_filter(when, "when")
    app.add_template_global(link_to)
    app.jinja_env.globals.update(role_names=ROLE_NAMES, verdicts=VERDICTS, retracted=RETRACTED)


def static_version(folder: Path) -> str:
    """Return a short hash of every file under `folder`, names and contents: it changes when any of them does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:VERSION_LENGTH]


def link_to(endpoint: str, **values: Any) -> str | None:
    """Return the address of a page the current user may open, or None: links appear only where they lead somewhere."""
    if endpoint not in current_app.view_functions or not access.allows(endpoint, values):
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def when(moment: datetime | None, empty: str = "—") -> str:
    """Write a time for people, in UTC (the browser rewrites it in local time)."""
    if moment is None:
        return empty
    return moment.astimezone(UTC).strftime("%a %d %b %Y, %H:%M UTC")
