"""Link each in-text citation to its reference entry and say where text and list disagree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from forumgrader.citations.checks import label
from forumgrader.citations.findings import finding
from forumgrader.citations.model import Citation, Finding, Reference
from forumgrader.citations.names import acronym
from forumgrader.citations.text import fold

FUZZY = 80  # rapidfuzz ratio from which two family names are taken as one misspelt
_ET_AL = re.compile(r"\bet al\.")
_AND = re.compile(r"\band\b")


@dataclass(frozen=True, slots=True)
class _Entry:
    """A reference reduced to what matching compares."""

    ref: Reference
    names: tuple[str, ...]
    aliases: frozenset[str]  # keys the first author also goes by: group acronyms and title words
    acronym: str = ""  # folded initials of a group author: "cdcp" for Centers for Disease Control and Prevention
    first: str = ""  # names[0], or "" when the entry names no author


def _entry(ref: Reference, abbreviations: dict[str, str]) -> _Entry:
    names = tuple([fold(a.family) for a in ref.fields.authors])
    aliases: set[str] = set()
    if ref.fields.authors and ref.fields.authors[0].group:
        family = ref.fields.authors[0].family
        aliases.add(fold(acronym(family)))
        aliases.update(fold(short) for short, full in abbreviations.items() if fold(full) == fold(family))
    if not names and ref.fields.title:
        aliases.add(fold(" ".join(ref.fields.title.split()[:4])))
    short = fold(acronym(ref.fields.authors[0].family)) if ref.fields.authors and ref.fields.authors[0].group else ""
    return _Entry(ref, names, frozenset(a for a in aliases if a), short, names[0] if names else "")


def _cited_as(cited: str, entries: list[_Entry]) -> list[_Entry]:
    """Return the entries whose first author a citation's folded first author names (_first_matches, inlined)."""
    return [
        e for e in entries if (e.names and cited == e.first) or ((e.aliases or e.acronym) and _first_matches(cited, e))
    ]


def _first_matches(cited: str, entry: _Entry) -> bool:
    if entry.names and cited == entry.names[0]:
        return True
    if cited in entry.aliases or any(len(cited) >= 8 and alias.startswith(cited[:12]) for alias in entry.aliases):
        return True
    return (
        bool(entry.acronym) and 2 <= len(cited) < len(entry.acronym) <= len(cited) + 2 and _within(cited, entry.acronym)
    )


def _within(short: str, long: str) -> bool:
    """Tell whether the letters of `short` appear in `long` in order: "cdc" in "cdcp", "nice" in "nihce"."""
    letters = iter(long)
    return all(letter in letters for letter in short)


def _year_matches(citation: Citation, ref: Reference) -> bool:
    if citation.year_note or ref.fields.year_note:
        return citation.year_note == ref.fields.year_note
    return citation.year == ref.fields.year


def _pick(citation: Citation, entries: list[_Entry]) -> tuple[_Entry | None, str]:
    """Choose the entry a citation means; say how sure: "exact", "fuzzy", "year" or ""."""
    cited = [fold(name) for name in citation.authors]
    if not cited or not cited[0]:
        return None, ""
    by_name = _cited_as(cited[0], entries)
    if not by_name and " " in citation.authors[0]:  # "van Dijk" listed as "Dijk, A. van"
        cited[0] = fold(citation.authors[0].split()[-1])
        by_name = _cited_as(cited[0], entries)
    same_year = [e for e in by_name if _year_matches(citation, e.ref)]
    if same_year:
        suffixed = [e for e in same_year if e.ref.fields.year_suffix == citation.year_suffix] or same_year
        fuller = suffixed if len(suffixed) == 1 else sorted(suffixed, key=lambda e: -_overlap(cited, e.names))
        return fuller[0], "exact"
    fuzzy = [
        e for e in entries if e.names and _year_matches(citation, e.ref) and fuzz.ratio(cited[0], e.names[0]) >= FUZZY
    ]
    if fuzzy:
        return max(fuzzy, key=lambda e: fuzz.ratio(cited[0], e.names[0])), "fuzzy"
    if by_name:
        return min(by_name, key=lambda e: abs((e.ref.fields.year or 0) - (citation.year or 0))), "year"
    return None, ""


def _overlap(cited: list[str], names: tuple[str, ...]) -> int:
    return sum(1 for a, b in zip(cited, names, strict=False) if a == b)


