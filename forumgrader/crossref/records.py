"""Turn a Crossref record (the `message` of a /works answer) into a Work: markup stripped, years, pages, notices."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import nh3

from forumgrader.citations.doi import normalise_doi
from forumgrader.crossref.model import Notice, RecordAuthor, Work

# Block-level JATS elements separate words; inline ones (<i>, <scp>, <sub>) sit inside a word.
_BLOCK_TAGS = re.compile(r"</?(?:jats:)?(?:p|title|sec|list-item|break|br)\b[^<>]*>", re.IGNORECASE)
_RETRACTED_TITLE = re.compile(r"^\s*\[?retracted(?: article)?\]?\s*[:\]]", re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
# Which date a cited year may match, in the order Crossref's own `issued` is derived from.
DATE_FIELDS = ("issued", "published-print", "published-online", "published", "posted")


def plain_text(text: str) -> str:
    """Return text without JATS/HTML markup, entities decoded, whitespace collapsed."""
    if not text:
        return ""
    spaced = _BLOCK_TAGS.sub(" ", text)
    stripped = html.unescape(nh3.clean(spaced, tags=set())) if "<" in spaced or "&" in spaced else spaced
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(stripped.split()))


def _first(values: Any) -> str:
    if isinstance(values, list):
        return plain_text(str(values[0])) if values else ""
    return plain_text(str(values)) if values else ""


def _year(date: Any) -> int | None:
    try:
        year = date["date-parts"][0][0]
    except (KeyError, IndexError, TypeError):
        return None
    return int(year) if isinstance(year, int | str) and str(year).isdigit() else None


def _iso_date(date: Any) -> str:
    try:
        parts = [int(part) for part in date["date-parts"][0] if part is not None]
    except (KeyError, IndexError, TypeError, ValueError):
        return ""
    return "-".join(f"{part:02d}" if index else f"{part:04d}" for index, part in enumerate(parts[:3]))


def _people(entries: Iterable[Mapping[str, Any]]) -> tuple[RecordAuthor, ...]:
    people = []
    for person in entries:
        author = RecordAuthor(
            family=plain_text(str(person.get("family", ""))),
            given=plain_text(str(person.get("given", ""))),
            name=plain_text(str(person.get("name", ""))),
        )
        if author.family or author.given or author.name:
            people.append(author)
    return tuple(people)


def _notices(entries: Iterable[Mapping[str, Any]]) -> tuple[Notice, ...]:
    notices: dict[tuple[str, str], Notice] = {}
    for update in entries:
        kind = str(update.get("type", "")).strip().lower()
        doi = normalise_doi(str(update.get("DOI", "")))
        notices.setdefault(
            (kind, doi),
            Notice(
                type=kind,
                label=str(update.get("label", "")) or kind.replace("_", " ").capitalize(),
                doi=doi,
                date=_iso_date(update.get("updated")),
                source=str(update.get("source", "")),
            ),
        )
    return tuple(notices.values())


def _title_retraction(message: Mapping[str, Any]) -> tuple[Notice, ...]:
    """Publishers mark some retractions only in the title ("RETRACTED: ..."), with no update deposited."""
    title = _first(message.get("title"))
    updates = message.get("updated-by") or ()
    if not _RETRACTED_TITLE.match(title) or any(str(u.get("type", "")) == "retraction" for u in updates):
        return ()
    return (Notice(type="retraction", label="Retracted (marked in the title)", doi="", source="title"),)


def record_years(message: Mapping[str, Any]) -> tuple[int | None, frozenset[int]]:
    """Return the issued year (falling back to print, online, published) and every year the record gives."""
    years = [_year(message.get(name)) for name in DATE_FIELDS]
    found = [year for year in years if year is not None]
    return (found[0] if found else None), frozenset(found)


def work_from_record(message: Mapping[str, Any]) -> Work:
    """Reduce a Crossref record to a Work, keeping the record itself in `raw`."""
    year, years = record_years(message)
    return Work(
        doi=normalise_doi(str(message.get("DOI", ""))),
        type=str(message.get("type", "")),
        title=_first(message.get("title")),
        subtitle=_first(message.get("subtitle")),
        authors=_people(message.get("author") or ()),
        editors=_people(message.get("editor") or ()),
        container=_first(message.get("container-title")),
        short_containers=tuple(plain_text(str(name)) for name in message.get("short-container-title") or ()),
        year=year,
        years=years,
        volume=str(message.get("volume", "")).strip(),
        issue=str(message.get("issue", "")).strip(),
        pages=str(message.get("page", "")).strip(),
        article_number=str(message.get("article-number", "")).strip(),
        publisher=plain_text(str(message.get("publisher", ""))),
        isbn=tuple(str(isbn) for isbn in message.get("ISBN") or ()),
        url=str(message.get("URL", "")),
        notices=_notices(message.get("updated-by") or ()) + _title_retraction(message),
        raw=dict(message),
    )
