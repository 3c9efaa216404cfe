"""What scoring reads: plain facts about each post, its sources, and each student's part in a topic."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forumgrader.citations.model import Reference, SourceType
from forumgrader.discussions.cleanup import word_count


class Verdict(StrEnum):
    """The verification verdict of one reference (names fixed by the JSON API)."""

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    WRONG_DOI = "wrong_doi"
    BROKEN_DOI = "broken_doi"
    NOT_FOUND = "not_found"
    NOT_INDEXED = "not_indexed"
    UNCHECKED = "unchecked"


FLAGS = frozenset({Verdict.WRONG_DOI, Verdict.BROKEN_DOI, Verdict.NOT_FOUND})
MATCHED = frozenset({Verdict.VERIFIED, Verdict.MISMATCH})


def work_found(verdict: str | None, matched_doi: str = "") -> bool:
    """Tell whether checking found the cited work itself: a matching record, or the right DOI for a wrong one."""
    return verdict in MATCHED or bool(matched_doi)


class Decision(StrEnum):
    """What a TA decided about a flagged reference."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Standing(StrEnum):
    """Where a reference stands for citation integrity."""

    FINE = "fine"  # verified, or a flag a TA dismissed
    MINOR = "minor"  # a record matches with small differences
    FLAGGED = "flagged"  # a flag (or a retraction) a TA confirmed
    AWAITING = "awaiting"  # a flag nobody has reviewed yet: the score stays provisional
    NEUTRAL = "neutral"  # not indexed, not checked yet, or the lookup failed: never counted against anyone


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """One cited source of a post: what the entry says and what checking and review found."""

    key: str = ""  # the reference key reviews are filed under
    label: str = ""  # "Jokinen and Hartshorne (2022)", for reasons and feedback
    year: int | None = None
    type: str = SourceType.OTHER.value
    verdict: str | None = None  # None until checked
    reviewed: str | None = None  # confirmed | dismissed | None
    retracted: bool = False
    matched: bool = False  # a Crossref record of this very work was found
    peer_reviewed: bool = False  # a journal article with a matched record

    @property
    def standing(self) -> Standing:
        """Tell how this source counts for citation integrity."""
        flagged = self.retracted or self.verdict in FLAGS
        if self.reviewed == Decision.DISMISSED and (flagged or self.verdict == Verdict.MISMATCH):
            return Standing.FINE
        if flagged:
            return Standing.FLAGGED if self.reviewed == Decision.CONFIRMED else Standing.AWAITING
        if self.verdict == Verdict.VERIFIED:
            return Standing.FINE
        if self.verdict == Verdict.MISMATCH:
            return Standing.MINOR
        return Standing.NEUTRAL

    @property
    def credible(self) -> bool:
        """Tell whether the source supports a post: it exists as far as we know and is not retracted."""
        if self.retracted:
            return False
        return self.standing is not Standing.FLAGGED or self.matched

    @property
    def awaiting(self) -> bool:
        """Tell whether a TA's review could still change how this source counts."""
        return self.standing is Standing.AWAITING


@dataclass(frozen=True, slots=True)
class FindingFacts:
    """One citation finding of a post (code and severity as forumgrader.citations reports them)."""

    code: str
    severity: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class PostFacts:
    """One post as scoring sees it: when, who, how long, what it cites."""

    post_id: int | str
    author: str | None
    created_at: datetime | None
    text: str  # the body without the reference list: what prompt coverage reads
    words: int  # words outside the reference list and quotations
    quoted_words: int = 0
    parent_id: int | str | None = None
    references: tuple[SourceFacts, ...] = ()
    findings: tuple[FindingFacts, ...] = ()
    citations: int = 0  # in-text citations
    deleted: bool = False
    private: bool = False

    @property
    def is_reply(self) -> bool:
        """Tell whether the post answers another post."""
        return self.parent_id is not None


@dataclass(frozen=True, slots=True)
class Participation:
    """A student's part in one topic: the main post, the replies written, and the replies received."""

    student: str
    main_post: PostFacts | None
    replies: tuple[PostFacts, ...]  # answers to another person's post, oldest first
    all_posts: tuple[PostFacts, ...]  # every visible post of the student, oldest first
    replies_received: tuple[PostFacts, ...]  # other people's answers to the student's posts
    name: str = ""  # how feedback greets the student


_QUOTATION = re.compile(r"“[^”]{1,3000}”|\"[^\"\n]{1,3000}\"")


def body_of(text: str, reference_list: tuple[int, int] | None) -> str:
    """Return the text without its reference list."""
    if reference_list is None:
        return text
    start, end = reference_list
    return text[:start] + "\n" + text[end:]


