"""Measures of one post: its length and its sources, as cited, checked and reviewed."""

from __future__ import annotations

from typing import Any

from forumgrader.citations.model import Severity
from forumgrader.grading.facts import PostFacts, SourceFacts, Standing, Verdict
from forumgrader.grading.measures.registry import Context, Measured, Param, Scope, measure, not_assessed, plural

_SEVERITY_WORDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# What each finding code means, in a few words a student understands (the codes stay in the JSON API)
FINDING_WORDS = {
    "citation_without_reference": "a citation with no entry in the reference list",
    "missing_reference_list": "no reference list for the sources cited",
    "malformed_doi": "a DOI that cannot be right as written",
    "reference_not_cited": "a reference never cited in the text",
    "year_mismatch": "a year that differs between citation and reference",
    "author_mismatch": "author names that differ between citation and reference",
    "missing_year_suffix": "the same author and year without a and b",
    "duplicate_reference": "a reference listed twice",
    "missing_date": "a reference without a year",
    "broken_url": "a web address cut short",
    "et_al_misuse": "et al. used where APA does not use it, or left out",
    "ampersand_misuse": "& and the word and swapped",
    "doi_format": "a DOI not written as https://doi.org/...",
    "lms_artifact": "text the learning platform left in a reference",
    "glued_text": "parts of a reference run together",
    "reference_order": "references not in alphabetical order",
    "page_prefix": "p. or pp. before a journal article's pages",
    "unreadable_reference": "a reference that could not be read",
}


def finding_words(code: str) -> str:
    """Say what a finding code means in a few plain words."""
    return FINDING_WORDS.get(code, "a citation detail to check")


_VERDICT_WORDS: dict[str | None, str] = {
    Verdict.WRONG_DOI: "its DOI leads to another work",
    Verdict.BROKEN_DOI: "its DOI does not resolve",
    Verdict.NOT_FOUND: "we could not find it",
}


def _words_total(total: float) -> str:
    return plural(total, "word")


