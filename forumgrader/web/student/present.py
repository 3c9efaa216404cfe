"""A citation report as a learner reads it: a summary first, each reference with what to fix, each finding in place.

Pure functions over the report JSON (the shape of `forumgrader check --json`) and the text it was read from.
The wording here is for the student whose draft it is: what we could not find is a question for them to check,
never an accusation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from forumgrader.crossref.model import Verdict
from forumgrader.crossref.report import difference_text
from forumgrader.web.verdicts import VERDICTS

CONTEXT = 90  # characters shown on each side of a finding's passage
SEVERITY_WORDS = {"error": "Fix", "warning": "Check", "info": "Tip"}
# verdicts the student should look at, in the order the summary names them
NEEDS_A_LOOK = (Verdict.WRONG_DOI, Verdict.BROKEN_DOI, Verdict.MISMATCH, Verdict.NOT_FOUND)
FIELD_WORDS = {"journal": "journal", "doi": "DOI", "pages": "pages"}


@dataclass(frozen=True, slots=True)
class Passage:
    """The words around a finding, with the words it is about to be highlighted."""

    before: str
    marked: str
    after: str


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding: its code, how much it matters in words, what to do, and where."""

    code: str
    severity: str
    severity_word: str
    message: str
    passage: Passage


@dataclass(frozen=True, slots=True)
class ReferenceView:
    """One reference: its verdict, why, what differs from the record, the APA suggestion, and its own findings."""

    number: int
    text: str
    verdict: str
    message: str
    differences: tuple[str, ...]
    suggestion: str
    record: dict[str, Any] | None
    retracted: bool
    notices: tuple[dict[str, Any], ...]
    findings: tuple[FindingView, ...]


@dataclass(frozen=True, slots=True)
class ReportView:
    """A whole report, summary first."""

    headline: str
    counts: tuple[tuple[str, int], ...]  # (verdict, how many), in the order of VERDICTS
    citations: int
    references: tuple[ReferenceView, ...]
    findings: tuple[FindingView, ...]  # about the text and its in-text citations
    has_list: bool


def passage(text: str, start: int, end: int, width: int = CONTEXT, within: tuple[int, int] | None = None) -> Passage:
    """Return the words around text[start:end] (inside `within` when given), cut at word boundaries, with "…"."""
    low, high = within or (0, len(text))
    first, last = max(low, start - width), min(high, end + width)
    before, after = text[first:start], text[end:last]
    if first > low:
        before = "…" + re.sub(r"^\S*\s", "", before, count=1)
    if last < high:
        after = re.sub(r"\s\S*$", "", after, count=1) + "…"
    return Passage(before, text[start:end], after)


def _finding(found: dict[str, Any], text: str, within: tuple[int, int] | None = None) -> FindingView:
    start, end = found["start"], found["end"]
    if within == (start, end) or text[start:end] != found["text"]:
        shown = Passage("", "", "")  # about the whole reference, shown just above it: nothing to point at
    else:
        shown = passage(text, start, end, within=within)
    severity = found["severity"]
    return FindingView(found["code"], severity, SEVERITY_WORDS.get(severity, severity), found["message"], shown)


def _difference(difference: dict[str, Any]) -> str:
    field = FIELD_WORDS.get(difference["field"], difference["field"])
    sentence = difference_text(field, difference["cited"], difference["record"])
    return sentence[:1].upper() + sentence[1:]


def _headline(references: tuple[ReferenceView, ...], counts: dict[str, int], has_list: bool) -> str:
    if not references:
        return "Your reference list has no entries we could read." if has_list else "We did not find a reference list."
    total = len(references)
    to_look = sum(counts.get(verdict, 0) for verdict in NEEDS_A_LOOK) + sum(r.retracted for r in references)
    sentences = [f"We checked {total} reference{'s' if total != 1 else ''}."]
    if to_look:
        sentences.append(f"{to_look} need{'s' if to_look == 1 else ''} a look.")
    elif counts.get(Verdict.VERIFIED, 0) == total:
        sentences.append("All of them are in Crossref, and the details match.")
    if counts.get(Verdict.UNCHECKED):
        sentences.append(f"{counts[Verdict.UNCHECKED]} could not be checked this time.")
    return " ".join(sentences)


def present(report: dict[str, Any], text: str) -> ReportView:
    """Arrange a report for a learner: per-reference verdicts and findings, then the findings about the text."""
    listed = report.get("reference_list")
    spans = {entry["index"]: (entry["start"], entry["end"]) for entry in report["references"]}
    by_reference: dict[int, list[FindingView]] = {}
    about_text: list[FindingView] = []
    for found in report["findings"]:
        in_list = listed is not None and listed[0] <= found["start"] < listed[1]
        if in_list and found.get("reference") in spans:
            by_reference.setdefault(found["reference"], []).append(_finding(found, text, spans[found["reference"]]))
        else:
            about_text.append(_finding(found, text))
    references = tuple(
        ReferenceView(
            number=entry["index"] + 1,
            text=entry["text"],
            verdict=entry.get("verdict", Verdict.UNCHECKED.value),
            message=entry.get("message", ""),
            differences=tuple(_difference(d) for d in entry.get("differences", [])),
            suggestion=entry.get("suggestion", "") if entry.get("verdict") != Verdict.VERIFIED else "",
            record=entry.get("record"),
            retracted=bool(entry.get("retracted")),
            notices=tuple(entry.get("notices", [])),
            findings=tuple(by_reference.get(entry["index"], [])),
        )
        for entry in report["references"]
    )
    counts: dict[str, int] = {}
    for reference in references:
        counts[reference.verdict] = counts.get(reference.verdict, 0) + 1
    return ReportView(
        headline=_headline(references, counts, listed is not None),
        counts=tuple((verdict, counts[verdict]) for verdict in VERDICTS if verdict in counts),
        citations=len(report["citations"]),
        references=references,
        findings=tuple(about_text),
        has_list=listed is not None,
    )