def post_facts(
    post_id: int | str,
    author: str | None,
    text: str,
    *,
    created_at: datetime | None,
    reference_list: tuple[int, int] | None = None,
    references: Sequence[SourceFacts] = (),
    findings: Sequence[FindingFacts] = (),
    citations: int = 0,
    parent_id: int | str | None = None,
    deleted: bool = False,
    private: bool = False,
) -> PostFacts:
    """Build a post's facts from its text: words are counted outside the reference list and quotations."""
    body = body_of(text, reference_list)
    quoted = sum(word_count(found.group()) for found in _QUOTATION.finditer(body))
    return PostFacts(
        post_id=post_id,
        author=author,
        created_at=created_at,
        text=body,
        words=word_count(body) - quoted,
        quoted_words=quoted,
        parent_id=parent_id,
        references=tuple(references),
        findings=tuple(findings),
        citations=citations,
        deleted=deleted,
        private=private,
    )


def source_facts(
    reference: Reference,
    verdict: str | None = None,
    *,
    key: str = "",
    label: str = "",
    reviewed: str | None = None,
    retracted: bool = False,
    matched: bool | None = None,
    peer_reviewed: bool | None = None,
) -> SourceFacts:
    """Build a source's facts from an analysed reference and what checking found (matched: verified or mismatch)."""
    if matched is None:
        matched = work_found(verdict)
    if peer_reviewed is None:
        peer_reviewed = matched and reference.type is SourceType.JOURNAL_ARTICLE
    return SourceFacts(
        key=key or f"ref-{reference.index}",
        label=label or _label(reference),
        year=reference.fields.year,
        type=reference.type.value,
        verdict=verdict,
        reviewed=reviewed,
        retracted=retracted,
        matched=matched,
        peer_reviewed=peer_reviewed,
    )


def label_of(families: Sequence[str], year: int | str | None, title: str = "") -> str:
    """Name a source the way a reader cites it: "Jokinen and Hartshorne (2022)", "Smid et al. (2018)"."""
    year = year or "n.d."
    if not families:
        return f"{title[:60] or 'an untitled source'} ({year})"
    if len(families) == 1:
        return f"{families[0]} ({year})"
    if len(families) == 2:
        return f"{families[0]} and {families[1]} ({year})"
    return f"{families[0]} et al. ({year})"


def _label(reference: Reference) -> str:
    fields = reference.fields
    return label_of([author.family for author in fields.authors], fields.year, fields.title)


def _when(post: PostFacts) -> tuple[bool, datetime | None, int, str]:
    # posts without a time sort last; ties go to the lower id, numerically when ids are numbers
    number = post.post_id if isinstance(post.post_id, int) else 0
    return (post.created_at is None, post.created_at, number, str(post.post_id))


def participations(
    posts: Iterable[PostFacts],
    students: Iterable[str],
    *,
    staff: Collection[str] = (),
    names: Mapping[str, str] | None = None,
) -> dict[str, Participation]:
    """Sort a topic's posts into each student's main post, replies written and replies received."""
    visible = sorted((post for post in posts if not post.deleted), key=_when)
    author_of = {post.post_id: post.author for post in visible}
    by_author: dict[str | None, list[PostFacts]] = {}
    answers: dict[int | str, list[PostFacts]] = {}
    for post in visible:
        by_author.setdefault(post.author, []).append(post)
        if post.parent_id is not None and not post.private:
            answers.setdefault(post.parent_id, []).append(post)
    found = {}
    for student in students:
        own = by_author.get(student, [])
        main = _main_post(own, author_of, staff)
        replies = tuple(
            post
            for post in own
            if post is not main
            and post.parent_id is not None
            and not post.private
            and author_of.get(post.parent_id) != student
        )
        received = sorted(
            (answer for post in own for answer in answers.get(post.post_id, ()) if answer.author != student), key=_when
        )
        found[student] = Participation(
            student, main, replies, tuple(own), tuple(received), name=(names or {}).get(student, "")
        )
    return found


def _main_post(
    own: list[PostFacts], author_of: Mapping[int | str, str | None], staff: Collection[str]
) -> PostFacts | None:
    """The earliest top-level post; in a forum the instructor opened, the earliest answer to a staff post."""
    for post in own:
        if post.parent_id is None:
            return post
    for post in own:
        parent_author = author_of.get(post.parent_id) if post.parent_id is not None else None
        if not post.private and parent_author is not None and parent_author in staff:
            return post
    return None
