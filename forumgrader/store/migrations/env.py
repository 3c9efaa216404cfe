"""Alembic environment: migrations run on the connection forumgrader hands over (see store/schema.py)."""

from alembic import context

import forumgrader.store.models  # noqa: F401  (registers every table on Base.metadata)
from forumgrader.store.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
