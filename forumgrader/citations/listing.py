"""Find a post's reference list and split it into entries, as spans of the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from forumgrader.citations.names import GROUP_WORDS, is_surname
from forumgrader.citations.text import LMS_RESIDUE

MAX_ENTRY = 2000  # characters: longer "entries" are prose, not references

_HEADING_WORDS = (
    r"(?:references?(?: list| cited)?|works cited|bibliography|literature cited|sources(?: cited)?"
    r"|cited works|resources|citations)"
)
_HEADING = re.compile(r"[#*_\s]{0,6}" + _HEADING_WORDS + r"[*_\s]{0,4}:?[*_\s]{0,4}", re.IGNORECASE)
_GLUED_HEADING = re.compile(r"[#*_\s]{0,6}(References?|Works Cited|Bibliography|REFERENCES?)(?::\s?|\s?(?=[A-Z]))")
_BULLET = re.compile(r"\s{0,8}(?:\[\d{1,3}\]|\d{1,3}[.)](?=\s)|[-*•·▪●◦‣]|&#?\w{1,6};)?\s{0,4}")
_PARTICLES = r"(?:(?:de|la|le|du|des|del|della|di|da|dos|van|der|den|von|ter|ten|al|el|st\.?)\s){0,3}"
_WORD = r"[^\W\d_][\w'-]{0,40}"
_PERSON = re.compile(_PARTICLES + rf"(?P<family>{_WORD}(?:\s{_WORD}){{0,2}}),\s{{0,2}}(?P<given>[^\W\d_]{{1,20}}\.?)")
_VANCOUVER = re.compile(rf"(?P<family>{_WORD}(?:\s{_WORD}){{0,2}})\s(?P<given>[A-Z]{{1,3}})(?:,\s|\.\s)")
_GROUP = re.compile(
    r"(?P<family>(?:[A-Z]\.){0,4}\s?[^\W\d_][^.()\[\]\n]{1,150}?)(?:\s?[(\[][A-Z][A-Za-z]{1,10}[)\]])?\.\s{0,2}"
    r"(?P<date>\()(?:\d{4}|n\.\s?d\.|in press|forthcoming)[^()]{0,30}\)\.",
    re.IGNORECASE,
)
_YEAR_ELEMENT = re.compile(
    r"\((?:1[5-9]\d\d|20\d\d)[a-z]?(?:[,/-][^()]{0,30})?\)|\(n\.\s?d\.(?:-[a-z])?\)|\(in press\)"
)
_ANY_YEAR = re.compile(r"(?<!\d)(?:1[6-9]\d\d|20\d\d)(?!\d)|\bn\.\s?d\.")
_REF_FEATURE = re.compile(
    r"\d{1,5}\s?\(\S{1,12}\)|\bpp?\.\s?\d|\d{1,6}\s?[-–]\s?\d{1,6}|doi|https?:|www\.|\b(?:Retrieved|Available|"
    r"Press|Publish\w*|Journal|Review|University|Vol\.|vol\.|ed\.|Eds?\.)",
)
# An author element left open at a line end: the next line goes on with it, whatever it looks like ("M. Vale, M.").
_OPEN_AUTHORS = re.compile(r"(?:[,&]|\band|…|\.\s?\.\s?\.)$")
_CONTINUES = re.compile(
    r"[a-z(\[&]|\d{1,5}\s?(?:\(\S{1,12}\)|[,:;.-])|(?:https?:|www\.|doi|DOI|Retrieved|Available|Accessed|In |pp?\.|"
    r"Article |PMID|PMCID|Epub|Vol\.|\))"
)


@dataclass(frozen=True, slots=True)
class Listing:
    """Where a reference list stands: its heading (if any) and one span per entry."""

    start: int
    end: int
    heading: tuple[int, int] | None
    entries: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    body: str  # the line without bullet, numbering or surrounding spaces
    offset: int  # where body starts


def _lines(text: str) -> list[_Line]:
    lines, start = [], 0
    for raw in text.split("\n"):
        bullet = _BULLET.match(raw)
        lead = bullet.end() if bullet else 0
        body = raw[lead:].rstrip()
        lines.append(_Line(start, start + len(raw), body, start + lead))
        start += len(raw) + 1
    return lines


def entry_start(body: str) -> int:
    """Rate how surely a line opens a reference entry: 2 sure, 1 likely, 0 not."""
    head = body[:700]
    year = _YEAR_ELEMENT.search(head)
    person = _PERSON.match(head)
    if person and is_surname(person.group("family")):
        given = person.group("given")
        if year and (len(given) <= 2 and given[0].isupper()) and year.start() < 600:
            return 2
        return 1 if given[0].isupper() else 0
    vancouver = _VANCOUVER.match(head)
    if vancouver and is_surname(vancouver.group("family")) and _ANY_YEAR.search(head):
        return 2 if re.search(r"\b(?:19|20)\d\d\s?(?:[A-Z][a-z]{2}\s?)?[;:(]|\bdoi\b", head) else 1
    group = _GROUP.match(head)
    if group and group.group("family")[0].isupper() and year and year.start() == group.start("date"):
        words = group.group("family").split()
        titled = len(words) <= 12 and all(w[0].isupper() or w in GROUP_WORDS for w in words)
        return 2 if titled else 1  # a work without author opens with its title
    return 0


def _level(lines: list[_Line], i: int) -> int:
    """Rate line i as an entry start, reading on into the next line when its year is there."""
    level = entry_start(lines[i].body)
    if level != 1 or _ANY_YEAR.search(lines[i].body[:600]):
        return level
    for j in range(i + 1, min(i + 3, len(lines))):
        if lines[j].body:
            if entry_start(lines[j].body):
                return level
            return entry_start(lines[i].body[:600] + " " + lines[j].body[:200])
    return level


def _looks_like_reference(body: str) -> bool:
    return bool(_ANY_YEAR.search(body[:600])) and len(_REF_FEATURE.findall(body[:600])) >= 1


def _complete(entry_text: str) -> bool:
    """Tell whether an entry so far has its year and ends as a sentence does."""
    tail = LMS_RESIDUE.sub("", entry_text[-120:]).rstrip()
    has_year = bool(_YEAR_ELEMENT.search(entry_text[:600]) or _ANY_YEAR.search(entry_text[:600]))
    return (has_year and tail[-1:] in ".?!)") or bool(
        re.search(r"(?:https?://|doi\.org/|10\.\d{4,9}/)\S{1,300}$", tail)
    )


def _open_authors(entry_text: str) -> bool:
    """Tell whether an entry so far is an author list that stops at a separator, before any date."""
    return bool(_OPEN_AUTHORS.search(entry_text.rstrip())) and not _YEAR_ELEMENT.search(entry_text[:600])


def _joins(line: _Line, entry_text: str, after_blank: bool) -> bool:
    """Tell whether a line that opens no entry continues the current one."""
    if not line.body:
        return False
    complete = _complete(entry_text)
    own_date = _YEAR_ELEMENT.search(line.body[:300])  # a whole entry of its own, though of an unusual shape
    if complete and own_date and own_date.start() > 0:
        return False
    if _CONTINUES.match(line.body) or LMS_RESIDUE.match(line.body):
        return True
    if not complete:
        return not after_blank or (entry_start(line.body) == 0 and len(line.body) < 400)
    return not after_blank and len(line.body) < 200 and bool(_REF_FEATURE.search(line.body))


def _split_inline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a line that holds several APA entries one after another."""
    if len(_YEAR_ELEMENT.findall(text, start, end)) < 2:
        return [(start, end)]
    spans, cut = [], start
    for found in re.finditer(r"[.\d/)]\s{1,3}(?=[^\W\d_])", text[start:end]):
        at = start + found.end()
        if at - cut > 40 and entry_start(text[at : at + 400]) == 2 and _PERSON.match(text, at):
            spans.append((cut, at))
            cut = at
    spans.append((cut, end))
    return spans


