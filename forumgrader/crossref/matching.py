"""Verify one reference against a metadata source: find its record, compare the fields, give a verdict."""

from __future__ import annotations

import re

from forumgrader.citations.doi import find_dois
from forumgrader.citations.model import Reference, SourceType
from forumgrader.crossref.apa import apa_reference
from forumgrader.crossref.compare import differences, display_title, journal_agrees
from forumgrader.crossref.model import Check, Difference, MetadataSource, Verdict, Work
from forumgrader.crossref.normal import search_text
from forumgrader.crossref.report import report_with_checks
from forumgrader.crossref.validation import Evidence, best_match, evidence

ROWS = 10  # Crossref: "anything beyond [5] is very unlikely to be a match"; a few more leave room for versions
_WELL_FORMED = re.compile(r"10\.\d{4,9}/[^\s/][^\s]*")
_CUT_TAIL = re.compile(r"[.\-/]?\s+\d+(?:[.\-]\w+)+\b(?![^\s.,;])")  # digits and dots that can only be DOI
_FIELD_NAMES = {
    "year": "year",
    "authors": "authors",
    "title": "title",
    "journal": "journal",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "doi": "DOI",
}

__all__ = ["ROWS", "report_with_checks", "verify"]


def doi_is_well_formed(reference: Reference) -> bool:
    """Tell whether the cited DOI can be a DOI at all: "10.<digits>/<suffix>", written without spaces inside."""
    doi = reference.fields.doi
    if not _WELL_FORMED.fullmatch(doi) or doi.endswith("/") or "//" in doi:
        return False
    for text in dict.fromkeys((reference.text, reference.clean)):
        if any(mention.malformed for mention in find_dois(text, in_entry=True) if mention.doi == doi):
            return False
        written = re.search(r"\s*".join(map(re.escape, doi)), text, re.IGNORECASE)
        if written and re.search(r"\s", written.group()):
            return False  # "10.7717/peerj .9744": the parser joined what the student split
        if written and _CUT_TAIL.match(text, written.end()):
            return False  # "10.1037/0033-2909. 133.4.581": the rest of the DOI after a space
    return True


def verify(reference: Reference, source: MetadataSource) -> Check:
    """Return the verdict on one reference; only LookupFailed (or LookupBlocked) escapes from the source."""
    doi = reference.fields.doi
    if not doi:
        return _by_search(reference, source)
    if not doi_is_well_formed(reference):
        return _broken(reference, source, "is not written as a DOI can be")
    work = source.work(doi)
    if work is None:
        agency = source.agency(doi)
        if agency == "crossref":
            return Check(
                Verdict.NOT_INDEXED,
                doi=doi,
                message="This DOI is registered, but Crossref does not show its record yet, so we could not compare "
                "the details; nothing to fix unless your instructor asks.",
            )
        if agency:
            return Check(
                Verdict.NOT_INDEXED,
                doi=doi,
                message=f"This DOI is registered with {_agency_name(agency)}, not Crossref, so we could not compare "
                "the details; nothing to fix unless your instructor asks.",
            )
        return _broken(reference, source, "is not registered anywhere")
    cited = evidence(reference, work)
    if (cited.same_work and not cited.notice) or not _says_enough(reference):
        return _matched(reference, cited)  # nothing in a bare DOI can contradict its record
    found = _search(reference, source)
    if found is not None and found.work.doi != work.doi:
        return _wrong_doi(reference, found.work, doi_record=work, confidence=found.similarity)
    if found is None and (cited.unrelated or cited.notice):  # a correction notice's DOI is not the article's
        return _wrong_doi(reference, None, doi_record=work, confidence=1 - cited.similarity)
    return _matched(reference, found or cited)


def _says_enough(reference: Reference) -> bool:
    """Tell whether a reference says enough besides its DOI to be compared with a record (authors or a title)."""
    fields = reference.fields
    return bool(fields.title or fields.authors) or len(search_text(reference).split()) >= 4


def _candidates(reference: Reference, source: MetadataSource) -> tuple[Work, ...]:
    query = search_text(reference)
    return source.search(query, rows=ROWS) if len(query) >= 12 else ()


def _search(reference: Reference, source: MetadataSource) -> Evidence | None:
    return best_match(reference, _candidates(reference, source))


