"""Crossref answers kept in the database (the AnswerCache of forumgrader.crossref.cache), and the source built on it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.crossref.cache import Answer
from forumgrader.crossref.model import MetadataSource
from forumgrader.crossref.sources import source_from_config
from forumgrader.store.db import INSERTS, Database, upsert
from forumgrader.store.models.crossref import CrossrefAnswer
from forumgrader.store.snapshot import DatabaseSnapshot

MAX_KEY = 300  # the key column's width


def _column_key(key: str) -> str:
    """Return the key as stored: itself, or its digest when it is wider than the column (a very long DOI)."""
    return key if len(key) <= MAX_KEY else "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class DatabaseCache:
    """An AnswerCache on the crossref_answer table; every call opens its own short session (worker threads)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        dialect = database.engine.dialect.name
        if dialect not in INSERTS:
            raise ValueError(f"the Crossref cache supports SQLite and PostgreSQL, not {dialect}")

    def get(self, kind: str, key: str, *, fresh_since: datetime) -> Answer | None:
        """Return (found, payload) stored for the key since the given time, or None."""
        with self.database.sessions() as session:
            row = session.execute(
                select(CrossrefAnswer.found, CrossrefAnswer.payload, CrossrefAnswer.fetched_at).where(
                    CrossrefAnswer.kind == kind, CrossrefAnswer.key == _column_key(key)
                )
            ).first()
        if row is None or row.fetched_at < fresh_since:
            return None
        return row.found, row.payload

    def put(self, kind: str, key: str, query: str, found: bool, payload: Any, *, fetched_at: datetime) -> None:
        """Store an answer, replacing any older one for the same key."""
        row = {"kind": kind, "key": _column_key(key), "query": query, "found": found, "payload": payload,
               "fetched_at": fetched_at}  # fmt: skip
        with self.database.session() as session:
            upsert(session, CrossrefAnswer, [row], ("kind", "key"))


def cache_size(session: Session) -> dict[str, int]:
    """Count the cached answers of each kind (work, agency, search)."""
    rows = session.execute(select(CrossrefAnswer.kind, func.count()).group_by(CrossrefAnswer.kind)).all()
    return {kind: count for kind, count in rows}


def metadata_source(config: Mapping[str, Any], database: Database) -> MetadataSource:
    """Build the configured MetadataSource with the database cache and snapshot (for the CLI, jobs and web)."""
    return source_from_config(config, cache=DatabaseCache(database), snapshot_database=DatabaseSnapshot(database))
