"""Find a post's reference list and split it into entries, as spans of the text.

Nothing inside a list is lost: every paragraph or group of lines becomes an entry, one the parser cannot read
included. A list ends only at a new heading, at the end of the text, or at prose that is demonstrably not a
reference (a greeting, a question, a paragraph written in the first person...). Numbered entries ("1.", "1.Spratt",
"[1]", "1)", "(1)") open a new entry wherever they stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forumgrader.citations.lines import (
    Line,
    glued_number,
    paragraph,
    read_line,
    read_lines,
    unnumbered,
    wrap_widths,
)
from forumgrader.citations.starts import (
    CONTINUES,
    PERSON,
    YEAR_ELEMENT,
    attachment,
    complete,
    cut_off,
    entry_start,
    has_year,
    looks_like_reference,
    open_authors,
    prose,
    sign_off,
)

MAX_ENTRY = 2000  # characters: a longer paragraph is prose, not a reference

_HEADING_WORDS = (
    r"(?:references?(?: list| cited)?|works cited|bibliography|literature cited|sources(?: cited)?"
    r"|cited works|resources|citations)"
)
_HEADING = re.compile(r"[#*_\s]{0,6}" + _HEADING_WORDS + r"[*_\s]{0,4}:?[*_\s]{0,4}", re.IGNORECASE)
_GLUED_HEADING = re.compile(r"[#*_\s]{0,6}(References?|Works Cited|Bibliography|REFERENCES?)(?::\s?|\s?(?=[A-Z]))")
# A heading of another section: Markdown, a bold line, or a short line naming a part of a post.
_OTHER_HEADING = re.compile(
    r"#{1,6}\s\S.{0,80}|\*\*[^*]{2,80}\*\*:?|(?i:appendix|discussion|reply|response|question|conclusion|summary|"
    r"introduction|footnotes|endnotes|notes|table|figure|part|week|module|post)\b[^.]{0,60}:?",
)


@dataclass(frozen=True, slots=True)
class Listing:
    """Where a reference list stands: its heading (if any), one span per entry, and whether it is numbered."""

    start: int
    end: int
    heading: tuple[int, int] | None
    entries: tuple[tuple[int, int], ...]
    numbered: bool = False


class _Grouper:
    """Group the lines of a list into entries, one line at a time."""

    def __init__(self, text: str, lines: list[Line], headed: bool, first: int) -> None:
        self.text, self.lines, self.headed = text, lines, headed
        self.wrap, self.sizes, self.ends = wrap_widths(lines, first)
        self.hanging = False  # continuation lines were seen to stand in from their entry's first line
        self.spans: list[list[int]] = []  # [start, end, first line's indent]
        self.last_number: int | None = None
        self.numbered = False
        self.bulleted = False  # the first entry opens with a bullet: so does every entry

    def current(self) -> str:
        return self.text[self.spans[-1][0] : self.spans[-1][1]] if self.spans else ""

    def run(self, first: int) -> int:
        """Group lines from `first`; return the index of the line the list stops at."""
        after_blank, previous = False, -1
        i = first
        while i < len(self.lines):
            line = self.lines[i]
            if not line.body:
                after_blank, i = True, i + 1
                continue
            if self.spans and (_heading(line) or (after_blank and self._other_heading(i))):
                break
            if line.number is None and (self.last_number is not None or not self.spans):
                line = glued_number(self.text, line, (self.last_number or 0) + 1)
            if line.number is not None and not self._in_sequence(line):
                line = unnumbered(self.text, line)
            decision = self._decide(line, i, previous, after_blank)
            if decision == "prose" and self._entries_follow(i, after_blank):
                if not prose(paragraph(self.lines, i, 2000) if after_blank else line.body, strong=True):
                    decision = "new"  # more entries follow: a short question or a name may be an entry too
                else:
                    i = self._paragraph_end(i) if after_blank else i + 1  # a note under an entry: skipped
                    continue
            if decision in ("stop", "prose"):
                break
            if decision == "join":
                self.spans[-1][1] = line.offset + len(line.body)
            else:
                self.spans.append([line.offset, line.offset + len(line.body), line.indent])
                if line.number is not None:
                    self.last_number, self.numbered = line.number, True
                self.bulleted = self.bulleted or (line.bullet and len(self.spans) == 1)
            after_blank, previous, i = False, i, i + 1
        return i

    def _paragraph_end(self, i: int) -> int:
        return self.ends[i] if i < len(self.ends) and self.lines[i].body else i

    def _entries_follow(self, i: int, paragraph_start: bool) -> bool:
        """Tell whether the list goes on after prose at line i: the next line opens an entry, or one of the next
        paragraphs is an entry (a note under an entry, as annotated bibliographies have)."""
        if not paragraph_start:
            return i + 1 < len(self.lines) and self._opens_entry(i + 1)
        k = i
        for _ in range(3):
            k = self._paragraph_end(k)
            while k < len(self.lines) and not self.lines[k].body:
                k += 1
            if k >= len(self.lines) or _heading(self.lines[k]) or self._other_heading(k):
                return False
            if self._opens_entry(k) or not prose(paragraph(self.lines, k, 2000)):
                return True
        return False

    def _opens_entry(self, k: int) -> bool:
        """Tell whether line k surely opens an entry: the list's next number, an author and a date..."""
        line = self.lines[k]
        if line.number is not None and self.last_number is not None and line.number > self.last_number:
            return True
        start = entry_start(line.body)
        return start == 2 or (start > 0 and looks_like_reference(paragraph(self.lines, k, 600)))

    def _other_heading(self, i: int) -> bool:
        """Tell whether line i is the heading of another section: a short line standing alone, or Markdown."""
        alone = i + 1 >= len(self.lines) or not self.lines[i + 1].body
        body = self.lines[i].body
        return body.startswith("#") or (alone and bool(_OTHER_HEADING.fullmatch(body)))

    def _in_sequence(self, line: Line) -> bool:
        """Tell whether a line's number goes on the list: the next number, or the first of a new list."""
        if not self.spans:
            return True
        if self.last_number is None:
            return False  # a list not numbered from its first entry: "14.Mekkes" is how that entry is written
        if line.indent > self.spans[-1][2]:
            return False  # "(1): 116-44." wrapped under its entry: an issue number, not the list's
        expected = self.last_number + 1  # or the one after, when a number was lost in a wrapped line
        return line.number == expected or (line.number == expected + 1 and not open_authors(self.current()))

    def _decide(self, line: Line, i: int, previous: int, after_blank: bool) -> str:
        """Say what a line does: "new" entry, "join" the current one, "stop" the list, or "prose" (stop, unless
        entries follow)."""
        body, current = line.body, self.current()
        if not self.spans:  # the first entry: its own first line tells, not the whole list run on after it
            alone = i + 1 >= len(self.lines) or not self.lines[i + 1].body
            return "new" if line.number is not None or not prose(body, line=not alone) else "prose"
        if line.number is not None or (line.bullet and self.bulleted and not open_authors(current)):
            return "new"
        one_a_line = not self.wrap and self.sizes[i] > 4  # lines not wrapped: each one the writer ended
        margin = self.hanging and line.indent <= self.spans[-1][2]  # entries of a hanging indent open at the margin
        if (open_authors(current) and not ((after_blank or one_a_line or margin) and entry_start(body))) or (
            attachment(body) and not entry_start(body)
        ):
            return "join"
        if after_blank:
            if cut_off(current, body):
                return "join"  # a blank line inside an entry, as LMS editors leave them
            text = paragraph(self.lines, i, MAX_ENTRY + 1)
            if len(text) > MAX_ENTRY:
                return "stop"
            if prose(text):
                return "prose"
            if not self.headed and not (entry_start(body) or looks_like_reference(text)):
                return "stop"
            return "new"
        indent = self.spans[-1][2]
        if line.indent > indent:
            self.hanging = True
            return "join"  # a hanging indent: continuation lines stand in
        closing = self._paragraph_end(i) - i <= 3  # what closes a post stands at the end of its paragraph
        if closing and complete(current) and ((prose(body, line=True) and not entry_start(body)) or sign_off(body)):
            return "prose"  # "Thanks, Maria" under the last entry
        if self.numbered:
            return "join"  # in a numbered list, a line without its number goes on the entry above
        following = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if line.indent < indent or self.hanging or (following and following.body and following.indent > line.indent):
            return "new"  # the entries of a hanging indent open at the margin
        score = self._score(line, i, previous, current)
        return "new" if score > 0 or (score == 0 and complete(current)) else "join"

    def _score(self, line: Line, i: int, previous: int, current: str) -> int:
        """Weigh the signs that a line in the same paragraph opens a new entry (> 0) or goes on the current one."""
        body = line.body
        level = _level(self.lines, line, i)
        score = {0: -1, 1: 1, 2: 3}[level] + 3 * line.bullet  # 2: an author and a date, as entries open
        whole = complete(current)
        score += 1 if whole else (-1 if has_year(current) else -2)
        if whole and YEAR_ELEMENT.search(body[:150]) and "press" not in body[:150]:
            score += 2  # a date of its own: "merriam-webster. (n.d.). Resilience."
        before = self.lines[previous]
        if not level and not whole and body[:1].islower() and before.body[-1:].isalnum():
            score -= 3  # a phrase running on: "Sleep and" / "stress. Sleep Review..."
        elif level < 2 and CONTINUES.match(body):
            score -= 1
        if level < 2 and not has_year(paragraph(self.lines, i, 600)):
            score -= 1 + (not level)  # most entries give a year early: "Cambridge, MA: MIT Press." is the end of one
        width, length = self.wrap, before.end - before.start
        unbreakable = width and len(before.body.rsplit(" ", 1)[-1]) > width // 2  # a link longer than a line
        if (not width and self.sizes[previous] > 4) or (width and length > width + 3 and not unbreakable):
            score += 4  # lines not wrapped, or this one longer than the wrap: the writer ended it
        elif width:
            room = width - length - 1 - len(body.split(" ", 1)[0])
            score += 3 if room >= max(0.15 * width, 12) else 1 if room >= 0 else -2  # the next word would have fit
        return score


