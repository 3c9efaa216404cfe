"""The lines of a text as a reference list reads them: numbering, bullets, indent, and where lines were wrapped."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

_NUMBER = re.compile(r"\s{0,8}(?:\[(\d{1,3})\]|\((\d{1,3})\)|(\d{1,3})[.)](?=[^\d.]))\s{0,4}")
_GLUED_DIGITS = re.compile(r"\s{0,8}(\d{1,3})[.)](?=\d)")
_DOI_START = re.compile(r"10\.\d{4,9}/")
_STOP = re.compile(r"[\w)\]]{3}\.$")  # a full stop, not an initial's: "...Press." but not "Simpson, R."
_BULLET = re.compile(r"\s{0,8}(?:[-*](?=\s)|[•·▪●◦‣]|&#?\w{1,6};)?\s{0,4}")


class Line(NamedTuple):  # many per post: a tuple is quick to make
    start: int
    end: int  # of the line as written, without its newline
    body: str  # the line without bullet, numbering or surrounding spaces
    offset: int  # where body starts
    indent: int
    number: int | None  # the list number the line opens with
    bullet: bool = False  # the line opens with a bullet: "-", "•", "*"...


def read_line(raw: str, start: int) -> Line:
    """Read one line: its indent, and the number or bullet it opens with."""
    stripped = raw.lstrip(" ")
    indent = len(raw) - len(stripped)
    if not stripped or stripped[0].isalpha():
        return Line(start, start + len(raw), stripped.rstrip(), start + indent, indent, None)  # most lines
    numbered = _NUMBER.match(raw)
    if numbered:
        lead, number = numbered.end(), int(next(n for n in numbered.groups() if n))
    else:
        bullet = _BULLET.match(raw)
        lead, number = (bullet.end() if bullet else 0), None
        if bullet and raw[:lead].strip():
            return Line(start, start + len(raw), raw[lead:].rstrip(), start + lead, indent, None, True)
    return Line(start, start + len(raw), raw[lead:].rstrip(), start + lead, indent, number)


def read_lines(text: str) -> list[Line]:
    """Read every line of a text."""
    lines, start = [], 0
    for raw in text.split("\n"):
        lines.append(read_line(raw, start))
        start += len(raw) + 1
    return lines


def unnumbered(text: str, line: Line) -> Line:
    """Read a number that breaks the list's sequence as part of the line: "12. Jahrgang" goes on an entry."""
    bullet = _BULLET.match(text, line.start, line.end)
    lead = bullet.end() if bullet else line.start
    return Line(line.start, line.end, text[lead : line.end].rstrip(), lead, line.indent, None)


def glued_number(text: str, line: Line, expected: int) -> Line:
    """Read the next number of a list glued to digits ("10.2008 Smith..."), which no other line is mistaken for."""
    found = _GLUED_DIGITS.match(text, line.start, line.end)
    if not found or int(found.group(1)) != expected or _DOI_START.match(text, found.end() - 3):
        return line
    return Line(line.start, line.end, text[found.end() : line.end].rstrip(), found.end(), line.indent, expected)


def _wrap_width(lengths: list[int], stops: list[int]) -> int:
    """Return the width a paragraph's lines were wrapped at, or 0 when they were not wrapped.

    Wrapped lines cluster just under the width; the lines of a list written one entry a line spread out, and end at
    a full stop (`stops`: the lengths of the lines that do). Where entries are short, their last lines are many: a
    cluster of fewer than half the lines still tells, when no line but a long link stands above it."""
    ordered = sorted(lengths)
    best, width, low = 0, 0, 0
    for high, w in enumerate(ordered):  # the lines within 10% (at least 10 characters) under each length
        while ordered[low] < w - max(10, 0.1 * w):
            low += 1
        if high - low + 1 >= best:
            best, width = high - low + 1, w
    longer = len(ordered) - bisect_right(ordered, width + 2)
    at_top = best >= 5 and best >= 0.35 * len(ordered) and longer <= 0.05 * len(ordered)
    if best < 3 or not (best >= 0.5 * len(ordered) or at_top):
        return 0
    ended = sum(1 for length in stops if width - max(10, 0.1 * width) <= length <= width)
    return width if ended <= 0.6 * best else 0  # wrapped lines end after any word, entries at a full stop


def wrap_widths(lines: list[Line], first: int) -> tuple[int, list[int], list[int]]:
    """Return the width the lines from `first` were wrapped at (0: not wrapped), and for each line its paragraph's
    size and the index of the line after its paragraph."""
    sizes, ends = [0] * len(lines), list(range(len(lines)))
    start = first
    for i in range(first, len(lines) + 1):
        if i == len(lines) or not lines[i].body:
            sizes[start:i] = [i - start] * (i - start)
            ends[start:i] = [i] * (i - start)
            start = i + 1
    wrapped = range(first, len(lines) - 1)
    inside = [i for i in wrapped if lines[i].body and lines[i + 1].body]
    stops = [lines[i].end - lines[i].start for i in inside if _STOP.search(lines[i].body)]
    return _wrap_width([lines[i].end - lines[i].start for i in inside], stops), sizes, ends


def paragraph(lines: list[Line], i: int, limit: int = 100_000) -> str:
    """Return the paragraph that starts at line i, its lines joined by spaces (its first `limit` characters)."""
    out, length = [], 0
    while i < len(lines) and lines[i].body and length < limit:
        out.append(lines[i].body)
        length += len(lines[i].body) + 1
        i += 1
    return " ".join(out)[:limit]
