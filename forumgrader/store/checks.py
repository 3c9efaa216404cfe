"""Citation checks of imported posts: the offline analysis kept per post, and verdicts kept per reference.

Services over a Session that only flush. Both are stored set-wise, a few statements per batch of posts or chunk of
references whatever their number, and as upserts: two checks of one topic racing never collide on a row. A post is
analysed again only when its text changed, and a reference whose text did not change keeps its verdict. Verifying
checks the references never checked or left `unchecked`, a chunk at a time, so a run that stops (Ctrl-C, an outage, a
crash) keeps what it did and the next run continues from there.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, false, func, literal_column, null, or_, select, true, update
from sqlalchemy.orm import Session

from forumgrader.citations import analyse
from forumgrader.citations.model import Author, Reference, ReferenceFields, SourceType
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import verify_references
from forumgrader.crossref.cache import query_key
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, MetadataSource, Verdict
from forumgrader.crossref.report import VERDICT_KEYS, check_json
from forumgrader.store.db import Base, upsert, utcnow, write_set_wise
from forumgrader.store.models import Post, PostAnalysis, ReferenceCheck

CHUNK = 25  # unique references verified between two checkpoints
BATCH = 500  # posts analysed, then stored, at a time
# What a check stores, a column per verdict key; copied when a re-analysed post keeps a reference unchanged.
VERDICT_COLUMNS = (*VERDICT_KEYS, "checked_at")
# A reference's verdict columns before it is checked.
NOT_CHECKED: dict[str, Any] = {
    **check_json(Check(Verdict.UNCHECKED)),
    "verdict": None,
    "match_confidence": None,
    "checked_at": None,
}


# The same as SQL constants: a new reference's row writes them once per statement, not once per row (serialising the
# empty JSON lists row by row was a third of the time storing an analysis took).
def _sql(value: Any) -> Any:
    if value is None:
        return null()
    if isinstance(value, bool):
        return true() if value else false()
    written = json.dumps(value) if isinstance(value, list) else str(value)
    return literal_column("'" + written.replace("'", "''") + "'")


NOT_CHECKED_SQL = {name: _sql(value) for name, value in NOT_CHECKED.items()}
_T = TypeVar("_T")
REFERENCES = Base.metadata.tables["reference_check"]


def verify_workers(config: Mapping[str, Any]) -> int:
    """Return how many references to verify at once: twice Crossref's concurrency (see forumgrader.crossref.batch)."""
    return 2 * max(1, int(config.get("CROSSREF_CONCURRENCY", 3)))


def text_hash(text: str) -> str:
    """Return the sha256 hex digest of a post's text, which tells when it must be analysed again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analyse_post(session: Session, post: Post) -> bool:
    """Store a post's citation report, redone only when its text changed; tell whether it was analysed."""
    stored = session.scalar(select(PostAnalysis.text_hash).where(PostAnalysis.post_id == post.id))
    if stored == text_hash(post.body_text):
        return False
    store_analyses(session, [(post.id, post.body_text)])
    return True


def analyse_topic(session: Session, topic_id: int) -> int:
    """Analyse every post of a topic whose text changed since it was last analysed; return how many posts it read."""
    posts = session.execute(
        select(Post.id, Post.body_text, PostAnalysis.text_hash)
        .outerjoin(PostAnalysis, PostAnalysis.post_id == Post.id)
        .where(Post.topic_id == topic_id, Post.deleted.is_(False))
        .order_by(Post.id)
    )
    changed = [(post_id, text) for post_id, text, digest in posts if digest != text_hash(text)]
    for batch in chunks(changed, BATCH):
        store_analyses(session, batch)
    return len(changed)


