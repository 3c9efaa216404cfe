"""Checks on the reference list itself: residue, glued tokens, DOIs, URLs, order, suffixes, duplicates."""

from __future__ import annotations

import re
from collections import defaultdict

from forumgrader.citations.doi import find_dois
from forumgrader.citations.findings import finding
from forumgrader.citations.model import Finding, Reference, SourceType
from forumgrader.citations.text import fold, glued, residue

_BROKEN_URL = re.compile(r"\bhttps?://(?=\s|$)|\bhttps?:/(?=[^/])", re.IGNORECASE)
_URL = re.compile(r"(?=[hw])\b(?:https?://|www\.)\S{1,500}", re.IGNORECASE)  # the lookahead skips fast
_PAGE_PREFIX = re.compile(r"\d\s?\)?,\s?(pp?\.\s?\d{1,6}(?:\s?-\s?\d{1,6})?)")


def label(reference: Reference) -> str:
    """Name a reference as a student would cite it: "Moreira et al. (2022)"."""
    authors = reference.fields.authors
    if not authors:
        who = reference.fields.title[:40] or "This entry"
    elif len(authors) == 1:
        who = authors[0].family
    elif len(authors) == 2:
        who = f"{authors[0].family} and {authors[1].family}"
    else:
        who = f"{authors[0].family} et al."
    when = str(reference.fields.year or reference.fields.year_note or "no date") + reference.fields.year_suffix
    return f"{who} ({when})"


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _cut_link(raw: str) -> bool:
    """Tell whether a link may be cut off: a ":/" with no second "/", or a "://" with nothing after it."""
    at = raw.find(":/")
    while at >= 0:
        after = raw[at + 2 : at + 4]
        if (after[:1] != "/" and after) or after == "/" or after[1:].isspace():
            return True
        at = raw.find(":/", at + 2)
    return False


def entry_findings(text: str, ref: Reference) -> list[Finding]:
    """Check one entry for residue, glued tokens, DOI and URL problems, page prefixes and missing parts."""
    out: list[Finding] = []
    raw = text[ref.start : ref.end]
    for found in residue(raw):
        out.append(
            finding(
                "lms_artifact",
                f'Remove "{found.group().strip()}" from {label(ref)}: the learning platform '
                "added it when the link was pasted.",
                ref.start + found.start(),
                ref.start + found.end(),
                text,
                ref.index,
            )
        )
    dois = find_dois(raw, in_entry=True)
    joined = glued(raw)
    has_link = joined and ("http" in raw or "www." in raw)  # links are only asked about for glued text
    links = [(d.start, d.end) for d in dois] + [(u.start(), u.end()) for u in (_URL.finditer(raw) if has_link else ())]
    for at in joined:
        start = max(raw.rfind(" ", 0, at), raw.rfind("\n", 0, at), at - 40) + 1
        end = raw.index(")", at) + 1
        if not _inside(links, start, end):
            token = raw[start:end]
            out.append(
                finding(
                    "glued_text",
                    f'In {label(ref)}, "{token}" runs two parts together; '
                    "put a comma and a space before the volume number.",
                    ref.start + start,
                    ref.start + end,
                    text,
                    ref.index,
                )
            )
    for doi in dois:
        start, end = ref.start + doi.start, ref.start + doi.end
        if doi.malformed:
            out.append(
                finding(
                    "malformed_doi",
                    f"The DOI in {label(ref)} cannot be right as written "
                    f'("{raw[doi.start : doi.end]}": {doi.problem}); '
                    "copy it again from the article page: it has no spaces and starts with 10.",
                    start,
                    end,
                    text,
                    ref.index,
                )
            )
        elif doi.form != "https":
            out.append(
                finding(
                    "doi_format",
                    f"Write the DOI in {label(ref)} as https://doi.org/{doi.doi} (APA 7 style).",
                    start,
                    end,
                    text,
                    ref.index,
                )
            )
    for found in _BROKEN_URL.finditer(raw) if _cut_link(raw) else ():
        out.append(
            finding(
                "broken_url",
                f"The link in {label(ref)} is cut off; paste the full address or the DOI.",
                ref.start + found.start(),
                ref.start + found.end(),
                text,
                ref.index,
            )
        )
    if ref.type is SourceType.JOURNAL_ARTICLE and ref.fields.volume:
        prefixed = _PAGE_PREFIX.search(raw) if "p." in raw else None
        if prefixed:
            out.append(
                finding(
                    "page_prefix",
                    f'In {label(ref)}, write the pages without "pp.": {ref.fields.pages}.',
                    ref.start + prefixed.start(1),
                    ref.start + prefixed.end(1),
                    text,
                    ref.index,
                )
            )
    if ref.fields.authors_shortened == "et al.":
        at = raw.find("et al")
        out.append(
            finding(
                "et_al_misuse",
                f'List the authors of {label(ref)} by name (up to 20) instead of "et al.".',
                ref.start + at,
                ref.start + at + 6,
                text,
                ref.index,
            )
        )
    if ref.fields.year is None and not ref.fields.year_note:
        out.append(
            finding(
                "missing_date",
                f'Add the year to {label(ref)}, or "(n.d.)" when the source gives none.',
                ref.start,
                ref.end,
                text,
                ref.index,
            )
        )
    if ref.confidence < 0.45:
        out.append(
            finding(
                "unreadable_reference",
                "We could not read the author, date and title of this entry; "
                "check that it follows Author, A. A. (Year). Title. Source.",
                ref.start,
                ref.end,
                text,
                ref.index,
            )
        )
    return out


def _sort_key(ref: Reference) -> str:
    if ref.fields.authors:
        return fold(ref.fields.authors[0].family)
    return fold(re.sub(r"^(?:the|an?)\s", "", ref.fields.title, flags=re.IGNORECASE))


def list_findings(text: str, refs: list[Reference], in_order: bool = True) -> list[Finding]:
    """Check the list as a whole: alphabetical order (when `in_order`), a/b suffixes, duplicates."""
    out: list[Finding] = []
    keys = [_sort_key(r) for r in refs] if in_order else []
    for before, after, ref in zip(keys, keys[1:], refs[1:], strict=False):
        if before and after and after < before:
            out.append(
                finding(
                    "reference_order",
                    f"Put the reference list in alphabetical order by first author: "
                    f"{label(ref)} belongs before {label(refs[keys.index(before)])}.",
                    ref.start,
                    ref.end,
                    text,
                    ref.index,
                )
            )
            break
    same: dict[tuple[object, ...], list[Reference]] = defaultdict(list)
    for ref in refs:
        if ref.fields.authors and (ref.fields.year or ref.fields.year_note):
            names = tuple([fold(a.family) for a in ref.fields.authors])
            same[(names, ref.fields.year, ref.fields.year_note)].append(ref)
    for group in same.values():
        if len(group) < 2:
            continue
        titles = {fold(r.fields.title) for r in group}
        if len(titles) == len(group) and len({r.fields.year_suffix for r in group}) < len(group):
            for ref in group:
                out.append(
                    finding(
                        "missing_year_suffix",
                        f"{label(ref)} shares authors and year with another "
                        "entry; add a, b after the year (by title order) here and in your citations.",
                        ref.start,
                        ref.end,
                        text,
                        ref.index,
                    )
                )
        elif len(titles) < len(group):
            for ref in group[1:]:
                out.append(
                    finding(
                        "duplicate_reference",
                        f"{label(ref)} is listed twice; keep one entry.",
                        ref.start,
                        ref.end,
                        text,
                        ref.index,
                    )
                )
    return out
