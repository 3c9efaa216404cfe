"""Parse one reference entry (APA first; Harvard, Chicago, MLA and Vancouver as they come) into fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from forumgrader.citations.doi import find_dois
from forumgrader.citations.kinds import article_online_first, confidence, fields_of, source_type
from forumgrader.citations.learned import read_reference
from forumgrader.citations.model import Author, ReferenceFields, SourceType
from forumgrader.citations.names import is_surname, parse_authors
from forumgrader.citations.segments import ONLINE_FIRST, PAGES_LABELLED, Parts, read_parts, sentence_ends, tidy
from forumgrader.citations.text import glued, residue, squash

_URL = re.compile(r"(?=[hw])\b(?:https?://|www\.)[^\s<>\"]{1,500}", re.IGNORECASE)  # the lookahead skips fast
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
_APA_INITIALS = re.compile(r"(?:[^\W\d_]{1,2}\.\s?-?\s?){1,4}")
_NUMBER_LEAD = re.compile(r"^(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,3}[.)])\s?(?=[^\W\d_])")  # "7.", "[7]": a list's numbering
_VANCOUVER_NAMES = re.compile(r"[^\W\d_][\w'-]+(?:\s[^\W\d_][\w'-]+)?\s[A-Z]{1,3}[,.]\s")
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
    style: str  # "apa" (strict), "apa-like", "chicago", "vancouver", "learned" or "other"


def clean_entry(raw: str) -> str:
    """Return an entry on one line, without LMS residue, empty URLs, and with glued tokens separated."""
    text = squashed = squash(raw)  # its only spaces are " ", and each stands alone, until something is cut out
    for found in reversed(residue(text)):
        text = text[: found.start()] + " " + text[found.end() :]
    if ":// " in text or text.endswith("://"):
        text = _BROKEN_URL.sub(" ", text)
    for at in reversed(glued(text)):
        text = text[:at] + ", " + text[at:]
    if " ." in text or " ," in text or " ;" in text:
        text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    return (text if text is squashed else squash(text)).strip(" ;")


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
    fields = fields_of(
        parts,
        (authors, shortened),
        int(year.group("year")) if year else None,
        year.group("suffix") or "" if year else "",
    )
    return replace(fields, publisher=publisher.strip(" ,"))


def _by_rules(work: str, doi: str) -> tuple[ReferenceFields, Parts | None, str]:
    """Read an entry by its shape: APA's "(2020).", Chicago's ". 2020. ", Vancouver's "2020;12(3):45-67", or else."""
    parts: Parts | None = None
    head = work[:800]
    date = _APA_DATE.search(head)
    chicago = _CHICAGO_DATE.search(head)
    if date and date.start() > 0 and (not chicago or chicago.start() > date.start()):
        authors, shortened, lead_title = _authors_or_title(work[: date.start()])
        parts = read_parts(work[date.end() :])
        if article_online_first(parts, doi):
            parts = read_parts(work[date.end() :], journal=True)
        if lead_title:
            parts = replace(parts, title=lead_title, publisher=parts.publisher or tidy(parts.title))
        strict = work[date.end() : date.end() + 1] == "." and all(
            a.group or _APA_INITIALS.fullmatch(a.initials) for a in authors
        )
        return fields_of(parts, (authors, shortened), *_date_fields(date)), parts, "apa" if strict else "apa-like"
    if chicago:
        authors, shortened, _ = _authors_or_title(work[: chicago.start() + 1])
        parts = read_parts(work[chicago.end() :])
        if article_online_first(parts, doi):
            parts = read_parts(work[chicago.end() :], journal=True)
        year, suffix = int(chicago.group("year")), chicago.group("suffix") or ""
        return fields_of(parts, (authors, shortened), year, suffix), parts, "chicago"
    vancouver = _vancouver(work)
    if vancouver:
        return vancouver, None, "vancouver"
    return _generic(work), None, "other"


def _by_labeller(clean: str) -> tuple[ReferenceFields, Parts, str]:
    """Read an entry with the learned labeller (see learned.py)."""
    reading = read_reference(clean)
    fields = fields_of(
        reading.parts, (reading.authors, reading.shortened), reading.year, reading.year_suffix, reading.year_note
    )
    return fields, reading.parts, "vancouver" if reading.date_late and _VANCOUVER_NAMES.match(clean) else "learned"


