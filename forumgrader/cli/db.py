"""`forumgrader db`: the database schema."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from forumgrader import store
from forumgrader.store import schema


@click.group("db")
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@with_appcontext
def upgrade() -> None:
    """Bring the database to the newest schema (also done on first start)."""
    schema.upgrade(store.database().engine)
    click.echo(f"Database is up to date: {store.database().engine.url.render_as_string(hide_password=True)}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def revision(message: str) -> None:
    """Write a new migration from the models (for developers)."""
    schema.revision(store.database().engine, message)


commands = [db]