def store_analyses(session: Session, posts: Sequence[tuple[int, str]]) -> None:
    """Analyse posts (id, text) and store their reports and references, keeping the verdicts of unchanged ones."""
    now = utcnow()
    analyses, references, kept_verdicts = [], [], []
    earlier = _earlier_verdicts(session, [post_id for post_id, _text in posts])
    shorter = []
    for post_id, text in posts:
        report = report_to_json(analyse(text))
        analyses.append({"post_id": post_id, "text_hash": text_hash(text), "report": report, "analysed_at": now})
        kept = earlier.get(post_id, {})
        if sum(map(len, kept.values())) > len(report["references"]):
            shorter.append({"post": post_id, "count": len(report["references"])})
        for entry in report["references"]:
            row = _reference_row(post_id, entry)
            same = kept.get(row["key"])
            if same:
                kept_verdicts.append({**row, **same.pop(0)})
            else:
                references.append(row)
    upsert(session, PostAnalysis, analyses, ("post_id",))
    upsert(session, ReferenceCheck, references, ("post_id", "position"), NOT_CHECKED_SQL)
    upsert(session, ReferenceCheck, kept_verdicts, ("post_id", "position"))
    if shorter:  # the rows past the end of a list that got shorter
        table = REFERENCES
        gone = delete(table).where(table.c.post_id == bindparam("post"), table.c.position >= bindparam("count"))
        write_set_wise(session, ReferenceCheck, gone, shorter)


def _reference_row(post_id: int, entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "position": entry["index"],
        "key": query_key(entry["text"]),
        "text": entry["text"],
        "fields": entry["fields"],
        "type": entry["type"],
        "confidence": entry["confidence"],
    }


