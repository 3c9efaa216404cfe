"""Offline citation analysis: find the reference list and in-text citations of a text, and reconcile them."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from forumgrader.citations.checks import entry_findings, list_findings
from forumgrader.citations.entries import parse_entry
from forumgrader.citations.intext import abbreviations, find_citations, numbered_citations
from forumgrader.citations.listing import find_listing
from forumgrader.citations.model import Citation, CitationReport, Finding, Reference
from forumgrader.citations.reconcile import reconcile
from forumgrader.citations.text import fold, normalise

__all__ = ["CitationReport", "analyse"]


def analyse(text: str) -> CitationReport:
    """Analyse a post's clean text: its references, its citations and what disagrees between them."""
    norm = normalise(text)  # same length as text: every span found in it is a span of text
    listing = find_listing(norm)
    span = (listing.start, listing.end) if listing else None
    refs: list[Reference] = []
    findings: list[Finding] = []
    numeric = 0  # entries written as NLM/Vancouver, whose lists follow citation order
    for index, (start, end) in enumerate(listing.entries if listing else ()):
        parsed = parse_entry(norm[start:end])
        words = " ".join(text[start:end].split())
        refs.append(Reference(index, words, start, end, parsed.fields, parsed.type, parsed.confidence, parsed.clean))
        findings.extend(entry_findings(norm, refs[-1]))
        numeric += parsed.style == "vancouver"
    numbers = frozenset(numbered_citations(norm, span)) if refs else frozenset()
    in_order = not numbers and not (listing and listing.numbered) and numeric * 2 < len(refs)  # numbered: cited order
    findings.extend(list_findings(norm, refs, in_order=in_order))
    groups = frozenset(a.family for r in refs for a in r.fields.authors[:1] if a.group)
    known = frozenset(fold(r.fields.authors[0].family) for r in refs if r.fields.authors)
    citations = find_citations(norm, span, groups, known)
    citations, citation_findings = reconcile(norm, refs, citations, abbreviations(norm), numbers)
    findings.extend(citation_findings)
    if norm is not text:  # normalise changed something: quote the original where it differs
        findings = [_quoted(f, text) for f in findings]
        citations = [_quoted(c, text) for c in citations]
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    citations.sort(key=lambda c: (c.start, c.year or 0))
    return CitationReport(tuple(refs), tuple(citations), tuple(findings), span)


_Quoting = TypeVar("_Quoting", Citation, Finding)


def _quoted(item: _Quoting, text: str) -> _Quoting:
    """Quote the original text (smart quotes and all) rather than the normalised one."""
    original = text[item.start : item.end]
    return item if item.text == original else dataclasses.replace(item, text=original)
