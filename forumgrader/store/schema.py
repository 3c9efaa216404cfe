"""Schema changes through Alembic: bring a database to the newest migration, or write a new one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration the database has not had yet."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def is_current(engine: Engine) -> bool:
    """Tell whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(_config(None)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database (developers only)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
