"""What kind of work a parsed reference describes, and how sure the reading is."""

from __future__ import annotations

import re

from forumgrader.citations.model import Author, ReferenceFields, SourceType
from forumgrader.citations.names import ORG_WORDS
from forumgrader.citations.segments import Parts

_PUBLISHER = re.compile(
    r"Press|Publish|Books|Wiley|Sage|SAGE|Routledge|Springer|Elsevier|Guilford|Norton|McGraw|Pearson|Macmillan"
    r"|Penguin|Harper|Cengage|Jossey|Lippincott|Mosby|Saunders|Houghton|Basic|Random House|Academic|Taylor"
)
_REPORT = re.compile(
    r"\b(?:report|fact sheet|policy brief|white paper|brief|guidelines?|bulletin|advisory|No\.)", re.IGNORECASE
)
_ISBN = re.compile(r"97[89](?:-?\d){10}")  # inside a DOI: a book's or a chapter's
_JOURNAL_NAME = re.compile(r"Journal|Review|Bulletin|Quarterly|Annals|Proceedings|Letters|Psychologist|Lancet")


def article_online_first(parts: Parts, doi: str) -> bool:
    """Tell an article with a DOI but no volume yet ("Title. Engineering. https://doi.org/...") from a book."""
    source = parts.publisher
    if not source or not doi or parts.volume or parts.edition or parts.chapter or parts.description:
        return False
    if _PUBLISHER.search(source) or _REPORT.search(source) or _ISBN.search(doi):
        return False
    return not any(word in ORG_WORDS for word in source.lower().split())


def source_type(fields: ReferenceFields, parts: Parts | None) -> SourceType:
    """Guess what kind of work an entry describes from the fields read (and the parts, when the rules read them)."""
    description = parts.description.lower() if parts else ""
    if "data" in description:
        return SourceType.DATASET
    if "dissertation" in description or "thesis" in description:
        return SourceType.OTHER
    if parts and parts.chapter:
        return SourceType.CHAPTER
    if fields.volume or fields.article_number or (fields.container and (fields.doi or fields.pages or parts)):
        return SourceType.JOURNAL_ARTICLE
    if _REPORT.search(description) or _REPORT.search(fields.title):
        return SourceType.REPORT
    if fields.publisher and _JOURNAL_NAME.search(fields.publisher) and not _PUBLISHER.search(fields.publisher):
        return SourceType.JOURNAL_ARTICLE
    if fields.edition or (fields.publisher and _PUBLISHER.search(fields.publisher)):
        return SourceType.BOOK
    if fields.url:
        return SourceType.WEB_PAGE
    if fields.publisher:
        return SourceType.REPORT if fields.authors and fields.authors[0].group else SourceType.BOOK
    return SourceType.OTHER


def confidence(fields: ReferenceFields, kind: SourceType, style: str) -> float:
    """Rate from 0 to 1 how whole a reading is: authors, date, title and the parts its kind of work needs."""
    score = 0.25 * bool(fields.authors) + 0.25 * bool(fields.year or fields.year_note) + 0.2 * bool(fields.title)
    expected = {
        SourceType.JOURNAL_ARTICLE: (
            fields.container,
            fields.volume,
            fields.pages or fields.article_number or fields.doi,
        ),
        SourceType.BOOK: (fields.publisher, fields.publisher or fields.edition or fields.doi),
        SourceType.CHAPTER: (fields.container, fields.publisher, fields.pages),
        SourceType.WEB_PAGE: (fields.url, fields.url),
        SourceType.REPORT: (fields.publisher or fields.url, fields.publisher or fields.url),
        SourceType.DATASET: (fields.publisher or fields.url or fields.doi,),
        SourceType.OTHER: ("",),
    }[kind]
    score += 0.25 * sum(1 for value in expected if value) / len(expected)
    score += 0.05 * (style == "apa")
    return round(min(score, 1.0), 2)


def fields_of(
    parts: Parts, authors: tuple[tuple[Author, ...], str], year: int | None, suffix: str, note: str = ""
) -> ReferenceFields:
    """Return the fields of an entry from its authors, its date and what follows them."""
    return ReferenceFields(
        authors=authors[0],
        authors_shortened=authors[1],
        year=year,
        year_suffix=suffix,
        year_note=note,
        title=parts.title,
        container=parts.container,
        volume=parts.volume,
        issue=parts.issue,
        pages=parts.pages,
        article_number=parts.article_number,
        edition=parts.edition,
        publisher=parts.publisher,
    )
