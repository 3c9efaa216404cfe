"""References in the format reference managers speak: BibTeX out from checked records, BibTeX in from Zotero/Mendeley.

Written with bibtexparser (v2); accents in a student's export ({\\"u}, {\\'a}) are decoded by its LaTeX middleware.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string, write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

from forumgrader.citations.doi import normalise_doi
from forumgrader.citations.model import Author, Reference, ReferenceFields, SourceType
from forumgrader.crossref.apa import apa_reference
from forumgrader.crossref.authors import record_initials
from forumgrader.crossref.model import Check, RecordAuthor, Work
from forumgrader.crossref.normal import fold, normalise

# Crossref type -> BibTeX entry type, and the field that names the container.
ENTRY_TYPES = {
    "journal-article": ("article", "journal"),
    "book-chapter": ("incollection", "booktitle"),
    "book-section": ("incollection", "booktitle"),
    "book-part": ("incollection", "booktitle"),
    "reference-entry": ("incollection", "booktitle"),
    "book": ("book", ""),
    "monograph": ("book", ""),
    "edited-book": ("book", ""),
    "proceedings-article": ("inproceedings", "booktitle"),
    "report": ("techreport", "institution"),
    "dissertation": ("phdthesis", "school"),
    "posted-content": ("misc", "howpublished"),
    "dataset": ("misc", "howpublished"),
}
SOURCE_TYPES = {
    "article": SourceType.JOURNAL_ARTICLE,
    "book": SourceType.BOOK,
    "incollection": SourceType.CHAPTER,
    "inbook": SourceType.CHAPTER,
    "techreport": SourceType.REPORT,
    "report": SourceType.REPORT,
    "online": SourceType.WEB_PAGE,
    "electronic": SourceType.WEB_PAGE,
    "www": SourceType.WEB_PAGE,
    "dataset": SourceType.DATASET,
}
# Parsed SourceType -> the Crossref type used to render a student's own entry in APA.
RENDER_TYPES = {
    SourceType.JOURNAL_ARTICLE: "journal-article",
    SourceType.BOOK: "book",
    SourceType.CHAPTER: "book-chapter",
    SourceType.REPORT: "report",
    SourceType.DATASET: "dataset",
}
_BRACES = re.compile(r"[{}]")


def _names(people: Sequence[RecordAuthor]) -> str:
    written = []
    for person in people:
        if person.family:
            written.append(f"{person.family}, {person.given}" if person.given else person.family)
        elif person.name:
            written.append("{" + person.name + "}")  # an organisation: braces keep BibTeX from splitting it
    return " and ".join(written)


def _key(family: str, year: int | str | None, title: str, taken: set[str]) -> str:
    word = next((w for w in normalise(title).split() if len(w) > 3), "")
    base = f"{fold(family)[:20] or 'anon'}{year or 'nd'}{word[:12]}"
    key, suffix = base, ord("a")
    while key in taken:
        key, suffix = f"{base}{chr(suffix)}", suffix + 1
    taken.add(key)
    return key


def _entry_from_work(work: Work, taken: set[str]) -> Entry:
    entry_type, container_field = ENTRY_TYPES.get(work.type, ("misc", "howpublished"))
    title = f"{work.title}: {work.subtitle}" if work.subtitle else work.title
    values = {
        "author": _names(work.authors),
        "editor": _names(work.editors),
        "title": title,
        container_field or "series": work.container,
        "year": str(work.year or ""),
        "volume": work.volume,
        "number": work.issue,
        "pages": work.pages.replace("-", "--") if work.pages else work.article_number,
        "publisher": work.publisher,
        "isbn": work.isbn[0] if work.isbn else "",
        "doi": work.doi,
    }
    first = work.authors[0].family or work.authors[0].name if work.authors else ""
    fields = [Field(name, value) for name, value in values.items() if value]
    return Entry(entry_type, _key(first, work.year, title, taken), fields)


def _as_record_authors(authors: Sequence[Author]) -> tuple[RecordAuthor, ...]:
    return tuple(RecordAuthor(name=a.family) if a.group else RecordAuthor(a.family, a.initials) for a in authors)


def _entry_from_reference(reference: Reference, taken: set[str]) -> Entry:
    fields = reference.fields
    kind = {v: k for k, v in SOURCE_TYPES.items() if k in {"article", "book", "incollection", "techreport"}}
    entry_type = kind.get(reference.type, "misc")
    container = {"article": "journal", "incollection": "booktitle"}.get(entry_type, "howpublished")
    values = {
        "author": _names(_as_record_authors(fields.authors)),
        "title": fields.title,
        container: fields.container,
        "year": str(fields.year or ""),
        "volume": fields.volume,
        "number": fields.issue,
        "pages": fields.pages.replace("-", "--") if fields.pages else fields.article_number,
        "edition": fields.edition,
        "publisher": fields.publisher,
        "doi": fields.doi,
        "url": fields.url,
        "note": "" if fields.title else reference.text,
    }
    first = fields.authors[0].family if fields.authors else ""
    entry_fields = [Field(name, value) for name, value in values.items() if value]
    return Entry(entry_type, _key(first, fields.year, fields.title or reference.text, taken), entry_fields)


def to_bibtex(references: Sequence[Reference], checks: Sequence[Check] | None = None) -> str:
    """Return the references as BibTeX, built from each matched record, else (or offline) from what they say."""
    library = Library()
    taken: set[str] = set()
    chosen: Sequence[Check | None] = checks or [None] * len(references)
    for reference, check in zip(references, chosen, strict=True):
        if check is not None and check.record is not None:
            library.add(_entry_from_work(check.record, taken))
        else:
            library.add(_entry_from_reference(reference, taken))
    return write_string(library)


def _unbrace(text: str) -> str:
    return " ".join(_BRACES.sub("", text).split())


def _people(value: object) -> tuple[Author, ...]:
    people = []
    for name in value if isinstance(value, list) else ():
        family = _unbrace(" ".join([*name.von, *name.last]))
        given = _unbrace(" ".join(name.first))
        group = not given and len(family.split()) > 1 and not name.von
        initials = " ".join(f"{letter.upper()}." for letter in record_initials(given))
        people.append(Author(family=family, initials=initials, group=group))
    return tuple(people)


def _reference_from_entry(entry: Entry, index: int) -> tuple[Reference, str]:
    values = {f.key.lower(): f.value for f in entry.fields}
    text = {name: _unbrace(str(value)) for name, value in values.items() if isinstance(value, str)}
    kind = SOURCE_TYPES.get(entry.entry_type.lower(), SourceType.OTHER)
    if kind is SourceType.OTHER and text.get("url") and entry.entry_type.lower() == "misc":
        kind = SourceType.WEB_PAGE
    year = re.search(r"\d{4}", text.get("year") or text.get("date") or "")
    fields = ReferenceFields(
        authors=_people(values.get("author") or values.get("editor")),
        year=int(year.group()) if year else None,
        title=text.get("title", ""),
        container=text.get("journal") or text.get("journaltitle") or text.get("booktitle") or "",
        volume=text.get("volume", ""),
        issue=text.get("number") or text.get("issue") or "",
        pages=re.sub(r"\s*-+\s*|\s*–\s*", "-", text.get("pages", "")),
        doi=normalise_doi(text.get("doi", "")),
        url=text.get("url", ""),
        edition=text.get("edition", ""),
        publisher=text.get("publisher") or text.get("institution") or "",
    )
    work = Work(
        doi=fields.doi,
        type=RENDER_TYPES.get(kind, "other"),
        title=fields.title,
        authors=_as_record_authors(fields.authors),
        container=fields.container,
        year=fields.year,
        volume=fields.volume,
        issue=fields.issue,
        pages=fields.pages,
        publisher=fields.publisher,
        url=fields.url,
    )
    rendered = apa_reference(work)
    return Reference(index, rendered, 0, len(rendered), fields, kind, 1.0, rendered), rendered


def references_from_bibtex(text: str) -> list[Reference]:
    """Read a reference manager's BibTeX export as references, each with its fields and an APA rendering to search."""
    stack = [middlewares.LatexDecodingMiddleware(keep_braced_groups=True), middlewares.SeparateCoAuthors()]
    library = parse_string(text, append_middleware=[*stack, middlewares.SplitNameParts()])
    references = []
    offset = 0
    for index, entry in enumerate(library.entries):
        reference, rendered = _reference_from_entry(entry, index)
        references.append(_placed(reference, offset))
        offset += len(rendered) + 2  # the references are shown one per paragraph
    return references


def _placed(reference: Reference, offset: int) -> Reference:
    return Reference(
        reference.index,
        reference.text,
        offset,
        offset + len(reference.text),
        reference.fields,
        reference.type,
        reference.confidence,
        reference.clean,
    )
