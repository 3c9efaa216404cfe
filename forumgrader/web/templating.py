"""What templates can use: our templates and static files, the `|safe_html` filter, and a few helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, url_for
from werkzeug.routing import BuildError

from forumgrader.web import access
from forumgrader.web.sanitize import safe_html
from forumgrader.web.verdicts import RETRACTED, VERDICTS

HERE = Path(__file__).parent
ROLE_NAMES = {"admin": "Administrator", "instructor": "Instructor", "ta": "Teaching assistant", "student": "Student"}


def init_app(app: Flask) -> None:
    """Serve web/templates and web/static, and give templates their filters and helpers."""
    app.template_folder = str(HERE / "templates")
    app.static_folder = str(HERE / "static")
    app.add_template_filter(safe_html, "safe_html")
    app.add_template_filter(when, "when")
    app.add_template_global(link_to)
    app.jinja_env.globals.update(role_names=ROLE_NAMES, verdicts=VERDICTS, retracted=RETRACTED)


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
