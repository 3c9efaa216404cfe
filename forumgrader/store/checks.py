"""Citation checks of imported posts: the offline analysis kept per post, and verdicts kept per reference.

Services over a Session that only flush. A post is analysed again only when its text changed, and a reference whose
text did not change keeps its verdict. Verifying a topic checks the references never checked or left `unchecked`,
in chunks, so a run that stops (Ctrl-C, an outage, a crash) keeps what it did and the next run continues from there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forumgrader.citations import analyse
from forumgrader.citations.model import Author, CitationReport, Reference, ReferenceFields, SourceType
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import reference_key, verify_references
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, MetadataSource, Verdict
from forumgrader.crossref.report import VERDICT_KEYS, check_json
from forumgrader.store.db import utcnow
from forumgrader.store.models import Post, PostAnalysis, ReferenceCheck

CHUNK = 25  # unique references verified between two checkpoints
# What a check stores, a column per verdict key; copied when a re-analysed post keeps a reference unchanged.
VERDICT_COLUMNS = (*VERDICT_KEYS, "checked_at")


def verify_workers(config: Mapping[str, Any]) -> int:
    """Return how many references to verify at once: twice Crossref's concurrency (see forumgrader.crossref.batch)."""
    return 2 * max(1, int(config.get("CROSSREF_CONCURRENCY", 3)))


def text_hash(text: str) -> str:
    """Return the sha256 hex digest of a post's text, which tells when it must be analysed again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analyse_post(session: Session, post: Post) -> PostAnalysis:
    """Store a post's citation report, redone only when its text changed; unchanged references keep their verdicts."""
    digest = text_hash(post.body_text)
    analysis = session.get(PostAnalysis, post.id)
    if analysis is not None and analysis.text_hash == digest:
        return analysis
    report = analyse(post.body_text)
    if analysis is None:
        analysis = PostAnalysis(post_id=post.id)
        session.add(analysis)
    analysis.text_hash, analysis.report, analysis.analysed_at = digest, report_to_json(report), utcnow()
    earlier: dict[str, list[ReferenceCheck]] = {}
    for row in session.scalars(select(ReferenceCheck).where(ReferenceCheck.post_id == post.id)):
        earlier.setdefault(row.key, []).append(row)
        session.delete(row)
    session.flush()  # the old rows go before the new ones take their positions
    for reference in report.references:
        row = _row(post.id, reference)
        kept = earlier.get(row.key)
        if kept:
            old = kept.pop(0)
            for name in VERDICT_COLUMNS:
                setattr(row, name, getattr(old, name))
        session.add(row)
    session.flush()
    return analysis


def _row(post_id: int, reference: Reference) -> ReferenceCheck:
    fields = report_to_json_fields(reference)
    return ReferenceCheck(
        post_id=post_id,
        position=reference.index,
        key=reference_key(reference),
        text=reference.text,
        fields=fields,
        type=reference.type.value,
        confidence=reference.confidence,
        verdict=None,
        checked_at=None,
    )


def report_to_json_fields(reference: Reference) -> dict[str, Any]:
    """Return a reference's fields as the analysis JSON writes them."""
    data: dict[str, Any] = report_to_json(CitationReport(references=(reference,)))["references"][0]["fields"]
    return data


def analyse_topic(session: Session, topic_id: int) -> int:
    """Analyse every post of a topic whose text changed since it was last analysed; return how many posts it read."""
    posts = session.scalars(select(Post).where(Post.topic_id == topic_id, Post.deleted.is_(False)).order_by(Post.id))
    analysed = 0
    for post in posts:
        before = session.get(PostAnalysis, post.id)
        previous = before.text_hash if before is not None else None
        analyse_post(session, post)
        analysed += previous != text_hash(post.body_text)
    return analysed


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

    def count(self, verdict: str) -> None:
        """Count one stored verdict."""
        self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1


def pending_checks(session: Session, topic_id: int | None = None) -> list[ReferenceCheck]:
    """Return the references never checked or left `unchecked`, of one topic or of all."""
    statement = (
        select(ReferenceCheck)
        .join(Post, Post.id == ReferenceCheck.post_id)
        .where(or_(ReferenceCheck.verdict.is_(None), ReferenceCheck.verdict == Verdict.UNCHECKED.value))
        .order_by(ReferenceCheck.post_id, ReferenceCheck.position)
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
    rows = pending_checks(session, topic_id)
    groups: dict[str, list[ReferenceCheck]] = {}
    for row in rows:
        groups.setdefault(row.key, []).append(row)
    summary = VerifySummary(references=len(rows), unique=len(groups))
    done = 0
    if progress is not None:
        progress(0, len(groups))
    for chunk in _chunks(list(groups.values()), CHUNK):
        references = [_stored_reference(session, rows[0]) for rows in chunk]

        def advance(finished: int, _total: int, before: int = done) -> None:
            if progress is not None:
                progress(before + finished, len(groups))

        checks = verify_references(references, source, verify=verify, workers=workers, progress=advance)
        for same, check in zip(chunk, checks, strict=True):
            for row in same:
                store_check(row, check)
                summary.count(check.verdict.value)
        done += len(chunk)
        session.flush()
        checkpoint()
    return summary


def _chunks(items: Sequence[list[ReferenceCheck]], size: int) -> Iterator[Sequence[list[ReferenceCheck]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored_reference(session: Session, row: ReferenceCheck) -> Reference:
    analysis = session.get_one(PostAnalysis, row.post_id)
    for entry in analysis.report.get("references", []):
        if entry["index"] == row.position:
            return reference_from_json(entry)
    raise LookupError(f"post {row.post_id} has no reference {row.position}: analyse it again")


def store_check(row: ReferenceCheck, check: Check) -> None:
    """Write a verdict and its evidence into a reference's row."""
    for key, value in check_json(check).items():
        setattr(row, key, value)
    row.checked_at = utcnow()
