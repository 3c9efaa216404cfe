"""Storage: SQLAlchemy models and the services that read and write them. The only package that defines tables."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from forumgrader.store import schema
from forumgrader.store.db import Database

EXTENSION = "forumgrader.db"


def init_app(app: Flask) -> None:
    """Open the configured database, migrate it when asked, and close sessions after each request."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions[EXTENSION] = database
    if app.config["AUTO_MIGRATE"]:
        schema.upgrade(database.engine)
    app.teardown_appcontext(_close_session)


def database(app: Flask | None = None) -> Database:
    """Return the app's Database (engine and session factory)."""
    found: Database = (app or current_app).extensions[EXTENSION]
    return found


def session() -> Session:
    """Return the session of the current request or command; the caller commits once."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    current: Session = g.db_session
    return current


def _close_session(_error: BaseException | None) -> None:
    found = g.pop("db_session", None)
    if found is not None:
        found.close()
