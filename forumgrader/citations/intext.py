"""Find in-text citations: "(Luna, 2020; Bo, 2021, p. 5)" and "Luna and Bo (2020)", in linear time."""

from __future__ import annotations

import re
from collections.abc import Iterator

from forumgrader.citations.model import Citation
from forumgrader.citations.names import (
    GROUP_WORDS,
    NOT_AUTHORS,
    PARTICLES,
    group_name,
    is_group,
    is_surname,
)
from forumgrader.citations.narrative import names_before
from forumgrader.citations.text import fold

MAX_GROUP = 400  # characters inside one pair of parentheses
_HAS_DIGIT = re.compile(r"\d").search
_NOT_NAMES = re.compile(r"[\d<>=+%#@/]").search
_YEAR = (
    r"(?P<year>(?:1[6-9]|20)\d\d)(?P<suffix>[a-z])?(?![\d/])"
    r"|(?P<nd>n\.\s?d\.)(?:-(?P<ndsuffix>[a-z]))?|(?P<press>in press)(?:-(?P<presssuffix>[a-z]))?"
)
_YEAR_RE = re.compile(_YEAR, re.IGNORECASE)
_FIRST_YEAR = re.compile(r"(?:,\s?|\s)(?:" + _YEAR + r")", re.IGNORECASE)
_MORE = re.compile(r"\s?,\s?(?:" + _YEAR + r")", re.IGNORECASE)
_LOCATOR = re.compile(
    r"\s?,\s?(?P<loc>(?:pp?\.|paras?\.|para|chap\.|chapter|section|sect\.|slide|table|figure|fig\.|line|"
    r"vol\.|n\.|note)\s?[\w:.\-–, ]{1,25}|\d{1,2}:\d{2}(?::\d{2})?)\s*$",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:(?:e\.g\.|i\.e\.|cf\.|see also|see|also|and|but see|for example|for a review|for reviews|"
    r"as cited in|cited in|quoted in|adapted from|reprinted from|as reviewed by|as reviewed in|reviewed in|"
    r"as in|as discussed by|as discussed in|as noted by|as noted in|from|per|in)\s?,?\s?)+",
    re.IGNORECASE,
)
# A lookahead of the characters a match can start with skips the other places fast.
_SPLIT_NAMES = re.compile(r"(?=[\s,])(?:\s?,\s?&\s?|\s?,\s?and\s|\s&\s|\sand\s|\s?,\s?)")
_ET_AL = re.compile(r"(?=[,\se]),?\s?\bet\.?\s?al\b\.?$")
_ABBREVIATION = re.compile(r"\s?\[(?P<abbr>[A-Z][A-Za-z&]{1,11})\]")


def _years(content: str, at: int) -> list[re.Match[str]]:
    """Return the first year at `at` and the years that follow it (", 2021", ", 2020b")."""
    found = _YEAR_RE.match(content, at)
    years = [found] if found else []
    while years:
        more = _MORE.match(content, years[-1].end())
        if not more:
            break
        years.append(more)
    return years


def _tail_ok(content: str, end: int) -> tuple[bool, str]:
    """Tell whether what follows the years is nothing or a locator; return the locator."""
    rest = content[end:]
    if not rest.strip():
        return True, ""
    locator = _LOCATOR.match(rest)
    return (True, locator.group("loc").strip()) if locator else (False, "")


def _year_values(found: re.Match[str]) -> tuple[int | None, str, str]:
    year, suffix, nd, nd_suffix, _, press_suffix = found.groups()  # _YEAR's groups, in every pattern built on it
    if year:
        return int(year), suffix or "", ""
    if nd:
        return None, nd_suffix or "", "n.d."
    return None, press_suffix or "", "in press"


def split_names(authors: str) -> tuple[tuple[str, ...], bool] | None:
    """Split "Salas & D'Agostino" or "Ito et al." into family names; None when they are not names."""
    authors = authors.strip().strip(",")
    et_al = _ET_AL.search(authors) if "al" in authors else None
    if et_al:  # anchored at the end: the only match
        authors = authors[: et_al.start()].strip()
    if not authors or len(authors) > 160 or _NOT_NAMES(authors):
        return None
    if authors[0] in "\"'":
        return ((authors.strip("\"' ,"),), bool(et_al)) if len(authors) > 3 else None
    split = "," in authors or "&" in authors or "and" in authors  # what every separator holds; splitting is slow
    pieces = [p for p in map(str.strip, _SPLIT_NAMES.split(authors)) if p] if split else [authors]
    if pieces and all((is_surname(p) and " " not in p) or _particled(p) for p in pieces):
        if any(map(NOT_AUTHORS.__contains__, map(str.lower, pieces))):
            return None
        return tuple(pieces), bool(et_al)
    whole = group_name(authors)
    tokens = whole.split()
    if (
        is_group(whole)
        and tokens[0][0].isupper()
        and all(t[0].isupper() or t.lower() in GROUP_WORDS for t in tokens)
        and tokens[0].lower() not in NOT_AUTHORS
    ):
        return (whole,), bool(et_al)
    return None


def _particled(piece: str) -> bool:
    tokens = piece.split()
    return len(tokens) > 1 and is_surname(piece) and all(t.lower() in PARTICLES for t in tokens[:-1])


# ";" between works; ", and" only after a year ("Smith, 2019, and Jones, 2020"); before "as cited in".
_PART_SEPARATOR = re.compile(r";|,\s(?:and|&)\s|,?\s(?=as cited in\s)")


def _separates(content: str, found: re.Match[str]) -> bool:
    """Tell a ", and" between two works (after a year) from one between two authors."""
    if "and" not in found.group() and "&" not in found.group():
        return True
    before = content[max(0, found.start() - 2) : found.start()]
    return before[-1:].isdigit() or (before[:1].isdigit() and before[1:].isalpha())


# What a part of a parenthetical citation says: its names and "et al.", its years (value, letter, "n.d." or "in
# press") and its locator; None when it is no citation. A text cites its works again and again: each part is read once.
_Reading = tuple[tuple[tuple[str, ...], bool], list[tuple[int | None, str, str]], str] | None
_Read = dict[str, _Reading]  # the parts read so far in a text


def _parenthetical(text: str, open_at: int, content: str, known: frozenset[str], read: _Read) -> list[Citation]:
    """Read each citation of "(e.g., Luna, 2020; see also Bo, 2021, p. 4)"."""
    citations = []
    cut = 0
    bounds = []
    if ";" in content or "and" in content or "&" in content or "as cited in" in content:  # what every one holds
        bounds = [(m.start(), m.end()) for m in _PART_SEPARATOR.finditer(content) if _separates(content, m)]
    bounds.append((len(content), len(content)))
    for sep_start, sep_end in bounds:
        piece = content[cut:sep_start]
        start = open_at + 1 + cut + (len(piece) - len(piece.lstrip()))
        piece = piece.strip()
        cut = sep_end
        prefix = _PREFIX.match(piece)
        if prefix:
            start, piece = start + prefix.end(), piece[prefix.end() :]
        citations.extend(_one_part(text, piece, start, known, read))
    return citations


def _one_part(text: str, piece: str, start: int, known: frozenset[str], read: _Read) -> list[Citation]:
    """Make the citations of one part of a parenthetical citation, starting at `start`."""
    if piece not in read:
        read[piece] = _read_part(piece, known)
    reading = read[piece]
    if reading is None:
        return []
    (names, et_al), years, locator = reading
    end = start + len(piece.rstrip())
    return [
        Citation(text[start:end], start, end, names, et_al, year, False, suffix, note, locator)
        for year, suffix, note in years
    ]


def _read_part(piece: str, known: frozenset[str]) -> _Reading:
    """Read "Luna & Bo, 2020a, 2020b, p. 4" (Harvard's "Luna 2020" only for names in the reference list)."""
    year = _FIRST_YEAR.search(piece)
    if not year or year.start() == 0:
        return None
    names = split_names(piece[: year.start()])
    written = year.group()
    if names is None or (not written.startswith(",") and fold(names[0][0]) not in known):
        return None
    years = _years(piece, year.start() + (len(written) - len(written.lstrip(", "))))
    ok, locator = _tail_ok(piece, years[-1].end()) if years else (False, "")
    return (names, [_year_values(found) for found in years], locator) if ok else None


def _citation(
    text: str,
    span: tuple[int, int],
    names: tuple[tuple[str, ...], bool],
    found: re.Match[str],
    narrative: bool,
    locator: str,
) -> Citation:
    year, suffix, note = _year_values(found)
    start, end = span
    return Citation(text[start:end], start, end, names[0], names[1], year, narrative, suffix, note, locator)


def _narrative(text: str, open_at: int, content: str, groups: frozenset[str]) -> list[Citation]:
    years = _years(content, len(content) - len(content.lstrip()))
    if not years:
        return []
    ok, locator = _tail_ok(content, years[-1].end())
    found = names_before(text, open_at, groups) if ok else None
    if found is None:
        return []
    start, names, et_al = found
    end = open_at + len(content) + 2
    return [_citation(text, (start, end), (names, et_al), found, True, locator) for found in years]


def _groups(text: str, skip: tuple[int, int] | None) -> Iterator[tuple[int, int]]:
    """Yield (open, close) of innermost parentheses on one line, skipping a span; linear in the text."""
    find, rfind = text.find, text.rfind
    start, stop = skip or (len(text), len(text))
    at = find("(")
    while at >= 0:
        close = find(")", at + 1)
        if close < 0:
            return
        inner = rfind("(", at, close)  # the innermost: the last "(" before the first ")"
        if start <= inner < stop or start <= close < stop:
            at = find("(", max(stop, close + 1))  # nothing inside the skipped span opens or closes a group
            continue
        if close - inner <= MAX_GROUP and find("\n", inner, close) < 0:
            yield inner, close
        at = find("(", close + 1)


def find_citations(
    text: str,
    skip: tuple[int, int] | None = None,
    groups: frozenset[str] = frozenset(),
    known: frozenset[str] = frozenset(),
) -> list[Citation]:
    """Find the in-text citations of a text outside `skip` (the reference list).

    `groups` are group authors of the list, read whole in running text; `known` are folded first-author
    names of the list, for which the comma-less "(Luna 2020)" is accepted too.
    """
    citations: list[Citation] = []
    read: _Read = {}
    for open_at, close_at in _groups(text, skip):
        content = text[open_at + 1 : close_at]
        if _YEAR_RE.match(content.lstrip()):
            citations.extend(_narrative(text, open_at, content, groups))
        elif _HAS_DIGIT(content) or "n.d" in content or "in press" in content:
            citations.extend(_parenthetical(text, open_at, content, known, read))
    return citations


def abbreviations(text: str) -> dict[str, str]:
    """Return the group abbreviations a text defines in citations: {"WHO": "World Health Organization"}."""
    found: dict[str, str] = {}
    if "[" not in text:
        return found
    for match in _ABBREVIATION.finditer(text):
        before = text[max(0, match.start() - 90) : match.start()]
        name = re.split(r"[;(\n]", before)[-1].strip()
        if name[:1].isupper():
            found[match.group("abbr")] = group_name(name)
    return found


_NUMBERED = re.compile(r"\[(\d{1,3}(?:\s?[,;-]\s?\d{1,3}){0,20})\]")


def numbered_citations(text: str, skip: tuple[int, int] | None = None) -> set[int]:
    """Return the entry numbers cited as "[1]", "[2, 5]" or "[3-6]" (Vancouver, IEEE) outside `skip`."""
    numbers: set[int] = set()
    if "[" not in text:
        return numbers
    for found in _NUMBERED.finditer(text):
        if skip and skip[0] <= found.start() < skip[1]:
            continue
        for part in re.split(r"\s?[,;]\s?", found.group(1)):
            low, _, high = part.partition("-")
            first, last = int(low), int(high or low)
            numbers.update(range(first, min(last, first + 50) + 1))
    return numbers
