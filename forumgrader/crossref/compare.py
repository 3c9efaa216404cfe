"""Compare what a reference says with a Crossref record, field by field, forgiving what is only cosmetic.

Pure functions over a parsed `Reference` and a `Work`. Differences come from the parsed fields, and each is checked
against the reference string before it is reported, so that a citation style the parser reads imperfectly (Chicago's
"and J. Li", MLA's "vol. 7, no. 2, 2019") never turns into a false accusation. Fields a record lacks are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from forumgrader.citations.model import Reference
from forumgrader.crossref.authors import author_differences, first_author_agrees
from forumgrader.crossref.gaps import lost_in_deposit
from forumgrader.crossref.model import Difference, Work
from forumgrader.crossref.normal import contains, fold, normalise, plain, reference_string, similarity
from forumgrader.crossref.numbers import number_form, page_range, pages_difference, volume_issue_differences

__all__ = [
    "author_differences",
    "differences",
    "first_author_agrees",
    "fold",
    "journal_agrees",
    "normalise",
    "number_form",
    "page_range",
    "pages_difference",
    "title_similarity",
    "volume_issue_differences",
    "year_agrees",
]

INFO, WARNING = "info", "warning"
LOST_IN_DEPOSIT = 0.95  # the similarity of a title whose record lost a Greek letter, a formula or an italic name
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NOTICE_PREFIX = re.compile(
    r"^\s*(?:correction|erratum|corrigendum|retraction(?: note)?|expression of concern|addendum|"
    r"notice of retraction|withdrawal|withdrawn)\b(?:\s+(?:to|for|of|on|regarding))?\s*[:.\-]?\s*",
    re.IGNORECASE,
)
_RETRACTED_PREFIX = re.compile(r"^\s*\[?(?:retracted|withdrawn)\s*(?:article)?\]?\s*[:.\-\]]\s*", re.IGNORECASE)
# Words ISO 4 abbreviations drop ("&" is already "and").
_JOURNAL_STOP = frozenset(
    re.findall(r"\w+", "of the and for in on a an de la le des du und fur der die das et part section series")
)
# A book's container is a series: only these types have a container a reference names as its journal or book.
_CONTAINER_TYPES = frozenset({"journal-article", "book-chapter", "proceedings-article", "posted-content", ""})


# Titles


def is_notice(work: Work) -> bool:
    """Tell whether the record is a notice about another work ("Correction to: ...", "Retraction Note: ...")."""
    title = plain(work.title)
    return bool(_NOTICE_PREFIX.match(title)) and not _RETRACTED_PREFIX.match(title)


def record_titles(work: Work) -> list[str]:
    """Return the titles a reference may give the record: title, title and subtitle, short and original titles."""
    title = _NOTICE_PREFIX.sub("", _RETRACTED_PREFIX.sub("", plain(work.title)), count=1)
    titles = [title]
    if work.subtitle:
        titles.append(f"{title}: {plain(work.subtitle)}")
    return [t for t in dict.fromkeys([*titles, *other_titles(work)]) if t]


def other_titles(work: Work) -> list[str]:
    """Return the record's further titles: a translated title beside the original, the short and original titles."""
    titles = [plain(t) for t in (work.raw.get("title") or [])[1:] if isinstance(t, str)]
    for name in ("short-title", "original-title"):
        titles.extend(plain(t) for t in work.raw.get(name) or () if isinstance(t, str))
    return titles


def _main_title(title: str) -> str:
    """Return the part before a subtitle, when it is long enough to stand for the whole."""
    head = re.split(r"[:?!]\s|\s[-\u2013\u2014]\s|\.\s", title, maxsplit=1)[0]
    return head if head != title and len(normalise(head).split()) >= 3 else ""


def title_similarity(cited: str, work: Work) -> float:
    """Return how well a cited title matches the record's title, subtitle and short title (0..1)."""
    cited_forms = [t for t in (plain(cited), _main_title(plain(cited))) if t]
    best = 0.0
    for record_title in record_titles(work):
        record_forms = [record_title, _main_title(record_title)]
        for i, cited_form in enumerate(cited_forms):
            for j, record_form in enumerate(record_forms):
                if not record_form:
                    continue
                a, b = normalise(cited_form), normalise(record_form)
                score = similarity(a, b)
                if len(a.split()) >= 4 and b.startswith(a) and len(a) >= 0.5 * len(b):
                    score = max(score, 0.95)  # a title cut short is still the title
                best = max(best, score * (0.96 if i or j else 1.0))
    if best < LOST_IN_DEPOSIT and lost_in_deposit(cited, _deposited_title(work)):
        return LOST_IN_DEPOSIT  # "Role of  in arthritis" deposited for "Role of TNF-α in arthritis"
    return best


def _deposited_title(work: Work) -> str:
    """Return the record's title and subtitle as deposited, markup and spacing kept (they show what was lost)."""
    title = (work.raw.get("title") or [work.title])[0]
    subtitle = (work.raw.get("subtitle") or [work.subtitle])[0]
    return f"{title}: {subtitle}" if subtitle else str(title)


def title_in_string(string: str, work: Work, *, at_least: float = 97) -> bool:
    """Tell whether the record's title is written in the reference string, however the parser split it."""
    for title in record_titles(work):
        wanted = normalise(title)
        if (len(wanted.split()) >= 3 and fuzz.partial_ratio(wanted, string) >= at_least) or contains(string, wanted):
            return True
    return False


