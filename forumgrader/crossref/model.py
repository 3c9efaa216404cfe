"""What verification works with: Crossref records as values, verdicts, and the seam every metadata source fits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Verdict(StrEnum):
    """One verdict per reference; the names are part of the JSON API (see DESIGN.md)."""

    VERIFIED = "verified"  # a record matches and the cited fields agree with it
    MISMATCH = "mismatch"  # a record matches, but fields differ
    WRONG_DOI = "wrong_doi"  # the DOI is registered but belongs to a different work
    BROKEN_DOI = "broken_doi"  # the DOI is malformed or registered nowhere
    NOT_FOUND = "not_found"  # journal-article-shaped reference with no matching record: a lead, never "fabricated"
    NOT_INDEXED = "not_indexed"  # a source Crossref may not hold (book, web page, DataCite DOI...), no match: neutral
    UNCHECKED = "unchecked"  # the lookup failed: retried later, never cached, never counted against anyone


class LookupFailed(Exception):
    """Crossref could not answer (network, timeout, 429/5xx after retries): the reference stays `unchecked`."""


class LookupBlocked(LookupFailed):
    """Crossref refused us (403): stop the whole batch rather than hammer it."""


@dataclass(frozen=True, slots=True)
class RecordAuthor:
    """An author as Crossref holds it; `name` is used for organisations."""

    family: str = ""
    given: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """An update to a work: retraction, expression of concern, correction..."""

    type: str  # Crossref's update type: retraction, expression_of_concern, correction, ...
    label: str
    doi: str
    date: str = ""  # ISO date when known
    source: str = ""  # publisher | retraction-watch


@dataclass(frozen=True, slots=True)
class Work:
    """A Crossref record reduced to what matching, display and APA formatting need."""

    doi: str  # normalised: lower case, no resolver
    type: str = ""  # Crossref type: journal-article, book-chapter, posted-content, ...
    title: str = ""  # JATS markup removed, whitespace collapsed
    subtitle: str = ""
    authors: tuple[RecordAuthor, ...] = ()
    editors: tuple[RecordAuthor, ...] = ()
    container: str = ""  # journal or book title
    short_containers: tuple[str, ...] = ()  # journal abbreviations the record gives
    year: int | None = None  # issued year
    years: frozenset[int] = frozenset()  # issued, print and online years: any of them matches a cited year
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "581-624"
    article_number: str = ""
    publisher: str = ""
    isbn: tuple[str, ...] = ()
    url: str = ""
    notices: tuple[Notice, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def retracted(self) -> bool:
        """Tell whether an update retracted, withdrew or removed the work."""
        return any(notice.type in RETRACTION_TYPES for notice in self.notices)


RETRACTION_TYPES = frozenset({"retraction", "partial_retraction", "withdrawal", "removal"})
CONCERN_TYPES = frozenset({"expression_of_concern", "correction", "corrigendum", "erratum"})


@dataclass(frozen=True, slots=True)
class Difference:
    """One field where the reference and the record disagree."""

    field: str  # year | authors | title | journal | volume | issue | pages | doi
    cited: str
    record: str
    severity: str = "warning"  # "info" for a mere typo, "warning" otherwise


@dataclass(frozen=True, slots=True)
class Check:
    """The verdict on one reference, with the evidence a TA needs beside it."""

    verdict: Verdict
    doi: str = ""  # as cited, normalised ("" when the reference has none)
    matched_doi: str = ""
    differences: tuple[Difference, ...] = ()
    record: Work | None = None
    suggestion: str = ""  # the reference rebuilt in APA 7 from the record
    message: str = ""  # one sentence for people: why this verdict
    confidence: float = 0.0  # how sure the match is, 0..1

    @property
    def retracted(self) -> bool:
        """Tell whether the matched record was retracted."""
        return self.record is not None and self.record.retracted

    @property
    def notices(self) -> tuple[Notice, ...]:
        """Return the matched record's non-retraction notices (concern, correction)."""
        if self.record is None:
            return ()
        return tuple(notice for notice in self.record.notices if notice.type in CONCERN_TYPES)


class MetadataSource(Protocol):
    """Where records come from: Crossref through habanero, the local snapshot, a cache in front of either.

    Every method raises LookupFailed when it cannot answer; an answer of "no such thing" is not a failure.
    """

    def work(self, doi: str) -> Work | None:
        """Return the record registered for a DOI, or None when Crossref has no such DOI (404)."""
        ...

    def agency(self, doi: str) -> str | None:
        """Return the registration agency of a DOI ("crossref", "datacite", ...), or None when none has it."""
        ...

    def search(self, reference: str, rows: int = 5) -> tuple[Work, ...]:
        """Return candidate records for a free-text reference, best first (`query.bibliographic`)."""
        ...
