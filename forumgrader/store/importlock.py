"""One import stored at a time: the lock every import takes before it reads what is stored already.

Two imports of one file at the same moment would otherwise both find no earlier batch and both create its course,
topic and posts: one fails on a unique constraint (IntegrityError), or on SQLite on its stale snapshot ("database is
locked"). The lock is the database's own, held until the import's transaction ends: on PostgreSQL a transaction-level
advisory lock, on SQLite the write lock (BEGIN IMMEDIATE). An import that waits longer than IMPORT_WAIT_SECONDS for
another is told so in words, and stores nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from forumgrader.discussions.model import ExportError

IMPORT_WAIT_SECONDS = 30  # SQLite's busy timeout (forumgrader.store.db) is as long
_IMPORT_LOCK = 0x666F72756D677264  # pg_advisory_xact_lock's key for imports ("forumgrd")


def _lock_postgresql(session: Session) -> None:
    session.execute(text(f"SET LOCAL lock_timeout = '{IMPORT_WAIT_SECONDS}s'"))
    session.execute(select(func.pg_advisory_xact_lock(_IMPORT_LOCK)))


def _lock_sqlite(session: Session) -> None:
    connection = session.connection()
    # pysqlite opens a transaction only before a write: until then this import has read nothing it could hold on to
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


IMPORT_LOCKS = {"postgresql": _lock_postgresql, "sqlite": _lock_sqlite}


def wait_for_other_imports(session: Session) -> None:
    """Take the import lock for the rest of the transaction, waiting for an import being stored; ExportError if long."""
    try:
        IMPORT_LOCKS[session.get_bind().dialect.name](session)
    except OperationalError as error:
        raise ExportError(
            f"another import has been being stored for over {IMPORT_WAIT_SECONDS} s: try again in a minute "
            "(nothing of this file was imported)"
        ) from error