def _sure(fields: ReferenceFields, kind: SourceType, style: str, work: str) -> bool:
    """Tell whether the rules read a strict APA or Vancouver entry whole: every part its type needs."""
    if style not in ("apa", "vancouver") or not fields.authors or not fields.title:
        return False
    if not (fields.year or fields.year_note) or any(char.isdigit() for char in fields.publisher):
        return False  # a journal's volume and pages read as a publisher
    if style == "vancouver" and (
        any(char.isdigit() for char in fields.container) or _VANCOUVER_NAMES.match(fields.title + ". ")
    ):
        return False
    if kind is SourceType.JOURNAL_ARTICLE:
        located = fields.pages or fields.article_number or fields.doi
        found = (fields.volume and located) or fields.doi or fields.year_note
        return bool(fields.container and (found or ONLINE_FIRST.search(work)))  # "Advance online publication."
    if kind is SourceType.CHAPTER:
        return bool(fields.container and fields.publisher)
    return bool(fields.publisher or fields.url)


@lru_cache(maxsize=4096)  # a class cites the same readings over and over; ParsedEntry is immutable
def parse_entry(raw: str) -> ParsedEntry:
    """Parse a reference entry into fields, a type guess and a confidence.

    Strict APA is read by rules, which are fast and exact on it; any other entry by the learned labeller.
    """
    clean = clean_entry(raw)
    work = clean
    dois = find_dois(work, in_entry=True)
    doi, doi_problem = (dois[0].doi, dois[0].problem) if dois else ("", "")
    for mention in reversed(dois):
        work = work[: mention.start] + " " + work[mention.end :]
    urls = [tidy(u.group()) for u in _URL.finditer(work)] if "http" in work or "www." in work else []
    if urls:  # _URL.sub finds what finditer found
        work = _URL.sub(" ", work)
    lower = work.lower()
    if any(map(lower.__contains__, _NOISE_WORDS)):
        work = _NOISE.sub(" ", work)
    work = _NUMBER_LEAD.sub("", squash(work).strip(" .;,")) + "."
    url = urls[0] if urls else ""
    url = url if not (doi and "doi.org" in url) else ""
    fields, parts, style = _by_rules(work, doi)
    fields = _linked(fields, doi, doi_problem, url)
    kind = source_type(fields, parts)
    if not _sure(_moved_container(fields, kind), kind, style, work) and clean:
        fields, parts, style = _by_labeller(clean)
        fields = _linked(fields, doi, doi_problem, url)
        kind = _web_page(fields) or source_type(fields, parts)
    fields = _moved_container(fields, kind)
    return ParsedEntry(fields, kind, confidence(fields, kind, style), clean, style)


def _linked(fields: ReferenceFields, doi: str, problem: str, url: str) -> ReferenceFields:
    """Return the fields with the entry's DOI and link (dataclasses.replace is slow on this hot path)."""
    if not (doi or problem or url or fields.doi or fields.doi_problem or fields.url):
        return fields
    f = fields
    return ReferenceFields(
        f.authors, f.year, f.year_suffix, f.year_note, f.title, f.container, f.volume, f.issue, f.pages,
        f.article_number, doi, url, f.edition, f.publisher, f.authors_shortened, problem,
    )  # fmt: skip


def _web_page(fields: ReferenceFields) -> SourceType | None:
    """A page of a site the labeller took for a journal: a link, and no volume, pages or DOI."""
    numbers = fields.volume or fields.issue or fields.pages or fields.article_number
    return SourceType.WEB_PAGE if fields.url and not (numbers or fields.doi or fields.publisher) else None


def _moved_container(fields: ReferenceFields, kind: SourceType) -> ReferenceFields:
    """An article's or a web page's source read as a publisher is its container."""
    if kind in (SourceType.JOURNAL_ARTICLE, SourceType.WEB_PAGE) and fields.publisher and not fields.container:
        return replace(fields, container=fields.publisher, publisher="")
    return fields