def _earlier_verdicts(session: Session, post_ids: Sequence[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """The verdicts stored for posts' references: post -> reference key -> verdict columns, in list order."""
    columns = [getattr(ReferenceCheck, name) for name in VERDICT_COLUMNS]
    found: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    rows = session.execute(
        select(ReferenceCheck.post_id, ReferenceCheck.key, *columns)
        .where(ReferenceCheck.post_id.in_(post_ids))
        .order_by(ReferenceCheck.post_id, ReferenceCheck.position)
    )
    for post_id, key, *values in rows:
        found[post_id][key].append(dict(zip(VERDICT_COLUMNS, values, strict=True)))
    return found


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """Cut a sequence into pieces of `size` (the last one shorter)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def reference_from_json(entry: dict[str, Any]) -> Reference:
    """Rebuild a parsed reference from the analysis JSON (the inverse of report_to_json for one reference)."""
    fields = dict(entry["fields"])
    fields["authors"] = tuple(Author(**author) for author in fields.get("authors") or ())
    known = {name: value for name, value in fields.items() if name in ReferenceFields.__slots__}
    return Reference(
        index=entry["index"],
        text=entry["text"],
        start=entry.get("start", 0),
        end=entry.get("end", 0),
        fields=ReferenceFields(**known),
        type=SourceType(entry.get("type") or SourceType.OTHER),
        confidence=float(entry.get("confidence") or 0.0),
        clean=entry.get("clean", ""),
    )


@dataclass
class VerifySummary:
    """What a verification run did: references looked at, requests it could skip, verdicts it gave."""

    references: int = 0  # references that needed a verdict
    unique: int = 0  # distinct references among them: each is looked up once
    verdicts: dict[str, int] = field(default_factory=dict)

    def add(self, verdicts: Mapping[str, int]) -> None:
        """Count the verdicts a chunk stored."""
        for verdict, count in verdicts.items():
            self.verdicts[verdict] = self.verdicts.get(verdict, 0) + count
            self.references += count


def _pending() -> Any:
    return or_(ReferenceCheck.verdict.is_(None), ReferenceCheck.verdict == Verdict.UNCHECKED.value)


def pending_keys(session: Session, topic_id: int | None = None) -> list[str]:
    """Return the distinct keys of the references never checked or left `unchecked` (one topic's, or all), in order."""
    statement = (
        select(ReferenceCheck.key)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .where(_pending())
        .group_by(ReferenceCheck.key)
        .order_by(func.min(ReferenceCheck.id))
    )
    if topic_id is not None:
        statement = statement.where(Post.topic_id == topic_id)
    return list(session.scalars(statement))


def verify_topic(
    session: Session,
    topic_id: int | None,
    source: MetadataSource,
    *,
    workers: int,
    checkpoint: Callable[[], None],
    progress: Callable[[int, int], None] | None = None,
) -> VerifySummary:
    """Verify the pending references of a topic (or of every topic), storing each chunk's verdicts as it finishes.

    `checkpoint` is the caller's commit, called after each chunk is flushed: what was checked survives a stop, and
    no write transaction stays open while worker threads store Crossref answers (SQLite has one writer at a time).
    Commit before calling for the same reason.
    """
    keys = pending_keys(session, topic_id)
    summary = VerifySummary(unique=len(keys))
    if progress is not None:
        progress(0, len(keys))
    for done, chunk in zip(range(0, len(keys), CHUNK), chunks(keys, CHUNK), strict=True):

        def advance(finished: int, _total: int, before: int = done) -> None:
            if progress is not None:
                progress(before + finished, len(keys))

        summary.add(verify_keys(session, topic_id, chunk, source, workers=workers, progress=advance))
        checkpoint()
    return summary


def verify_keys(
    session: Session,
    topic_id: int | None,
    keys: Iterable[str],
    source: MetadataSource,
    *,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Verify the references with these keys still pending (in a topic, or anywhere), store their verdicts in one
    statement (flush only), and return how many rows got each verdict."""
    statement = (
        select(ReferenceCheck.id, ReferenceCheck.post_id, ReferenceCheck.position, ReferenceCheck.key)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .where(ReferenceCheck.key.in_(list(keys)), _pending())
        .order_by(ReferenceCheck.id)
    )
    if topic_id is not None:
        statement = statement.where(Post.topic_id == topic_id)
    rows = session.execute(statement).all()
    first: dict[str, Any] = {}
    for row in rows:
        first.setdefault(row.key, row)
    references = _stored_references(session, list(first.values()))
    checks = dict(zip(first, verify_references(references, source, verify=verify, workers=workers,
                                               progress=progress), strict=True))  # fmt: skip
    store_verdicts(session, [(row.id, row.key, checks[row.key]) for row in rows])
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[checks[row.key].verdict.value] += 1
    return dict(counts)


def _stored_references(session: Session, rows: Sequence[Any]) -> list[Reference]:
    """The parsed references at rows' (post, position), read from their posts' stored analyses in one query."""
    posts = {row.post_id for row in rows}
    reports: dict[int, dict[str, Any]] = {
        post_id: report
        for post_id, report in session.execute(
            select(PostAnalysis.post_id, PostAnalysis.report).where(PostAnalysis.post_id.in_(posts))
        )
    }
    found = []
    for row in rows:
        entries = {entry["index"]: entry for entry in reports.get(row.post_id, {}).get("references", [])}
        if row.position not in entries:
            raise LookupError(f"post {row.post_id} has no reference {row.position}: analyse it again")
        found.append(reference_from_json(entries[row.position]))
    return found


def store_verdicts(session: Session, verdicts: Sequence[tuple[int, str, Check]]) -> None:
    """Write verdicts into reference rows (id, key, check) in one statement; a row whose reference changed meanwhile
    (its post was edited and analysed again) keeps no verdict of the old text."""
    if not verdicts:
        return
    table, now, names = REFERENCES, utcnow(), VERDICT_COLUMNS
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.key == bindparam("row_key"))
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names})
    )
    rows = []
    for row_id, key, check in verdicts:
        values = {**check_json(check), "checked_at": now}
        rows.append({"row_id": row_id, "row_key": key, **{f"new_{name}": values[name] for name in names}})
    write_set_wise(session, ReferenceCheck, statement, rows)
