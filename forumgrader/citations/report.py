"""Turn a CitationReport into JSON-ready data or a readable text report."""

from __future__ import annotations

import dataclasses
from typing import Any

from forumgrader.citations.checks import label
from forumgrader.citations.model import CitationReport, ReferenceFields, Severity

_FIELD_NAMES = tuple(field.name for field in dataclasses.fields(ReferenceFields))


def _fields(fields: ReferenceFields) -> dict[str, Any]:
    # the fields are plain values but the authors: a shallow copy, several times faster than dataclasses.asdict
    data = {name: getattr(fields, name) for name in _FIELD_NAMES}
    data["authors"] = [{"family": a.family, "initials": a.initials, "group": a.group} for a in fields.authors]
    return data


def report_to_json(report: CitationReport) -> dict[str, Any]:
    """Return the report as plain JSON-ready data (the shape of the API and of `check --json`)."""
    return {
        "references": [
            {
                "index": r.index,
                "text": r.text,
                "start": r.start,
                "end": r.end,
                "fields": _fields(r.fields),
                "type": r.type.value,
                "confidence": r.confidence,
                "clean": r.clean,
            }
            for r in report.references
        ],
        "citations": [
            {
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "authors": list(c.authors),
                "et_al": c.et_al,
                "year": c.year,
                "year_suffix": c.year_suffix,
                "year_note": c.year_note,
                "narrative": c.narrative,
                "locator": c.locator,
                "reference": c.reference,
            }
            for c in report.citations
        ],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message,
                "text": f.text,
                "start": f.start,
                "end": f.end,
                "reference": f.reference,
            }
            for f in report.findings
        ],
        "reference_list": list(report.reference_list) if report.reference_list else None,
    }


_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "·"}
_SEVERITY_WORDS = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Note"}


def report_to_text(report: CitationReport) -> str:
    """Return the report as text a student or instructor can read."""
    lines = [f"References: {len(report.references)}"]
    for r in report.references:
        cited = sum(1 for c in report.citations if c.reference == r.index)
        lines.append(f"  [{r.index + 1}] {label(r)} — {r.type.value}, cited {cited}×, confidence {r.confidence:.2f}")
        lines.append(f"      {r.text[:160]}{'…' if len(r.text) > 160 else ''}")
    lines.append(f"In-text citations: {len(report.citations)}")
    for c in report.citations:
        target = f"→ [{c.reference + 1}]" if c.reference is not None else "→ no entry"
        lines.append(f"  {c.text}  {target}")
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    lines.append(
        f"Findings: {len(report.findings)} ({counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
        f"{counts[Severity.INFO]} notes)"
    )
    for f in report.findings:
        lines.append(f"  {_MARK[f.severity]} {_SEVERITY_WORDS[f.severity]}: {f.message}")  # the code is for machines
        lines.append(f'      at {f.start}-{f.end}: "{f.text[:80]}"')
    return "\n".join(lines) + "\n"
