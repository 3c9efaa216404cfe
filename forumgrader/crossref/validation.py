"""Decide whether a candidate record is the work a reference describes, in the spirit of Crossref's SBMV.

Each candidate is scored feature by feature against the reference string (style-independent) and its parsed fields:
title, first and other authors, year, volume, issue, first page, journal. A support gate asks for several agreeing
features, the server's relevance score is never used beyond its ranking, and among versions of one work (preprint and
article, a notice and the article it corrects, a chapter and its book) the one the reference describes wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from forumgrader.citations.model import Reference, SourceType
from forumgrader.crossref.authors import first_author_agrees
from forumgrader.crossref.compare import is_notice, journal_agrees, other_titles, title_similarity, year_agrees
from forumgrader.crossref.model import Work
from forumgrader.crossref.normal import fold, normalise, plain, reference_string, similarity
from forumgrader.crossref.numbers import number_form, page_range

_NUMBER = re.compile(r"(?<![a-z0-9])[a-z]?\d+[a-z]?(?![a-z0-9])")
_PREPRINT = re.compile(r"preprint|arxiv|biorxiv|medrxiv|psyarxiv|socarxiv|ssrn|research square|osf", re.IGNORECASE)
_NOTICE_CITED = re.compile(r"^\s*(?:correction|erratum|corrigendum|retraction|expression of concern)", re.I)

# How much each feature counts; the title and the first author carry most, as in SBMV.
WEIGHTS = {
    "title": 3.0,
    "first_author": 2.0,
    "authors": 1.0,
    "year": 1.0,
    "volume": 1.0,
    "issue": 0.5,
    "page": 1.0,
    "journal": 1.0,
}
ACCEPT = 0.55  # weighted agreement needed, tuned on tests/bench/bench_matching.py
TYPE_FIT = {
    SourceType.JOURNAL_ARTICLE: {"journal-article": 1.0, "proceedings-article": 0.8, "posted-content": 0.2},
    SourceType.CHAPTER: {"book-chapter": 1.0, "reference-entry": 0.8, "book-section": 0.8, "book-part": 0.8},
    SourceType.BOOK: {"book": 1.0, "monograph": 1.0, "edited-book": 1.0, "reference-book": 1.0, "book-set": 0.8},
    SourceType.REPORT: {"report": 1.0, "report-component": 0.8, "posted-content": 0.6},
    SourceType.DATASET: {"dataset": 1.0, "component": 0.6},
}


@dataclass(frozen=True, slots=True)
class Cited:
    """The reference prepared once for comparing with every candidate."""

    reference: Reference
    string: str  # normalised search text
    numbers: tuple[str, ...]
    preprint: bool

    @classmethod
    def of(cls, reference: Reference) -> Cited:
        """Prepare a reference for validation."""
        string = reference_string(reference)
        numbers = tuple(number_form(n) for n in _NUMBER.findall(string))
        return cls(reference, string, numbers, bool(_PREPRINT.search(reference.clean or reference.text)))


@dataclass(frozen=True, slots=True)
class Evidence:
    """How one candidate record agrees with a reference, feature by feature (None: the record lacks it)."""

    work: Work
    rank: int  # where the server ranked it
    features: dict[str, float | None]
    supports: int
    similarity: float  # weighted agreement over the features the record has
    explained: float  # weight of the reference the record confirms: records with more fields to agree win ties
    type_fit: float
    notice: bool

    @property
    def accepted(self) -> bool:
        """Tell whether the candidate passes the support gate and the similarity threshold."""
        features = self.features
        title = features["title"] or 0.0
        by_title = title >= 0.75 and any((features[name] or 0) >= 0.8 for name in ("first_author", "year", "page"))
        by_numbers = all((features[name] or 0) >= 0.8 for name in ("first_author", "year", "volume", "page"))
        return not self.notice and self.supports >= 3 and (by_title or by_numbers) and self.similarity >= ACCEPT

    @property
    def same_work(self) -> bool:
        """Tell whether a record fetched by the cited DOI is the cited work (title or authors and numbers agree)."""
        features = self.features
        title = features["title"] or 0.0
        numbers = sum((features[name] or 0) >= 1 for name in ("year", "volume", "page"))
        author = (features["first_author"] or 0) >= 0.8
        if title >= 0.75:
            return author or numbers >= 1 or not self.work.authors
        return author and numbers >= 2

    @property
    def unrelated(self) -> bool:
        """Tell whether a record fetched by the cited DOI clearly describes another work: title and authors differ."""
        title = self.features["title"] or 0.0
        author = self.features["first_author"]
        return title < 0.6 and (author is None or author < 0.8)

    def sort_key(self) -> tuple[float, ...]:
        """Order candidates: accepted first, then the version the reference describes, then agreement."""
        return (self.accepted, self.explained + 2 * self.type_fit, self.similarity, -self.rank)


def _title(cited: Cited, work: Work) -> float | None:
    record_title = normalise(plain(work.title))
    if not record_title:
        return None
    fields = cited.reference.fields
    field_score = title_similarity(fields.title, work) if fields.title else 0.0
    if fields.title and fields.container and journal_agrees(fields.container, _as_container(work)):
        return field_score  # the record's title is the cited book or journal, not the cited work
    if field_score >= 0.9 or not cited.string:
        return field_score
    return max(field_score, *(_title_in_string(title, cited) for title in [record_title, *other_titles(work)]))


def _title_in_string(title: str, cited: Cited) -> float:
    wanted = normalise(title)
    if len(wanted.split()) >= 3:
        return fuzz.partial_ratio(wanted, cited.string) / 100
    return 1.0 if wanted and f" {wanted} " in f" {cited.string} " else 0.0


def _as_container(work: Work) -> Work:
    return Work(doi=work.doi, container=plain(work.title))


def _family_in_string(family: str, string: str, *, head: int | None = None) -> float:
    target = normalise(family)
    if not target:
        return 0.0
    window = string[: head or len(string)]
    if f" {target} " in f" {window} ":
        return 1.0
    if len(target) >= 4 and fuzz.partial_ratio(target, window) >= 85:
        return 0.8
    return 0.0


def _first_author(cited: Cited, work: Work) -> float | None:
    if not work.authors:
        return None
    first = work.authors[0]
    name = first.family or first.name
    by_fields = first_author_agrees(cited.reference.fields.authors, work)
    by_string = _family_in_string(name, cited.string, head=max(60, 5 * len(name)))
    if by_fields is False and by_string < 1.0:
        misspelt = similarity(fold(cited.reference.fields.authors[0].family), fold(name)) >= 0.75
        return max(by_string, 0.7 if misspelt else 0.0)
    return 1.0 if by_fields else by_string


def _other_authors(cited: Cited, work: Work) -> float | None:
    others = [a.family or a.name for a in work.authors[1:6]]
    if not others:
        return None
    return sum(_family_in_string(name, cited.string) >= 0.8 for name in others) / len(others)


def _year(cited: Cited, work: Work) -> float | None:
    years = set(work.years) | ({work.year} if work.year else set())
    if not years:
        return None
    if year_agrees(cited.reference.fields.year, work) or any(str(y) in cited.numbers for y in years):
        return 1.0
    near = {str(y + d) for y in years for d in (-1, 1)}
    return 0.5 if near & set(cited.numbers) else 0.0


def _number(value: str, cited: Cited) -> float | None:
    wanted = number_form(value)
    if not wanted:
        return None
    return 1.0 if wanted in cited.numbers else 0.0


def _page(cited: Cited, work: Work) -> float | None:
    first = page_range(work.pages)[0] if work.pages else ""
    scores = [s for s in (_number(first, cited), _number(work.article_number, cited)) if s is not None]
    return max(scores) if scores else None


def _journal(cited: Cited, work: Work) -> float | None:
    names = [n for n in (work.container, *work.short_containers) if n]
    if not names:
        return None
    if journal_agrees(cited.reference.fields.container, work):
        return 1.0
    padded = f" {cited.string} "
    return 1.0 if any(f" {normalise(name)} " in padded for name in names if normalise(name)) else 0.0


def _type_fit(cited: Cited, work: Work) -> float:
    if cited.preprint:
        return 1.0 if work.type == "posted-content" else 0.5
    return TYPE_FIT.get(cited.reference.type, {}).get(work.type, 0.5 if cited.reference.type in TYPE_FIT else 0.7)


def evidence(reference: Reference | Cited, work: Work, rank: int = 0) -> Evidence:
    """Score one candidate record against a reference."""
    cited = reference if isinstance(reference, Cited) else Cited.of(reference)
    features: dict[str, float | None] = {
        "title": _title(cited, work),
        "first_author": _first_author(cited, work),
        "authors": _other_authors(cited, work),
        "year": _year(cited, work),
        "volume": _number(work.volume, cited),
        "issue": _number(work.issue, cited),
        "page": _page(cited, work),
        "journal": _journal(cited, work),
    }
    present = {name: value for name, value in features.items() if value is not None}
    weight = sum(WEIGHTS[name] for name in present)
    agreement = sum(WEIGHTS[name] * value for name, value in present.items())
    title = features["title"] or 0.0
    short_title = len(normalise(work.title).split()) < 3
    supports = sum(
        [
            title >= (0.95 if short_title else 0.8),
            (features["first_author"] or 0) >= 0.8,
            (features["year"] or 0) >= 1,
            (features["volume"] or 0) >= 1,
            (features["page"] or 0) >= 1,
            (features["journal"] or 0) >= 1,
        ]
    )
    notice = is_notice(work) and not _NOTICE_CITED.match(cited.reference.fields.title or cited.string)
    return Evidence(
        work=work,
        rank=rank,
        features=features,
        supports=supports,
        similarity=agreement / weight if weight else 0.0,
        explained=agreement,
        type_fit=_type_fit(cited, work),
        notice=notice,
    )


def best_match(reference: Reference, candidates: Sequence[Work]) -> Evidence | None:
    """Return the candidate that is the cited work, preferring the version the reference describes; None if none is."""
    cited = Cited.of(reference)
    scored = [evidence(cited, work, rank) for rank, work in enumerate(candidates)]
    accepted = [e for e in scored if e.accepted]
    return max(accepted, key=Evidence.sort_key) if accepted else None
