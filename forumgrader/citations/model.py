"""What citation analysis returns: references, in-text citations and findings, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SourceType(StrEnum):
    """What kind of work a reference describes, as far as its text tells."""

    JOURNAL_ARTICLE = "journal-article"
    BOOK = "book"
    CHAPTER = "book-chapter"
    WEB_PAGE = "web-page"
    REPORT = "report"
    DATASET = "dataset"
    OTHER = "other"


class Severity(StrEnum):
    """How much a finding matters to the reader: info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Author:
    """One author of a reference: a person (family name and initials) or a group."""

    family: str
    initials: str = ""  # as APA writes them: "R. R."
    group: bool = False  # an organisation, e.g. "American Psychological Association"


@dataclass(frozen=True, slots=True)
class ReferenceFields:
    """The parts of a reference entry; empty string or None where the entry has none."""

    authors: tuple[Author, ...] = ()
    year: int | None = None
    year_suffix: str = ""  # "a", "b" ... for same author and year
    year_note: str = ""  # "n.d." or "in press" when there is no year
    title: str = ""
    container: str = ""  # journal, book (for a chapter) or site name
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "155-174" (hyphen, as written otherwise)
    article_number: str = ""
    doi: str = ""  # lower case, no resolver prefix: "10.1037/0033-2909.133.4.581"
    url: str = ""
    edition: str = ""
    publisher: str = ""
    authors_shortened: str = ""  # "et al." or "…" (APA 7 for 21+: the first 19, "…", the last) when names are left out
    doi_problem: str = ""  # why the DOI cannot be right as written: "spaces inside", "no suffix" ...; "" when it can


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a post's reference list, where it stands in the text and what it says."""

    index: int  # 0-based position in the list
    text: str  # the entry as written, lines joined
    start: int  # span in the analysed text
    end: int
    fields: ReferenceFields
    type: SourceType
    confidence: float  # 0..1: how sure the parser is of the fields
    clean: str = ""  # the entry without LMS residue and with glued tokens separated: what a search may send


@dataclass(frozen=True, slots=True)
class Citation:
    """One in-text citation of one work: "(Luna, 2020)" or "Luna (2020)"."""

    text: str
    start: int
    end: int
    authors: tuple[str, ...]  # family names as written, without "et al."
    et_al: bool
    year: int | None
    narrative: bool  # "Luna (2020)" rather than "(Luna, 2020)"
    year_suffix: str = ""
    year_note: str = ""  # "n.d." or "in press"
    locator: str = ""  # "p. 5", "pp. 4-6", "para. 2"
    reference: int | None = None  # index of the linked reference


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem worth telling the student about, with the text it is about."""

    code: str  # stable, documented: see forumgrader.citations.findings.CODES
    severity: Severity
    message: str  # addressed to a student
    start: int
    end: int
    text: str
    reference: int | None = None  # index of the reference it concerns, if any


@dataclass(frozen=True, slots=True)
class CitationReport:
    """Everything the offline analysis found in one text."""

    references: tuple[Reference, ...] = ()
    citations: tuple[Citation, ...] = ()
    findings: tuple[Finding, ...] = ()
    # span of the reference list (heading included) in the text; None when there is none
    reference_list: tuple[int, int] | None = field(default=None)