def _by_search(reference: Reference, source: MetadataSource) -> Check:
    candidates = _candidates(reference, source)
    found = best_match(reference, candidates)
    if found is not None:
        return _matched(reference, found)
    if _journal_shaped(reference, candidates):
        return Check(
            Verdict.NOT_FOUND,
            message="We could not find this article in Crossref: check the authors, year and title against the "
            "article itself, or ask your instructor to look at it.",
        )
    return Check(
        Verdict.NOT_INDEXED,
        message=f"This looks like a {_kind(reference)}, which Crossref often does not list, so we could not check "
        "it; nothing to fix unless your instructor asks.",
    )


def _journal_shaped(reference: Reference, candidates: tuple[Work, ...]) -> bool:
    """Tell whether the reference describes a journal article: by its shape, or by naming a journal Crossref knows."""
    if reference.type is SourceType.JOURNAL_ARTICLE:
        return True
    if reference.type is not SourceType.OTHER:
        return False
    fields = reference.fields
    if fields.volume or fields.issue or fields.pages:
        return True
    journals = (w for w in candidates if w.type == "journal-article")
    return bool(fields.container) and any(journal_agrees(fields.container, work) for work in journals)


def _kind(reference: Reference) -> str:
    return {
        SourceType.BOOK: "book",
        SourceType.CHAPTER: "book chapter",
        SourceType.WEB_PAGE: "web page",
        SourceType.REPORT: "report",
        SourceType.DATASET: "dataset",
    }.get(reference.type, "source other than a journal article")


def _matched(reference: Reference, found: Evidence) -> Check:
    work = found.work
    cited_doi = reference.fields.doi
    found_differences = differences(reference, work)
    if found_differences:
        verdict = Verdict.MISMATCH
        fields = ", ".join(dict.fromkeys(_FIELD_NAMES[d.field] for d in found_differences))
        message = f"We found this work in Crossref, but some details differ from its record: {fields}."
    else:
        verdict = Verdict.VERIFIED
        message = "This reference matches its Crossref record."
        if not cited_doi:
            message = f"This reference matches its Crossref record; add its DOI: https://doi.org/{work.doi}"
    return _with_record(verdict, reference, work, found_differences, message, found.similarity)


def _wrong_doi(reference: Reference, work: Work | None, *, doi_record: Work, confidence: float) -> Check:
    cited_doi = reference.fields.doi
    belongs = f"“{display_title(doi_record)}”" if doi_record.title else "another work"
    if work is None:
        return Check(
            Verdict.WRONG_DOI,
            doi=cited_doi,
            differences=tuple(d for d in differences(reference, doi_record) if d.field != "doi"),
            message=f"This DOI belongs to {belongs}, not to the work you describe; look up the right DOI.",
            confidence=round(confidence, 2),
        )
    message = f"This DOI belongs to {belongs}; the work you describe has the DOI https://doi.org/{work.doi}"
    return _with_record(Verdict.WRONG_DOI, reference, work, _with_doi(reference, work), message, confidence)


def _broken(reference: Reference, source: MetadataSource, why: str) -> Check:
    cited_doi = reference.fields.doi
    found = _search(reference, source)
    if found is None:
        return Check(
            Verdict.BROKEN_DOI,
            doi=cited_doi,
            message=f"This DOI {why}; copy it again from the article page (it starts with 10.).",
        )
    work = found.work
    message = f"This DOI {why}; the work you describe has the DOI https://doi.org/{work.doi}"
    return _with_record(Verdict.BROKEN_DOI, reference, work, _with_doi(reference, work), message, found.similarity)


def _with_record(
    verdict: Verdict,
    reference: Reference,
    work: Work,
    found: tuple[Difference, ...],
    message: str,
    confidence: float,
) -> Check:
    """A check that found the cited work's record: its DOI, the differences, the record and its APA rendering."""
    return Check(
        verdict,
        doi=reference.fields.doi,
        matched_doi=work.doi,
        differences=found,
        record=work,
        suggestion=apa_reference(work),
        message=message,
        confidence=round(confidence, 2),
    )


def _with_doi(reference: Reference, work: Work) -> tuple[Difference, ...]:
    """The differences from a record found under another DOI than the cited one: the DOI is always among them."""
    found = differences(reference, work)
    if any(d.field == "doi" for d in found):
        return found
    return (*found, Difference("doi", reference.fields.doi, work.doi))


def _agency_name(agency: str) -> str:
    return {"datacite": "DataCite", "medra": "mEDRA", "jalc": "JaLC", "kisti": "KISTI", "airiti": "Airiti"}.get(
        agency.lower(), agency
    )
