"""The database: one declarative Base, engines for SQLite and PostgreSQL, and sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, bindparam, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store times as naive UTC (SQLite keeps no zone) and hand them back aware, in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: pass an aware time in UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """The one declarative base every table hangs on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


# Both dialects have INSERT ... ON CONFLICT: writers racing for one row never collide.
INSERTS: dict[str, Callable[..., Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows, each replacing the row with the same `key` columns: one statement, however many rows.

    `constants`: SQL values (null(), literal_column("''")...) that every row takes, written in the statement once
    rather than bound (and, for JSON, serialised) once per row.
    """
    if not rows:
        return
    table = model.__table__
    insert = INSERTS[session.get_bind().dialect.name](table)
    insert = insert.values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in rows[0]})
    if constants:
        insert = insert.values(dict(constants))
    changes = {name: insert.excluded[name] for name in [*rows[0], *(constants or {})] if name not in key}
    statement = insert.on_conflict_do_update(index_elements=list(key), set_=changes)
    write_set_wise(session, model, statement, [{f"new_{name}": value for name, value in row.items()} for row in rows])


def write_set_wise(session: Session, model: type[Base], statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run a statement that writes a model's table once per row (one round trip), keeping the session truthful:
    what it holds unflushed goes first, and the rows it loaded of that model are read afresh when next used."""
    session.flush()
    session.execute(statement, rows)
    for loaded in [found for found in session.identity_map.values() if isinstance(found, model)]:
        session.expire(loaded)


def utcnow() -> datetime:
    """Return the current time, aware, in UTC (the edges use this; the domain takes `now` as input)."""
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """Create an engine for a database URL, with SQLite set up for a web app and a worker at once."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits once at the end, or rolls back on an error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
