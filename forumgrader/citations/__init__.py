"""Offline citation analysis: find the reference list and in-text citations of a text, and reconcile them."""

from __future__ import annotations

from forumgrader.citations.checks import entry_findings, list_findings
from forumgrader.citations.entries import parse_entry
from forumgrader.citations.intext import abbreviations, find_citations
from forumgrader.citations.listing import find_listing
from forumgrader.citations.model import CitationReport, Reference
from forumgrader.citations.reconcile import reconcile
from forumgrader.citations.text import fold, normalise

__all__ = ["CitationReport", "analyse"]


def analyse(text: str) -> CitationReport:
    """Analyse a post's clean text: its references, its citations and what disagrees between them."""
    norm = normalise(text)
    listing = find_listing(norm)
    refs: list[Reference] = []
    findings = []
    if listing:
        for index, (start, end) in enumerate(listing.entries):
            parsed = parse_entry(norm[start:end])
            ref = Reference(
                index,
                " ".join(text[start:end].split()),
                start,
                end,
                parsed.fields,
                parsed.type,
                parsed.confidence,
                parsed.clean,
            )
            refs.append(ref)
            findings.extend(entry_findings(norm, ref, parsed))
        findings.extend(list_findings(norm, refs))
    groups = frozenset(a.family for r in refs for a in r.fields.authors[:1] if a.group)
    span = (listing.start, listing.end) if listing else None
    known = frozenset(fold(r.fields.authors[0].family) for r in refs if r.fields.authors)
    citations = find_citations(norm, span, groups, known)
    citations, citation_findings = reconcile(norm, refs, citations, abbreviations(norm))
    findings.extend(citation_findings)
    findings = [f if f.text == text[f.start : f.end] else _original(f, text) for f in findings]
    citations = [c if c.text == text[c.start : c.end] else _original(c, text) for c in citations]
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    citations.sort(key=lambda c: (c.start, c.year or 0))
    return CitationReport(tuple(refs), tuple(citations), tuple(findings), span)


def _original(item, text: str):  # type: ignore[no-untyped-def]
    """Quote the original text (smart quotes and all) rather than the normalised one."""
    import dataclasses

    return dataclasses.replace(item, text=text[item.start : item.end])