def _author_findings(text: str, citation: Citation, entry: _Entry, how: str) -> list[Finding]:
    ref = entry.ref
    span = (citation.start, citation.end, text, ref.index)
    count, listed = len(citation.authors), len(entry.names)
    out = []
    if how == "fuzzy" or (
        count > 1 and listed >= count and [fold(n) for n in citation.authors] != list(entry.names[:count])
    ):
        written = ", ".join(citation.authors)
        out.append(
            finding(
                "author_mismatch",
                f'"{written}" does not match the names in {label(ref)}; spell the authors as your reference list does.',
                *span,
            )
        )
    elif listed in (1, 2) and not citation.et_al and count != listed and not ref.fields.authors[0].group:
        out.append(
            finding(
                "author_mismatch",
                f"{label(ref)} has {listed} author(s); "
                f"{'name both' if listed == 2 else 'name only that author'} in this citation.",
                *span,
            )
        )
    if citation.et_al and listed in (1, 2):
        out.append(
            finding(
                "et_al_misuse",
                f"{label(ref)} has {listed} author{'s' if listed > 1 else ''}: "
                f'write {" and ".join(a.family for a in ref.fields.authors)} instead of "et al.".',
                *span,
            )
        )
    if how == "year":
        when = citation.year or citation.year_note
        listed_when = ref.fields.year or ref.fields.year_note
        out.append(
            finding(
                "year_mismatch",
                f"{citation.authors[0]}{' et al.' if listed >= 3 else ''} is cited as "
                f"{when} here but listed as {listed_when} in your references; make the years agree.",
                *span,
            )
        )
    if ref.fields.year_suffix and not citation.year_suffix and how != "year":
        out.append(
            finding(
                "missing_year_suffix",
                f"Your list has {label(ref)}; write the letter after the year "
                "here too, so readers know which work you mean.",
                *span,
            )
        )
    return out


def _style_findings(text: str, citation: Citation, ambiguous: bool) -> list[Finding]:
    out = []
    span = (citation.start, citation.end, text, citation.reference)
    names_part = text[citation.start : citation.end].split("(", 1)[0] if citation.narrative else citation.text
    if len(citation.authors) >= 3 and not ambiguous:
        out.append(
            finding(
                "et_al_misuse",
                f"With three or more authors, APA 7 cites only the first: write "
                f"{citation.authors[0]} et al. from the first citation on.",
                *span,
            )
        )
    elif citation.et_al and not _ET_AL.search(citation.text):
        out.append(finding("et_al_misuse", 'Write "et al." with a period after "al".', *span))
    if citation.narrative and "&" in names_part:
        out.append(
            finding(
                "ampersand_misuse",
                'In running text, join author names with "and"; keep "&" for citations in parentheses.',
                *span,
            )
        )
    elif not citation.narrative and len(citation.authors) > 1 and "and" in names_part and _AND.search(names_part):
        out.append(
            finding("ampersand_misuse", 'Inside parentheses, join author names with "&" instead of "and".', *span)
        )
    return out


def _linked(c: Citation, index: int) -> Citation:
    """Return the citation linked to reference `index` (dataclasses.replace is slow on a hot path)."""
    return Citation(
        c.text, c.start, c.end, c.authors, c.et_al, c.year, c.narrative, c.year_suffix, c.year_note, c.locator, index
    )


def reconcile(
    text: str,
    refs: list[Reference],
    citations: list[Citation],
    abbreviations: dict[str, str],
    numbers: frozenset[int] = frozenset(),
) -> tuple[list[Citation], list[Finding]]:
    """Link citations to references and return the linked citations with the findings about them.

    `numbers` are entry numbers cited as "[3]": those entries count as cited.
    """
    entries = [_entry(r, abbreviations) for r in refs]
    linked: list[Citation] = []
    out: list[Finding] = []
    cited_refs: set[int] = {n - 1 for n in numbers}
    picked: dict[tuple[object, ...], tuple[_Entry | None, str]] = {}  # a post cites a work again and again
    for citation in citations:
        key = (citation.authors, citation.year, citation.year_suffix, citation.year_note)  # all _pick reads
        if key not in picked:
            picked[key] = _pick(citation, entries) if entries else (None, "")
        entry, how = picked[key]
        if entry is not None:
            citation = _linked(citation, entry.ref.index)
            cited_refs.add(entry.ref.index)
        ambiguous = False  # only asked of citations naming three authors or more
        if len(citation.authors) >= 3:
            first = fold(citation.authors[0])
            ambiguous = (
                sum(1 for e in entries if e.first == first and len(e.names) >= 3 and e.ref.fields.year == citation.year)
                > 1
            )
        if entry is not None:
            out.extend(_author_findings(text, citation, entry, how))
        elif entries:
            out.append(
                finding(
                    "citation_without_reference",
                    f"We could not find {citation.text} in your reference "
                    "list; add the entry, or check the spelling and year.",
                    citation.start,
                    citation.end,
                    text,
                )
            )
        out.extend(_style_findings(text, citation, ambiguous))
        linked.append(citation)
    if citations and not refs:
        opening = citations[0]
        out.append(
            finding(
                "missing_reference_list",
                "You cite sources but we found no reference list; add one "
                'under a "References" heading at the end of your post.',
                opening.start,
                opening.end,
                text,
            )
        )
    for ref in refs:
        if ref.index not in cited_refs:
            out.append(
                finding(
                    "reference_not_cited",
                    f"{label(ref)} is in your references but we found no "
                    "citation of it in your text; cite it where you use it, or remove it.",
                    ref.start,
                    ref.end,
                    text,
                    ref.index,
                )
            )
    return linked, out
