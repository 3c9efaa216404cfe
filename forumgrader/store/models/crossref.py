"""Tables behind the Crossref adapter: the answer cache and the local snapshot of records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forumgrader.store.db import Base, utcnow


class CrossrefAnswer(Base):
    """A cached answer: a record, a confirmed 404, an agency or a search result; failures are never stored."""

    __tablename__ = "crossref_answer"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # work | agency | search
    key: Mapped[str] = mapped_column(String(300))  # normalised DOI, or sha256 of the normalised query
    query: Mapped[str] = mapped_column(Text, default="")
    found: Mapped[bool] = mapped_column(default=True)
    payload: Mapped[Any] = mapped_column(JSON, default=None)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class SnapshotWork(Base):
    """A Crossref record loaded from a JSONL file, for checking without network."""

    __tablename__ = "snapshot_work"

    doi: Mapped[str] = mapped_column(String(300), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SnapshotToken(Base):
    """One word of a snapshot record (title, authors, journal, year), for finding candidates."""

    __tablename__ = "snapshot_token"

    # The key (token, doi) is the index a search reads: the records sharing a reference's words, from the index alone.
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    doi: Mapped[str] = mapped_column(
        String(300), ForeignKey("snapshot_work.doi", ondelete="CASCADE"), primary_key=True, index=True
    )


class SnapshotLoad(Base):
    """One file loaded into the snapshot: where it came from, how many records, and whether it holds everything."""

    __tablename__ = "snapshot_load"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text, default="")  # the file's name
    records: Mapped[int] = mapped_column(default=0)
    complete: Mapped[bool] = mapped_column(default=False)  # declared to hold every record: a miss means "no record"
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