def title_difference(reference: Reference, work: Work) -> Difference | None:
    """Return the title difference, none when the titles differ only cosmetically or the record has no title."""
    cited = reference.fields.title
    if not work.title:
        return None
    if not cited:  # the parser found no title: the string must still hold the record's (when it is distinctive)
        string = reference_string(reference)
        if len(normalise(work.title).split()) < 4 or not string or title_in_string(string, work):
            return None
        return Difference(
            "title", "", display_title(work), INFO if title_in_string(string, work, at_least=90) else WARNING
        )
    score = title_similarity(cited, work)
    if score >= 0.93 or title_in_string(reference_string(reference), work):
        return None
    main_cited, main_record = _main_title(plain(cited)), _main_title(plain(work.title))
    same_main = not (main_cited and main_record) or similarity(normalise(main_cited), normalise(main_record)) >= 0.9
    return Difference("title", plain(cited), display_title(work), INFO if score >= 0.85 and same_main else WARNING)


def display_title(work: Work) -> str:
    """Return the record's title as a reader sees it, with its subtitle."""
    title = plain(work.title)
    return f"{title}: {plain(work.subtitle)}" if work.subtitle else title


# Years


def _print_year_unknown(work: Work) -> bool:
    raw = work.raw
    return bool(raw) and not raw.get("published-print") and not (raw.get("journal-issue") or {}).get("published-print")


def record_years(work: Work) -> set[int]:
    """Return every year of the record: issued, print, online."""
    return set(work.years) | ({work.year} if work.year else set())


def year_agrees(year: int | None, work: Work) -> bool | None:
    """Tell whether a cited year is the record's issued, print or online year (None when either lacks one)."""
    years = record_years(work)
    if year is None or not years:
        return None
    if year in years:
        return True
    # an article online in December is often printed the next year; a record without a print date cannot refute it
    return _print_year_unknown(work) and year == max(years) + 1


def year_difference(reference: Reference, work: Work) -> Difference | None:
    """Return the year difference, unless the record's year is what the reference string says after all."""
    if year_agrees(reference.fields.year, work) is not False:
        return None
    numbers = set(reference_string(reference).split())
    in_parentheses = f"({reference.fields.year}" in (reference.clean or reference.text)
    if not in_parentheses and any(str(year) in numbers for year in record_years(work)):
        return None  # outside an author-date "(2019)", the parser may have taken another number for the year
    return Difference("year", str(reference.fields.year), " or ".join(str(y) for y in sorted(record_years(work))))


# Journals


def _journal_words(name: str) -> list[str]:
    return [w for w in normalise(_PARENTHETICAL.sub(" ", plain(name))).split() if w not in _JOURNAL_STOP]


def _abbreviates(short: str, word: str) -> bool:
    """Tell whether a word is an ISO-4-like abbreviation of another: "psychiatr"/"psychiatry", "natl"/"national"."""
    if word.startswith(short):
        return True
    if short[0] != word[0]:
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in short[1:])


def _journal_names_agree(cited: str, recorded: str) -> bool:
    a = _journal_words(cited)
    forms = [recorded, recorded.split(":")[0]] if ":" in recorded else [recorded]  # a journal's own subtitle
    return bool(a) and any(_words_agree(a, _journal_words(form)) for form in forms)


def _words_agree(a: list[str], b: list[str]) -> bool:
    if not b:
        return False
    if a == b or a[: len(b)] == b:  # "Current Psychology: A Journal for ..." against "Current Psychology"
        return True
    if len(a) == 1 and len(b) > 1 and a[0] == "".join(w[0] for w in b):
        return True  # an acronym: "JAMA", "BMJ"
    if len(a) == len(b) and all(_abbreviates(x, y) or _abbreviates(y, x) for x, y in zip(a, b, strict=True)):
        return True
    return similarity(" ".join(a), " ".join(b)) >= 0.9


def journal_agrees(cited: str, work: Work) -> bool | None:
    """Tell whether a cited journal or book title names the record's container (None when either lacks one)."""
    names = [n for n in (work.container, *work.short_containers) if n]
    if not cited or not names:
        return None
    return any(_journal_names_agree(cited, name) for name in names)


def journal_difference(reference: Reference, work: Work) -> Difference | None:
    """Return the journal difference, unless the record's journal is written in the reference string after all."""
    if work.type not in _CONTAINER_TYPES or journal_agrees(reference.fields.container, work) is not False:
        return None
    string = reference_string(reference)
    if any(contains(string, normalise(name)) for name in (work.container, *work.short_containers) if name):
        return None
    return Difference("journal", reference.fields.container, plain(work.container))


# Everything


def differences(reference: Reference, work: Work) -> tuple[Difference, ...]:
    """Return every field where the reference and the record disagree; fields the record lacks are not compared."""
    fields = reference.fields
    found: list[Difference] = []
    found.extend(d for d in [year_difference(reference, work)] if d)
    found.extend(author_differences(reference, work))
    found.extend(d for d in [title_difference(reference, work), journal_difference(reference, work)] if d)
    found.extend(volume_issue_differences(fields.volume, fields.issue, work))
    pages = pages_difference(fields.pages, fields.article_number, work)
    if pages and not _range_in_string(reference, work):
        found.append(pages)
    if fields.doi and work.doi and fields.doi.lower() != work.doi.lower():
        found.append(Difference("doi", fields.doi, work.doi))
    return tuple(found)


def _range_in_string(reference: Reference, work: Work) -> bool:
    """Tell whether the record's pages are all written in the reference string (the parser misread them)."""
    first, last, _ = page_range(work.pages)
    tokens = {number_form(token) for token in reference_string(reference).split()}
    return bool(first) and first in tokens and (not last or last in tokens)


def worst(found: Iterable[Difference]) -> str:
    """Return the highest severity among differences ("" when there are none)."""
    severities = {d.severity for d in found}
    return WARNING if WARNING in severities else INFO if severities else ""
