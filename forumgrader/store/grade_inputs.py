"""What grading reads from the database: a topic's posts with their analyses, verdicts and reviews, as plain facts.

Only the columns scoring needs are read (not a post's HTML or LMS record, not a verdict's record beyond its type; of
an analysis, its references, findings and in-text citations, to count them), a batch of posts at a time, so a large
class is graded in little memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import reference_key
from forumgrader.grading.facts import (
    FindingFacts,
    Participation,
    PostFacts,
    SourceFacts,
    label_of,
    participations,
    post_facts,
    work_found,
)
from forumgrader.store.checks import chunks, text_hash
from forumgrader.store.models import Person, Post, PostAnalysis, ReferenceCheck, Review, Topic

STAFF_ROLES = frozenset({"instructor", "ta"})


@dataclass(frozen=True, slots=True)
class TopicInputs:
    """A topic's students (Person rows, in name order) and each one's participation, keyed by str(person id)."""

    students: list[Person]
    participations: dict[str, Participation]


def _families(fields: Mapping[str, Any]) -> list[str]:
    return [author.get("family", "") for author in fields.get("authors") or [] if isinstance(author, dict)]


# The columns of a verdict scoring reads; `record_type` is the matched record's type, read inside the JSON.
CHECK_COLUMNS = (
    ReferenceCheck.post_id,
    ReferenceCheck.position,
    ReferenceCheck.key,
    ReferenceCheck.fields,
    ReferenceCheck.type,
    ReferenceCheck.verdict,
    ReferenceCheck.matched_doi,
    ReferenceCheck.retracted,
    ReferenceCheck.record["type"].as_string().label("record_type"),
)
POST_COLUMNS = (Post.id, Post.author_id, Post.body_text, Post.created_at, Post.parent_id, Post.deleted, Post.private)
BATCH = 500  # posts read, with their analyses and verdicts, at a time


def _source(
    post_id: int, reference: Mapping[str, Any], check: Any, reviews: Mapping[tuple[int, str], str]
) -> SourceFacts:
    """One reference as scoring sees it: its check when there is one, else what the analysis parsed (unchecked)."""
    fields = (check.fields if check is not None and check.fields else None) or reference.get("fields") or {}
    kind = (check.type if check is not None and check.type else None) or reference.get("type") or "other"
    label = label_of(_families(fields), fields.get("year"), fields.get("title") or "")
    if check is None:
        return SourceFacts(key=f"post-{post_id}-{reference.get('index', 0)}", label=label, year=fields.get("year"),
                           type=kind)  # fmt: skip
    matched = work_found(check.verdict, check.matched_doi)
    return SourceFacts(
        key=check.key,
        label=label,
        year=fields.get("year"),
        type=kind,
        verdict=check.verdict,
        reviewed=reviews.get((post_id, check.key)),
        retracted=check.retracted,
        matched=matched,
        peer_reviewed=matched and (check.record_type or kind) == "journal-article",
    )


def _facts(post: Any, analysis: Any, checks: list[Any], reviews: Mapping[tuple[int, str], str]) -> PostFacts:
    """A post's facts from its stored analysis; a post never analysed, or edited since, is analysed in memory."""
    author = str(post.author_id) if post.author_id is not None else None
    if post.deleted:  # a placeholder: kept so its replies have a parent, never scored
        return post_facts(post.id, author, "", created_at=post.created_at, parent_id=post.parent_id, deleted=True)
    if analysis is not None and analysis.text_hash == text_hash(post.body_text):
        references, findings, span = analysis.references or [], analysis.findings or [], analysis.reference_list
        citations = len(analysis.citations or [])
        by_position = {check.position: check for check in checks}
        matched = [by_position.get(ref.get("index", i)) for i, ref in enumerate(references)]
    else:  # storing analyses is the checking service's work; verdicts follow their reference's text (its key)
        fresh = analyse(post.body_text)
        report = report_to_json(fresh)
        references, findings, span = report["references"], report["findings"], report["reference_list"]
        citations = len(report["citations"])
        by_key = {check.key: check for check in checks}
        matched = [by_key.get(reference_key(reference)) for reference in fresh.references]
    return post_facts(
        post.id,
        author,
        post.body_text,
        created_at=post.created_at,
        reference_list=(span[0], span[1]) if span else None,
        references=[_source(post.id, ref, check, reviews) for ref, check in zip(references, matched, strict=True)],
        findings=[FindingFacts(f.get("code", ""), f.get("severity", ""), f.get("message", "")) for f in findings],
        citations=citations,
        parent_id=post.parent_id,
        private=post.private,
    )


def _by_post(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.post_id].append(row)
    return grouped


def load_topic(session: Session, topic: Topic) -> TopicInputs:
    """Read a topic for grading: a few queries per BATCH posts, whatever their number."""
    posts = session.execute(select(*POST_COLUMNS).where(Post.topic_id == topic.id).order_by(Post.id)).all()
    in_topic = select(Post.id).where(Post.topic_id == topic.id)
    reviews = {(post_id, key): decision for post_id, key, decision in session.execute(
        select(Review.post_id, Review.reference_key, Review.decision).where(Review.post_id.in_(in_topic)))}  # fmt: skip
    facts: list[PostFacts] = []
    for batch in chunks(posts, BATCH):
        ids = [post.id for post in batch]
        analyses = {row.post_id: row for row in session.execute(
            select(PostAnalysis.post_id, PostAnalysis.text_hash, PostAnalysis.report["references"].label("references"),
                   PostAnalysis.report["findings"].label("findings"),
                   PostAnalysis.report["reference_list"].label("reference_list"),
                   PostAnalysis.report["citations"].label("citations"))
            .where(PostAnalysis.post_id.in_(ids)))}  # fmt: skip
        checks = _by_post(session.execute(select(*CHECK_COLUMNS).where(ReferenceCheck.post_id.in_(ids))
                                          .order_by(ReferenceCheck.post_id, ReferenceCheck.position)))  # fmt: skip
        facts.extend(_facts(post, analyses.get(post.id), checks.get(post.id, []), reviews) for post in batch)
    authors = {post.author_id for post in posts if post.author_id is not None}
    people = session.scalars(select(Person).where(Person.id.in_(authors))).all() if authors else []
    students = sorted((p for p in people if p.role not in STAFF_ROLES),
                      key=lambda p: ((p.sortable_name or p.display_name).casefold(), p.id))  # fmt: skip
    staff = {str(p.id) for p in people if p.role in STAFF_ROLES}
    names = {str(p.id): p.display_name for p in students}
    found = participations(facts, [str(p.id) for p in students], staff=staff, names=names)
    return TopicInputs(students, found)
