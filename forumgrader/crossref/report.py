"""The citation report with verdicts: the analysis JSON, each reference's check beside it, and what follows from it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forumgrader.citations.model import CitationReport, Reference
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.authors import record_name
from forumgrader.crossref.compare import display_title
from forumgrader.crossref.model import Check, Notice, Verdict, Work

MATCHED = frozenset({Verdict.VERIFIED, Verdict.MISMATCH})


def record_json(work: Work) -> dict[str, Any]:
    """Return what a reader needs of a record: title, authors, journal, year, volume, issue, pages, type, DOI."""
    return {
        "doi": work.doi,
        "title": display_title(work),
        "authors": [record_name(author) for author in work.authors],
        "journal": work.container,
        "year": work.year,
        "volume": work.volume,
        "issue": work.issue,
        "pages": work.pages or work.article_number,
        "type": work.type,
    }


def notice_json(notice: Notice) -> dict[str, str]:
    """Return a retraction, correction or expression of concern as JSON."""
    return {"type": notice.type, "label": notice.label, "doi": notice.doi, "date": notice.date}


def check_json(check: Check) -> dict[str, Any]:
    """Return the verification keys of one reference."""
    return {
        "verdict": check.verdict.value,
        "doi": check.doi,
        "matched_doi": check.matched_doi,
        "differences": [
            {"field": d.field, "cited": d.cited, "record": d.record, "severity": d.severity} for d in check.differences
        ],
        "retracted": check.retracted,
        "notices": [notice_json(n) for n in check.notices],
        "retractions": [notice_json(n) for n in check.record.notices if n not in check.notices] if check.record else [],
        "suggestion": check.suggestion,
        "record": record_json(check.record) if check.record else None,
        "message": check.message,
        "match_confidence": check.confidence,
    }


# The keys of every reference's verdict, live or stored (forumgrader.store keeps one column per key).
VERDICT_KEYS = tuple(check_json(Check(Verdict.UNCHECKED)))


def check_findings(reference: Reference, check: Check) -> list[dict[str, Any]]:
    """Return the findings a verdict adds: a DOI to add, a retraction to know about."""
    found = []
    where = {"text": reference.text, "start": reference.start, "end": reference.end, "reference": reference.index}
    if check.verdict in MATCHED and not reference.fields.doi and check.matched_doi:
        found.append(
            {
                "code": "missing_doi",
                "severity": "info",
                "message": f"This work has a DOI: add https://doi.org/{check.matched_doi} at the end of the reference.",
                **where,
            }
        )
    if check.retracted:
        found.append(
            {
                "code": "retracted",
                "severity": "error",
                "message": "This work has been retracted: check its retraction notice before relying on it.",
                **where,
            }
        )
    return found


def report_with_checks(report: CitationReport, checks: Sequence[Check]) -> dict[str, Any]:
    """Return the analysis JSON with each reference's verdict, differences, record and suggestion added."""
    if len(checks) != len(report.references):
        raise ValueError(f"{len(checks)} checks for {len(report.references)} references")
    data = report_to_json(report)
    for entry, reference, check in zip(data["references"], report.references, checks, strict=True):
        entry.update(check_json(check))
        data["findings"].extend(check_findings(reference, check))
    data["findings"].sort(key=lambda f: (f["start"], f["end"], f["code"]))
    return data


LABELS = {
    Verdict.VERIFIED: "✓ verified",
    Verdict.MISMATCH: "! details differ from the record",
    Verdict.WRONG_DOI: "✗ the DOI belongs to another work",
    Verdict.BROKEN_DOI: "✗ broken DOI",
    Verdict.NOT_FOUND: "? not found in Crossref",
    Verdict.NOT_INDEXED: "· not listed in Crossref (nothing to fix)",
    Verdict.UNCHECKED: "… not checked yet",
}


def difference_text(field: str, cited: str, record: str) -> str:
    """Return one difference as a sentence: "year: you wrote 2011, the record says 2014"."""
    return f"{field}: you wrote “{cited}”, the record says “{record}”"


def checks_to_text(report: CitationReport, checks: Sequence[Check]) -> str:
    """Return each reference with its verdict, what differs from the record, and the suggested reference."""
    counts: dict[Verdict, int] = {}
    for check in checks:
        counts[check.verdict] = counts.get(check.verdict, 0) + 1
    summary = ", ".join(f"{count} {verdict.value.replace('_', ' ')}" for verdict, count in counts.items())
    lines = [f"Checked against Crossref: {len(checks)} references ({summary or 'none'})"]
    for reference, check in zip(report.references, checks, strict=True):
        lines.append(f"  [{reference.index + 1}] {LABELS[check.verdict]}{'  (RETRACTED)' if check.retracted else ''}")
        lines.append(f"      {reference.text[:200]}{'…' if len(reference.text) > 200 else ''}")
        lines.append(f"      {check.message}")
        lines.extend(f"      - {difference_text(d.field, d.cited, d.record)}" for d in check.differences)
        for notice in check.notices:
            lines.append(f"      - notice: {notice.label}" + (f" https://doi.org/{notice.doi}" if notice.doi else ""))
        if check.suggestion and check.verdict is not Verdict.VERIFIED:
            lines.append(f"      Suggested: {check.suggestion}")
    return "\n".join(lines) + "\n"