def _entries(text: str, lines: list[_Line], first: int, sure: int) -> tuple[list[tuple[int, int]], int]:
    """Group lines from `first` into entries while they read as references; return spans and next line."""
    spans: list[tuple[int, int]] = []
    current: list[int] | None = None  # [start, end]
    after_blank = False
    i = first
    while i < len(lines):
        line = lines[i]
        if not line.body:
            after_blank = True
            i += 1
            continue
        level = _level(lines, i)
        entry_text = text[current[0] : current[1]] if current else ""
        joins = level < 2 and _joins(line, entry_text, after_blank) and not (level and _complete(entry_text))
        if current and (joins or _open_authors(entry_text)):
            current[1] = line.start + len(line.body) + (line.offset - line.start)
        elif level >= sure or (sure == 1 and (current or not spans) and _looks_like_reference(line.body)):
            if current:
                spans.append((current[0], current[1]))
            current = [line.offset, line.offset + len(line.body)]
        else:
            break
        after_blank = False
        i += 1
    if current:
        spans.append((current[0], current[1]))
    split = [part for s, e in spans for part in _split_inline(text, s, e)]
    return [(s, e) for s, e in split if e - s <= MAX_ENTRY], i


def _heading(line: _Line) -> tuple[int, int, int] | None:
    """Return (heading start, heading end, where entries start) when a line is a list heading."""
    if len(line.body) <= 40 and _HEADING.fullmatch(line.body):
        return line.offset, line.offset + len(line.body), line.end
    glued = _GLUED_HEADING.match(line.body)
    if glued and entry_start(line.body[glued.end() :]) >= 1:
        return line.offset, line.offset + glued.end(1), line.offset + glued.end()
    return None


def find_listing(text: str) -> Listing | None:
    """Find the reference list of a text: after its last heading, else its last run of entries."""
    lines = _lines(text)
    for i in range(len(lines) - 1, -1, -1):
        heading = _heading(lines[i])
        if heading is None:
            continue
        h_start, h_end, body_start = heading
        if body_start < lines[i].end:  # heading glued to the first entry
            lines_after = [_Line(body_start, lines[i].end, lines[i].body[body_start - lines[i].offset :], body_start)]
            lines_after += lines[i + 1 :]
        else:
            lines_after = lines[i + 1 :]
        spans, _ = _entries(text, lines_after, 0, 1)
        if spans:
            return Listing(h_start, spans[-1][1], (h_start, h_end), tuple(spans))
    best: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if _level(lines, i) == 2:
            spans, i = _entries(text, lines, i, 2)
            best = spans or best
        else:
            i += 1
    if not best:
        return None
    return Listing(best[0][0], best[-1][1], None, tuple(best))