@measure("words", Scope.POST, "Words in the post, not counting the reference list or quotations.", total=_words_total)
def words(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    quoted = f" and {plural(post.quoted_words, 'quoted word')}" if post.quoted_words else ""
    aside = f" (not counting the reference list{quoted})" if post.references or quoted else ""
    return Measured(post.words, f"{plural(post.words, 'word')}{aside}")


def _sources(count: float, what: str = "") -> str:
    return plural(count, "source") + (f" {what}" if what else "")


def _not_counted(excluded: list[SourceFacts], why: Any) -> str:
    if not excluded:
        return ""
    return " (not counted: " + "; ".join(f"{source.label}, {why(source)}" for source in excluded) + ")"


@measure("sources_cited", Scope.POST, "Entries in the post's reference list.", total=lambda n: _sources(n, "cited"))
def sources_cited(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    return Measured(len(post.references), _sources(len(post.references), "cited"))


def _flag_words(source: SourceFacts) -> str:
    if source.retracted:
        return "retracted"
    return _VERDICT_WORDS.get(source.verdict, "flagged")


def _why_not_credible(source: SourceFacts) -> str:
    return _flag_words(source) + ("" if source.retracted else " (confirmed by a TA)")


def _provisional(sources: list[SourceFacts]) -> frozenset[str]:
    """Sources counted only until a TA reviews their flag."""
    return frozenset(source.key for source in sources if source.awaiting and not source.matched)


@measure(
    "sources_credible",
    Scope.POST,
    "Cited sources that exist as far as checking and review tell, and are not retracted.",
    total=lambda n: plural(n, "credible source"),
)
def sources_credible(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    counted = [source for source in post.references if source.credible]
    excluded = [source for source in post.references if not source.credible]
    evidence = plural(len(counted), "credible source") + _not_counted(excluded, _why_not_credible)
    return Measured(len(counted), evidence, _provisional(counted))


@measure(
    "sources_verified",
    Scope.POST,
    "Cited sources whose Crossref record matches every field given.",
    total=lambda n: f"{plural(n, 'source')} verified",
)
def sources_verified(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    count = sum(1 for source in post.references if source.verdict == Verdict.VERIFIED)
    return Measured(count, f"{'none' if count == 0 else count} verified")


def _recent(post: PostFacts, context: Context, years: int) -> list[SourceFacts]:
    written = (post.created_at or context.now).year
    return [
        source
        for source in post.references
        if source.credible and source.year is not None and -1 <= written - source.year <= years
    ]


@measure(
    "sources_recent",
    Scope.POST,
    "Credible sources published within `years` years before the post.",
    params={"years": Param("integer", 5, "how many years back a source still counts as current")},
    total=lambda n, years: f"{plural(n, 'source')} within {years} years",
)
def sources_recent(post: PostFacts, context: Context, as_reply: bool, years: int) -> Measured:
    counted = _recent(post, context, years)
    return Measured(
        len(counted), f"{'none' if not counted else len(counted)} within {years} years", _provisional(counted)
    )


@measure(
    "sources_peer_reviewed",
    Scope.POST,
    "Cited journal articles with a matched Crossref record, not retracted.",
    total=lambda n: f"{plural(n, 'source')} peer-reviewed",
)
def sources_peer_reviewed(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    count = sum(1 for source in post.references if source.peer_reviewed and not source.retracted)
    return Measured(count, f"{'none' if count == 0 else count} peer-reviewed")


@measure(
    "references_flagged",
    Scope.POST,
    "References with a flag a TA confirmed (wrong or broken DOI, not found, retracted); unreviewed flags wait.",
    total=lambda n: f"{plural(n, 'reference')} flagged",
)
def references_flagged(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    if not post.references:
        return not_assessed(_NO_REFERENCES)
    flagged = [source for source in post.references if source.standing is Standing.FLAGGED]
    awaiting = frozenset(source.key for source in post.references if source.awaiting)
    detail = " (" + "; ".join(f"{source.label}: {_flag_words(source)}" for source in flagged) + ")" if flagged else ""
    return Measured(len(flagged), f"{plural(len(flagged), 'reference')} flagged{detail}", awaiting)


@measure(
    "references_minor",
    Scope.POST,
    "References whose Crossref record differs in small ways (a year, a page range, an author).",
    total=lambda n: f"{plural(n, 'reference')} with small differences from the record",
)
def references_minor(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    if not post.references:
        return not_assessed(_NO_REFERENCES)
    minor = [source for source in post.references if source.standing is Standing.MINOR]
    detail = " (" + "; ".join(source.label for source in minor) + ")" if minor else ""
    unreviewed = frozenset(source.key for source in minor if source.reviewed is None)
    evidence = f"{plural(len(minor), 'reference')} with small differences from the record{detail}"
    return Measured(len(minor), evidence, awaiting_minor=unreviewed)


def _findings_phrase(count: float, severity: list[str]) -> str:
    kinds = [_SEVERITY_WORDS[Severity(name)] for name in severity] if severity else ["finding"]
    noun = " or ".join(kind + ("" if count == 1 else "s") for kind in kinds)
    return f"{'no' if count == 0 else int(count)} citation {noun}"


_SEVERITIES = frozenset(s.value for s in Severity)
_NO_REFERENCES = "no references to check"


@measure(
    "findings",
    Scope.POST,
    "Citation findings (APA slips, year or author disagreements, malformed DOIs) by code and severity.",
    params={
        "severity": Param(
            "texts", [], "count only these severities (error, warning, info); all when empty", choices=_SEVERITIES
        ),
        "codes": Param("texts", [], "count only these finding codes; all when empty"),
        "ignore": Param("texts", [], "finding codes never counted"),
    },
    total=lambda n, severity, codes, ignore: _findings_phrase(n, severity),
)
def findings(
    post: PostFacts, context: Context, as_reply: bool, severity: list[str], codes: list[str], ignore: list[str]
) -> Measured:
    if not (post.references or post.citations or post.findings):
        return not_assessed(
            "nothing is cited, so there are no citations or references to check",
            hint="cite your sources in the text and list them in APA style",
        )
    counted = [
        finding
        for finding in post.findings
        if (not severity or finding.severity in severity)
        and (not codes or finding.code in codes)
        and finding.code not in ignore
    ]
    names = list(dict.fromkeys(finding_words(finding.code) for finding in counted))
    detail = f" ({'; '.join(names)})" if names else ""
    return Measured(len(counted), _findings_phrase(len(counted), severity) + detail)
