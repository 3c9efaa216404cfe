"""Parse one reference entry (APA first; Harvard, Chicago, MLA and Vancouver as they come) into fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from forumgrader.citations.doi import find_dois
from forumgrader.citations.model import Author, ReferenceFields, SourceType
from forumgrader.citations.names import ORG_WORDS, is_surname, parse_authors
from forumgrader.citations.segments import PAGES_LABELLED, Parts, read_parts, sentence_ends, tidy
from forumgrader.citations.text import glued, residue, squash

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]{1,500}", re.IGNORECASE)
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,;])(?!\w)")  # not before ".9744": a DOI cut there stays cut
_BROKEN_URL = re.compile(r"\bhttps?://(?=\s|$)", re.IGNORECASE)
_NOISE = re.compile(
    r"\b(?:Retrieved|Accessed|Available)\b(?:\s(?:on|at|from))?[^:/]{0,40}?(?:\bfrom\b|:)\s?(?=\S)?|"
    r"\bPMID:?\s?\d{1,10};?|\bPMCID:?\s?PMC\d{1,10};?|\bEpub\s[^.]{0,30}\.|\[(?:Internet|cited[^\]]{0,30})\]|"
    r"\((?:accessed|retrieved)[^)]{0,40}\)",
    re.IGNORECASE,
)
_NOISE_WORDS = ("retrieved", "accessed", "available", "pmid", "pmcid", "epub", "[internet", "[cited")
_APA_DATE = re.compile(
    r"\((?P<year>1[5-9]\d\d|20\d\d)(?P<suffix>[a-z])?(?:[,/-]\s?[^()]{1,30})?\)"
    r"|\((?P<nd>n\.\s?d\.)(?:-(?P<ndsuffix>[a-z]))?\)|\((?P<press>in press)(?:-(?P<presssuffix>[a-z]))?\)",
    re.IGNORECASE,
)
_CHICAGO_DATE = re.compile(r"\.\s(?P<year>1[5-9]\d\d|20\d\d)(?P<suffix>[a-z])?\.\s")
_VANCOUVER_DATE = re.compile(
    r"(?P<year>(?:19|20)\d\d)(?:\s[A-Z][a-z]{2}(?:-[A-Z][a-z]{2})?(?:\s\d{1,2})?)?\s?;\s?(?P<vol>\w{1,8})?"
    r"(?:\s?\((?P<iss>[^()]{1,20})\))?(?:\s?:\s?(?P<pages>[A-Za-z]{0,2}\d{1,7}(?:-[A-Za-z]{0,2}\d{0,7})?))?"
)
_ANY_YEAR = re.compile(r"(?<![\d/.])(?P<year>1[6-9]\d\d|20\d\d)(?P<suffix>[a-z])?(?![\d/])")
_PUBLISHER = re.compile(
    r"Press|Publish|Books|Wiley|Sage|SAGE|Routledge|Springer|Elsevier|Guilford|Norton|McGraw|Pearson|Macmillan"
    r"|Penguin|Harper|Cengage|Jossey|Lippincott|Mosby|Saunders|Houghton|Basic|Random House|Academic|Taylor"
)
_REPORT = re.compile(
    r"\b(?:report|fact sheet|policy brief|white paper|brief|guidelines?|bulletin|advisory|No\.)", re.IGNORECASE
)
_ISBN = re.compile(r"97[89](?:-?\d){10}")  # inside a DOI: a book's or a chapter's
_JOURNAL_NAME = re.compile(r"Journal|Review|Bulletin|Quarterly|Annals|Proceedings|Letters|Psychologist|Lancet")
_MLA_AUTHORS = re.compile(
    r"(?P<authors>[^,.()\"]{1,60}, [^\W\d_][\w'-]{0,30}(?: [A-Z]\.)*(?: [A-Z](?=\.\s))?"
    r"(?:, and (?:[^\W\d_][\w'-]*\.? ){1,4}[^\W\d_][\w'-]+|, et al)?)\.\s"
)


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """What the parser read in an entry, with how sure it is."""

    fields: ReferenceFields
    type: SourceType
    confidence: float
    clean: str
    style: str  # "apa", "chicago", "vancouver" or "other"


def clean_entry(raw: str) -> str:
    """Return an entry on one line, without LMS residue, empty URLs, and with glued tokens separated."""
    text = squash(raw)
    for found in reversed(residue(text)):
        text = text[: found.start()] + " " + text[found.end() :]
    if ":// " in text or text.endswith("://"):
        text = _BROKEN_URL.sub(" ", text)
    for at in reversed(glued(text)):
        text = text[:at] + ", " + text[at:]
    return squash(_SPACE_BEFORE_MARK.sub(r"\1", text)).strip(" ;")


def _date_fields(found: re.Match[str]) -> tuple[int | None, str, str]:
    if found.group("year"):
        return int(found.group("year")), found.group("suffix") or "", ""
    if found.groupdict().get("nd"):
        return None, found.group("ndsuffix") or "", "n.d."
    return None, found.groupdict().get("presssuffix") or "", "in press"


def _authors_or_title(segment: str) -> tuple[tuple[Author, ...], str, str]:
    """Read an author element (authors, how it shortens them); a long one with no names is a title instead."""
    authors, shortened = parse_authors(segment)
    if len(authors) == 1 and authors[0].group and len(segment.split()) > 8:
        return (), shortened, tidy(segment)
    return authors, shortened, ""


def _vancouver(work: str) -> ReferenceFields | None:
    """Read "Family AB, Family C. Title. Journal. 2020 Mar;12(3):45-67."."""
    date = _VANCOUVER_DATE.search(work)
    if not date:
        return None
    cut = work.find(". ")
    if cut < 0 or cut > date.start():
        return None
    authors, shortened = parse_authors(work[:cut])
    segment = work[cut + 2 : date.start()].rstrip()
    ends = [cut + 2 + e for e in sentence_ends(segment + " X") if e <= len(segment) + 1]
    if not authors or not ends or not all(is_surname(a.family) or a.group for a in authors):
        return None
    title_end = ends[-2] if len(ends) > 1 else ends[0]  # a "?" inside a title is no end of it
    title = tidy(work[cut + 1 : title_end])
    container = tidy(work[title_end : date.start()])
    return ReferenceFields(
        authors=authors,
        authors_shortened=shortened,
        year=int(date.group("year")),
        title=title,
        container=container,
        volume=(date.group("vol") or "").strip(),
        issue=date.group("iss") or "",
        pages=date.group("pages") or "",
    )


def _generic(work: str) -> ReferenceFields:
    """Read an MLA-like or unknown entry: names, a title, then whatever has a recognisable shape."""
    ends = sentence_ends(work + " ")
    authors: tuple[Author, ...] = ()
    shortened = ""
    start = 0
    mla = _MLA_AUTHORS.match(work)
    if mla:
        ends = [mla.end()]
    if ends and not work.startswith(('"', "'")):
        candidate, cut = parse_authors(work[: ends[0]])
        if candidate and all(is_surname(a.family) for a in candidate if not a.group) and len(candidate) < 30:
            authors, shortened, start = candidate, cut, ends[0]
    pages = [found.span() for found in PAGES_LABELLED.finditer(work)] if "p." in work else []
    years = [y for y in _ANY_YEAR.finditer(work) if not any(s <= y.start() < e for s, e in pages)]
    year = years[-1] if years else None  # MLA puts the date late: "vol. 4, no. 1, 2015, pp. 1999-2010."
    rest = work[start:]
    if year:
        rest = rest.replace(year.group(), " ", 1) if year.start() >= start else rest
    parts = read_parts(rest)
    publisher = re.sub(r",?\s?(?:\d{1,2}\s[A-Z][a-z]{2,8}\.?)?\s*$", "", PAGES_LABELLED.sub("", parts.publisher))
    fields = _fields(
        parts,
        (authors, shortened),
        int(year.group("year")) if year else None,
        year.group("suffix") or "" if year else "",
    )
    return replace(fields, publisher=publisher.strip(" ,"))


def _fields(
    parts: Parts, authors: tuple[tuple[Author, ...], str], year: int | None, suffix: str, note: str = ""
) -> ReferenceFields:
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


def _article_online_first(parts: Parts, doi: str) -> bool:
    """Tell an article with a DOI but no volume yet ("Title. Engineering. https://doi.org/...") from a book."""
    source = parts.publisher
    if not source or not doi or parts.volume or parts.edition or parts.chapter or parts.description:
        return False
    if _PUBLISHER.search(source) or _REPORT.search(source) or _ISBN.search(doi):
        return False
    return not any(word in ORG_WORDS for word in source.lower().split())


def _type(fields: ReferenceFields, parts: Parts | None) -> SourceType:
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


def _confidence(fields: ReferenceFields, kind: SourceType, style: str) -> float:
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


@lru_cache(maxsize=4096)  # a class cites the same readings over and over; ParsedEntry is immutable
def parse_entry(raw: str) -> ParsedEntry:
    """Parse a reference entry into fields, a type guess and a confidence."""
    clean = clean_entry(raw)
    work = clean
    dois = find_dois(work, in_entry=True)
    doi, doi_problem = (dois[0].doi, dois[0].problem) if dois else ("", "")
    for mention in reversed(dois):
        work = work[: mention.start] + " " + work[mention.end :]
    urls = [tidy(u.group()) for u in _URL.finditer(work)] if "http" in work or "www." in work else []
    if "http" in work or "www." in work:
        work = _URL.sub(" ", work)
    lower = work.lower()
    if any(word in lower for word in _NOISE_WORDS):
        work = _NOISE.sub(" ", work)
    work = squash(work).strip(" .;,") + "."
    url = urls[0] if urls else ""
    parts: Parts | None = None
    date = _APA_DATE.search(work[:800])
    chicago = _CHICAGO_DATE.search(work[:800])
    if date and date.start() > 0 and (not chicago or chicago.start() > date.start()):
        style = "apa"
        authors, shortened, lead_title = _authors_or_title(work[: date.start()])
        parts = read_parts(work[date.end() :])
        if _article_online_first(parts, doi):
            parts = read_parts(work[date.end() :], journal=True)
        if lead_title:
            parts = replace(parts, title=lead_title, publisher=parts.publisher or tidy(parts.title))
        fields = _fields(parts, (authors, shortened), *_date_fields(date))
    elif chicago:
        style = "chicago"
        authors, shortened, _ = _authors_or_title(work[: chicago.start() + 1])
        parts = read_parts(work[chicago.end() :])
        if _article_online_first(parts, doi):
            parts = read_parts(work[chicago.end() :], journal=True)
        fields = _fields(parts, (authors, shortened), int(chicago.group("year")), chicago.group("suffix") or "")
    elif vancouver := _vancouver(work):
        style, fields = "vancouver", vancouver
    else:
        style, fields = "other", _generic(work)
    fields = replace(fields, doi=doi, doi_problem=doi_problem, url=url if not (doi and "doi.org" in url) else "")
    kind = _type(fields, parts)
    if kind is SourceType.JOURNAL_ARTICLE and fields.publisher and not fields.container:
        fields = replace(fields, container=fields.publisher, publisher="")
    if kind is SourceType.WEB_PAGE and fields.publisher and not fields.container:
        fields = replace(fields, container=fields.publisher, publisher="")
    return ParsedEntry(fields, kind, _confidence(fields, kind, style), clean, style)
