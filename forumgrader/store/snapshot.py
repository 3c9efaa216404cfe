"""The local snapshot of Crossref records: load record files into it, and find records in it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, case, delete, desc, func, insert, literal, select, text, union_all
from sqlalchemy.orm import Session

from forumgrader.citations.doi import normalise_doi
from forumgrader.crossref.index import Statistics, record_tokens
from forumgrader.crossref.records import plain_text
from forumgrader.store.db import Database, utcnow
from forumgrader.store.models.crossref import SnapshotLoad, SnapshotToken, SnapshotWork

BATCH = 500
MAX_DOI = 300  # the column's width; longer DOIs are skipped
# Words held by more than this share of the records do not pick candidates (they still count in the ranking).
COMMON_SHARE = 0.2
_TOTAL = ""  # the token under which the frequency query also returns the number of records (no word is empty)


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """What a load did: records stored (new or replacing an older copy) and records skipped for lack of a DOI."""

    added: int = 0
    replaced: int = 0
    skipped: int = 0

    @property
    def records(self) -> int:
        """Return how many records were stored."""
        return self.added + self.replaced


def _batches(records: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, BATCH)):
        yield chunk


def load_snapshot(
    session: Session, records: Iterable[Mapping[str, Any]], *, source: str = "", complete: bool = False
) -> LoadCounts:
    """Store records in the snapshot, each replacing any earlier copy of the same DOI; the caller commits."""
    added = replaced = skipped = 0
    now = utcnow()
    for chunk in _batches(records):
        by_doi: dict[str, Mapping[str, Any]] = {}
        for record in chunk:
            doi = normalise_doi(str(record.get("DOI", "")))
            if not doi or len(doi) > MAX_DOI:
                skipped += 1
                continue
            if doi in by_doi:
                replaced += 1
            by_doi[doi] = record
        if not by_doi:
            continue
        held = set(session.scalars(select(SnapshotWork.doi).where(SnapshotWork.doi.in_(by_doi))))
        if held:
            session.execute(delete(SnapshotToken).where(SnapshotToken.doi.in_(held)))
            session.execute(delete(SnapshotWork).where(SnapshotWork.doi.in_(held)))
        replaced += len(held)
        added += len(by_doi) - len(held)
        session.execute(
            insert(cast(Table, SnapshotWork.__table__)),
            [
                {"doi": doi, "title": _title(record), "record": dict(record), "loaded_at": now}
                for doi, record in by_doi.items()
            ],
        )
        words = [{"token": word, "doi": doi} for doi, record in by_doi.items() for word in set(record_tokens(record))]
        if words:
            session.execute(insert(cast(Table, SnapshotToken.__table__)), words)  # Core: no ORM bookkeeping per row
    counts = LoadCounts(added=added, replaced=replaced, skipped=skipped)
    session.add(SnapshotLoad(source=source, records=counts.records, complete=complete, loaded_at=now))
    session.flush()
    return counts


def refresh_statistics(database: Database) -> None:
    """Let the database plan searches on fresh numbers after a load (PostgreSQL: VACUUM ANALYZE, SQLite: ANALYZE)."""
    # After a bulk load PostgreSQL has neither statistics nor a visibility map until autovacuum passes, and counts
    # the words of a search with heap scans (about 300 ms per search at 100,000 records instead of about 40 ms).
    tables = f"{SnapshotWork.__tablename__}, {SnapshotToken.__tablename__}"
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM (ANALYZE) {tables}"))
    else:
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _title(record: Mapping[str, Any]) -> str:
    titles = record.get("title") or [""]
    return plain_text(str(titles[0] if isinstance(titles, list) else titles))


@dataclass(frozen=True, slots=True)
class SnapshotSize:
    """How much the snapshot holds."""

    records: int
    words: int
    loads: int
    complete: bool


def snapshot_size(session: Session) -> SnapshotSize:
    """Count the snapshot's records, indexed words and loads."""
    return SnapshotSize(
        records=session.scalar(select(func.count()).select_from(SnapshotWork)) or 0,
        words=session.scalar(select(func.count()).select_from(SnapshotToken)) or 0,
        loads=session.scalar(select(func.count()).select_from(SnapshotLoad)) or 0,
        complete=_declared_complete(session),
    )


def _declared_complete(session: Session) -> bool:
    newest = session.scalar(select(SnapshotLoad.complete).order_by(SnapshotLoad.id.desc()).limit(1))
    return bool(newest)


class DatabaseSnapshot:
    """The SnapshotStore on the snapshot tables; each call opens its own short session (safe in worker threads)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, doi: str) -> dict[str, Any] | None:
        """Return the record held for a normalised DOI, or None."""
        with self.database.sessions() as session:
            return session.scalar(select(SnapshotWork.record).where(SnapshotWork.doi == doi))

    def declared_complete(self) -> bool:
        """Tell whether the newest load declared the snapshot to hold every record."""
        with self.database.sessions() as session:
            return _declared_complete(session)

    def candidates(self, words: Sequence[str], limit: int) -> tuple[list[Mapping[str, Any]], Statistics]:
        """Return up to `limit` records sharing the rarest of the words (two indexed queries), and statistics."""
        unique = list(dict.fromkeys(words))
        with self.database.sessions() as session:
            frequency = dict(
                session.execute(
                    union_all(
                        select(SnapshotToken.token, func.count())
                        .where(SnapshotToken.token.in_(unique))
                        .group_by(SnapshotToken.token),
                        select(literal(_TOTAL), func.count()).select_from(SnapshotWork),
                    )
                ).all()
            )
            statistics = Statistics(documents=frequency.pop(_TOTAL, 0), frequency=frequency)
            present = [word for word in unique if frequency.get(word)]
            rare = [word for word in present if frequency[word] <= max(1, COMMON_SHARE * statistics.documents)]
            chosen = rare or present
            if not chosen:
                return [], statistics
            weight = case({word: statistics.weight(word) for word in chosen}, value=SnapshotToken.token, else_=0.0)
            hits = (
                select(SnapshotToken.doi, func.sum(weight).label("weight"))
                .where(SnapshotToken.token.in_(chosen))
                .group_by(SnapshotToken.doi)
                .order_by(desc("weight"), SnapshotToken.doi)
                .limit(limit)
                .subquery()
            )
            records = session.scalars(select(SnapshotWork.record).join(hits, hits.c.doi == SnapshotWork.doi)).all()
        return list(records), statistics
