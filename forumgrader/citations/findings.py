"""The documented registry of finding codes, and the one way to make a finding."""

from __future__ import annotations

from forumgrader.citations.model import Finding, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO

# code -> (default severity, one-line description). Codes are part of the JSON API: add, never rename.
CODES: dict[str, tuple[Severity, str]] = {
    "citation_without_reference": (E, "An in-text citation has no entry in the reference list."),
    "missing_reference_list": (E, "The text cites sources but has no reference list."),
    "malformed_doi": (E, "A DOI cannot be right as written (spaces inside, no suffix, no 10. at its start)."),
    "reference_not_cited": (W, "A reference-list entry is never cited in the text."),
    "year_mismatch": (W, "A citation and its reference entry give different years."),
    "author_mismatch": (W, "A citation's author names differ from its reference entry (misspelt, missing, extra)."),
    "missing_year_suffix": (W, "Works by the same authors in the same year need a, b suffixes in text and list."),
    "duplicate_reference": (W, "The same work is listed twice."),
    "missing_date": (W, 'A reference entry has no year and no "n.d.".'),
    "broken_url": (W, "A URL in a reference entry is cut off and leads nowhere."),
    "et_al_misuse": (N, '"et al." missing for three or more authors, or used for one or two (APA 7).'),
    "ampersand_misuse": (N, '"&" belongs inside parentheses and "and" in running text (APA 7).'),
    "doi_format": (N, "A DOI is not written as https://doi.org/... (APA 7)."),
    "lms_artifact": (N, 'Text left behind by the learning platform, such as "to an external site.".'),
    "glued_text": (N, 'Two parts of an entry run together without a space or comma, e.g. "Psychology78(2)".'),
    "reference_order": (N, "The reference list is not in alphabetical order by first author."),
    "page_prefix": (N, 'Journal article pages are written without "p."/"pp." in APA 7.'),
    "unreadable_reference": (N, "An entry could not be read as a reference; check its parts and punctuation."),
}


def finding(code: str, message: str, start: int, end: int, text: str, reference: int | None = None) -> Finding:
    """Make a finding with the code's default severity, quoting the text it is about."""
    severity, _ = CODES[code]
    return Finding(code, severity, message, start, end, text[start:end], reference)
