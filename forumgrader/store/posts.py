"""A post as its page shows it: the text cut into highlighted citations and references, each reference's check
and review, the thread around it, and its author's grade. Reads only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forumgrader.crossref.cache import query_key
from forumgrader.store.models import (
    Grade,
    GradeOverride,
    Person,
    Post,
    PostAnalysis,
    ReferenceCheck,
    Review,
    Topic,
)
from forumgrader.store.reports import current_analysis

NO_ENTRY = "no_entry"  # a citation that names no entry of the reference list
UNCHECKED = "unchecked"


@dataclass(frozen=True, slots=True)
class Mark:
    """What a highlighted stretch of the text is: an in-text citation or a reference entry, and its verdict."""

    kind: str  # citation | reference
    reference: int | None  # the entry's index in the list (None: a citation with no entry)
    verdict: str  # a verdict, "unchecked" before checking, or "no_entry"
    retracted: bool = False

    @property
    def number(self) -> int | None:
        """Return the entry's number as readers count (from 1)."""
        return None if self.reference is None else self.reference + 1


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the post's text, highlighted when it is a citation or a reference."""

    text: str
    mark: Mark | None = None


@dataclass(frozen=True, slots=True)
class ReferenceView:
    """One entry of the post's reference list with its check, its review and the findings about it."""

    index: int
    text: str
    check: ReferenceCheck | None
    review: Review | None
    findings: list[dict[str, Any]]
    citations: int  # in-text citations pointing at it

    @property
    def number(self) -> int:
        """Return the entry's number as readers count (from 1)."""
        return self.index + 1

    @property
    def verdict(self) -> str:
        """Return the verdict, or "unchecked" before the reference was checked."""
        return (self.check.verdict if self.check is not None else None) or UNCHECKED


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """A post next to this one in its thread: its parent or a reply."""

    post: Post
    author: str


@dataclass(frozen=True, slots=True)
class PostPage:
    """Everything the post page shows."""

    post: Post
    topic: Topic
    author: Person | None
    segments: list[Segment]
    references: list[ReferenceView]
    findings: list[dict[str, Any]]  # findings about no entry in particular
    parent: ThreadPost | None = None
    replies: list[ThreadPost] = field(default_factory=list)
    grade: Grade | None = None
    overrides: dict[str, GradeOverride] = field(default_factory=dict)


def segments(text: str, report: dict[str, Any], verdicts: dict[int, tuple[str, bool]]) -> list[Segment]:
    """Cut a post's text into plain stretches and highlighted citations and reference entries."""
    spans: list[tuple[int, int, Mark]] = []
    for citation in report["citations"]:
        index = citation.get("reference")
        verdict, retracted = verdicts.get(index, (UNCHECKED, False)) if index is not None else (NO_ENTRY, False)
        spans.append((citation["start"], citation["end"], Mark("citation", index, verdict, retracted)))
    for reference in report.get("references") or []:
        verdict, retracted = verdicts.get(reference["index"], (UNCHECKED, False))
        spans.append((reference["start"], reference["end"], Mark("reference", reference["index"], verdict, retracted)))
    cut: list[Segment] = []
    at = 0
    for start, end, mark in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < at or end <= start or end > len(text):
            continue  # overlapping or out of the text: shown plain rather than twice
        if start > at:
            cut.append(Segment(text[at:start]))
        cut.append(Segment(text[start:end], mark))
        at = end
    if at < len(text):
        cut.append(Segment(text[at:]))
    return cut


def _thread(session: Session, post: Post) -> tuple[ThreadPost | None, list[ThreadPost]]:
    near = or_(Post.parent_id == post.id, Post.id == post.parent_id) if post.parent_id else Post.parent_id == post.id
    rows = session.execute(
        select(Post, Person.display_name)
        .outerjoin(Person, Person.id == Post.author_id)
        .where(near)
        .order_by(Post.created_at, Post.id)
    ).all()
    parent = next((ThreadPost(found, name or "") for found, name in rows if found.id == post.parent_id), None)
    replies = [ThreadPost(found, name or "") for found, name in rows if found.parent_id == post.id]
    return parent, replies


def _by_reference(findings: Iterable[dict[str, Any]]) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    about: dict[int, list[dict[str, Any]]] = {}
    general = []
    for finding in findings:
        if finding.get("reference") is None:
            general.append(finding)
        else:
            about.setdefault(finding["reference"], []).append(finding)
    return about, general


def post_page(session: Session, post: Post, rubric: str | None) -> PostPage:
    """Read a post's page; `rubric` names the rubric whose grade to show (None: show no grade)."""
    topic = session.get_one(Topic, post.topic_id)
    author = session.get(Person, post.author_id) if post.author_id is not None else None
    report = current_analysis(post, session.get(PostAnalysis, post.id))
    rows = session.scalars(select(ReferenceCheck).where(ReferenceCheck.post_id == post.id))
    by_key = {check.key: check for check in rows}
    # a reference keeps its verdict while its text is unchanged, wherever it moved in an edited list
    checks = {entry["index"]: by_key.get(query_key(entry["text"])) for entry in report["references"]}
    reviews = {
        review.reference_key: review for review in session.scalars(select(Review).where(Review.post_id == post.id))
    }
    verdicts = {index: (check.verdict or UNCHECKED, bool(check.retracted)) for index, check in checks.items() if check}
    about, general = _by_reference(report["findings"])
    cited: dict[int, int] = {}
    for citation in report["citations"]:
        if citation.get("reference") is not None:
            cited[citation["reference"]] = cited.get(citation["reference"], 0) + 1
    references = []
    for entry in report["references"]:
        check = checks.get(entry["index"])
        review = reviews.get(check.key) if check is not None else None
        references.append(
            ReferenceView(
                entry["index"],
                entry["text"],
                check,
                review,
                about.get(entry["index"], []),
                cited.get(entry["index"], 0),
            )
        )
    parent, replies = _thread(session, post)
    grade, overrides = None, {}
    if rubric is not None and author is not None:
        grade = session.scalar(
            select(Grade).where(Grade.topic_id == topic.id, Grade.person_id == author.id, Grade.rubric == rubric)
        )
        overrides = {
            row.criterion: row
            for row in session.scalars(
                select(GradeOverride).where(
                    GradeOverride.topic_id == topic.id,
                    GradeOverride.person_id == author.id,
                    GradeOverride.rubric == rubric,
                )
            )
        }
    return PostPage(
        post=post,
        topic=topic,
        author=author,
        segments=segments(post.body_text, report, verdicts),
        references=references,
        findings=general,
        parent=parent,
        replies=replies,
        grade=grade,
        overrides=overrides,
    )


def student_posts(session: Session, topic_id: int, person_id: int | None) -> list[Post]:
    """Return a student's own posts in a topic, oldest first (none when they are not linked to a person)."""
    if person_id is None:
        return []
    return list(
        session.scalars(
            select(Post)
            .where(Post.topic_id == topic_id, Post.author_id == person_id, Post.deleted.is_(False))
            .order_by(Post.created_at, Post.id)
        )
    )