def _level(lines: list[Line], line: Line, index: int) -> int:
    """Rate a line (at `index`) as an entry start, reading on into the next line when its year is there (names
    first, "S. Abiteboul and V. Vianu. Datalog...", give their year late)."""
    level = entry_start(line.body)
    if level == 2 or has_year(line.body):
        return level
    for following in lines[index + 1 : index + 3]:
        if following.body:
            if entry_start(following.body):
                return level
            return entry_start(line.body[:600] + " " + following.body[:200])
    return level


def _split_inline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a line that holds several APA entries one after another."""
    if len(YEAR_ELEMENT.findall(text, start, end)) < 2:
        return [(start, end)]
    spans, cut = [], start
    for found in re.finditer(r"[.\d/)]\s{1,3}(?=[^\W\d_])", text[start:end]):
        at = start + found.end()
        date = YEAR_ELEMENT.search(text, at, min(end, at + 300))
        names = date and not re.search(r"[:;]|\.\s[^\W\d_]{3}", text[at : date.start()])  # "Place: Press." is none
        if names and at - cut > 40 and entry_start(text[at : at + 400]) == 2 and PERSON.match(text, at):
            spans.append((cut, at))
            cut = at
    spans.append((cut, end))
    return spans


def _entries(text: str, lines: list[Line], first: int, headed: bool) -> tuple[list[tuple[int, int]], int, bool]:
    """Group lines from `first` into entries; return the spans, the line the list stops at and whether numbered."""
    grouper = _Grouper(text, lines, headed, first)
    stop = grouper.run(first)
    spans = [part for s, e, _ in grouper.spans for part in _split_inline(text, s, e)]
    return spans, stop, grouper.numbered


def _heading(line: Line) -> tuple[int, int, int] | None:
    """Return (heading start, heading end, where entries start) when a line is a list heading."""
    if len(line.body) <= 40 and _HEADING.fullmatch(line.body):
        return line.offset, line.offset + len(line.body), line.end
    glued = _GLUED_HEADING.match(line.body)
    if glued and entry_start(line.body[glued.end() :]) >= 1:
        return line.offset, line.offset + glued.end(1), line.offset + glued.end()
    return None


def find_listing(text: str) -> Listing | None:
    """Find the reference list of a text: after its last heading, else its last run of entries."""
    lines = read_lines(text)
    for i in range(len(lines) - 1, -1, -1):
        heading = _heading(lines[i])
        if heading is None:
            continue
        h_start, h_end, body_start = heading
        after = lines[i + 1 :]
        if body_start < lines[i].end:  # heading glued to the first entry
            after = [read_line(text[body_start : lines[i].end], body_start), *after]
        spans, _, numbered = _entries(text, after, 0, headed=True)
        if spans:
            return Listing(h_start, spans[-1][1], (h_start, h_end), tuple(spans), numbered)
    best: tuple[list[tuple[int, int]], bool] = ([], False)
    i = 0
    while i < len(lines):
        if _level(lines, lines[i], i) == 2 or (lines[i].number == 1 and entry_start(lines[i].body)):
            spans, stop, numbered = _entries(text, lines, i, headed=False)
            best = (spans, numbered) if spans else best
            i = max(stop, i + 1)
        else:
            i += 1
    if not best[0]:
        return None
    return Listing(best[0][0][0], best[0][-1][1], None, tuple(best[0]), best[1])
