"""Labelled references for the matching benchmark, built from the shipped Crossref records.

Records: works-sample.jsonl and seed-works.jsonl, plus near-duplicates synthesised for the benchmark only (a preprint
twin of an article, "Correction to: ..." and retraction notices, the book a chapter belongs to) and retraction marks.
Each case is a record rendered by citeproc-py in a CSL style, then changed in one labelled way.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forumgrader.crossref.apa import format_reference
from forumgrader.crossref.records import work_from_record

SAMPLES = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "crossref"
FLAGS = frozenset({"mismatch", "wrong_doi", "broken_doi", "not_found"})
SURNAMES = re.findall(
    r"\w+",
    "Anderson Baker Carter Dawson Ellis Fischer Garcia Hughes Ito Jensen Kowalski Lindqvist Moreau Nakamura Okafor "
    "Petrov Quinn Rossi Schmidt Tanaka Umarov Varga Walsh Xu Yilmaz Zhang Novak Haddad Costa Bauer",
)
PUBLISHERS = ["Guilford Press", "Routledge", "Oxford University Press", "Sage", "Jossey-Bass", "Pearson", "Norton"]
ORGANISATIONS = [
    "World Health Organization",
    "National Institute of Mental Health",
    "Centers for Disease Control and Prevention",
    "American Psychological Association",
    "Mayo Clinic",
    "National Alliance on Mental Illness",
]


@dataclass(frozen=True)
class Case:
    """One reference as a student might write it, with what the checker should say about it."""

    label: str
    text: str
    expected: frozenset[str]  # acceptable verdicts
    doi: str = ""  # the described work's DOI when the index holds it
    also: frozenset[str] = frozenset()  # records identical to it (Crossref holds some works twice)
    field: str = ""  # the field a mismatch must name
    correct: bool = False  # a correct reference: any flag would wrongly accuse the student
    fabricated: bool = False
    retracted: bool = False
    look_alike: bool = False  # a real article's authors, journal and year: matching that article is expected
    style: str = "apa"
    slip: bool = False  # a class added for a kind of mistake that used to slip (matching_slips.py)


@dataclass
class Collection:
    """The records served for the benchmark and the agencies of DOIs Crossref does not hold."""

    records: list[dict[str, Any]]
    agencies: dict[str, str] = field(default_factory=dict)  # DOI prefix -> registration agency
    twins: dict[str, list[str]] = field(default_factory=dict)  # article DOI -> near-duplicate DOIs

    def by_doi(self) -> dict[str, dict[str, Any]]:
        """Return the records keyed by lower-case DOI."""
        return {r["DOI"].lower(): r for r in self.records}


def load_records() -> list[dict[str, Any]]:
    """Return the shipped records."""
    records = []
    for name in ("works-sample.jsonl", "seed-works.jsonl"):
        with (SAMPLES / name).open(encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    return records


def _year(record: dict[str, Any]) -> int | None:
    parts = (record.get("issued") or {}).get("date-parts") or [[None]]
    return parts[0][0] if parts[0] else None


def articles(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return journal articles a student could cite: a title, a named author, a year, a journal."""
    return [
        r
        for r in records
        if r.get("type") == "journal-article"
        and r.get("title")
        and all(re.search(r"[^\W\d_]{2}", a.get("family") or a.get("name") or "") for a in r.get("author") or ())
        and r.get("author")
        and _year(r)
        and r.get("container-title")
        and not r["title"][0].lower().startswith(("correction", "retraction", "erratum"))
    ]


def build_collection(rng: random.Random) -> Collection:
    """Add near-duplicates and retractions to the shipped records."""
    records = load_records()
    collection = Collection(records)
    pool = articles(records)
    rng.shuffle(pool)
    for n, article in enumerate(pool[:30]):
        twin = {
            "DOI": f"10.31234/osf.io/bench{n:03d}",
            "type": "posted-content",
            "title": list(article["title"]),
            "author": copy.deepcopy(article["author"]),
            "issued": {"date-parts": [[_year(article) - 1]]},
            "posted": {"date-parts": [[_year(article) - 1]]},
            "institution": [{"name": "PsyArXiv"}],
            "group-title": "PsyArXiv",
            "publisher": "Center for Open Science",
            "relation": {"is-preprint-of": [{"id-type": "doi", "id": article["DOI"], "asserted-by": "subject"}]},
        }
        records.append(twin)
        collection.twins.setdefault(article["DOI"].lower(), []).append(twin["DOI"].lower())
    for n, article in enumerate(pool[30:60]):
        notice = {
            "DOI": f"{article['DOI'].split('/')[0]}/bench.correction.{n:03d}",
            "type": "journal-article",
            "title": [f"Correction to: {article['title'][0]}"],
            "author": copy.deepcopy(article["author"]),
            "container-title": list(article["container-title"]),
            "short-container-title": list(article.get("short-container-title") or ()),
            "issued": {"date-parts": [[_year(article) + 1]]},
            "volume": str(int(article["volume"]) + 1) if str(article.get("volume", "")).isdigit() else "",
            "page": "1",
            "update-to": [{"DOI": article["DOI"], "type": "correction", "label": "Correction"}],
        }
        records.append(notice)
        article.setdefault("updated-by", []).append({"DOI": notice["DOI"], "type": "correction", "label": "Correction"})
        collection.twins.setdefault(article["DOI"].lower(), []).append(notice["DOI"].lower())
    for n, article in enumerate(pool[60:80]):
        notice_doi = f"{article['DOI'].split('/')[0]}/bench.retraction.{n:03d}"
        records.append(
            {
                "DOI": notice_doi,
                "type": "journal-article",
                "title": [f"Retraction Note: {article['title'][0]}"],
                "container-title": list(article["container-title"]),
                "issued": {"date-parts": [[_year(article) + 2]]},
                "update-to": [{"DOI": article["DOI"], "type": "retraction", "label": "Retraction"}],
            }
        )
        article.setdefault("updated-by", []).append(
            {"DOI": notice_doi, "type": "retraction", "label": "Retraction", "source": "retraction-watch"}
        )
        article["bench-retracted"] = True
    books: dict[str, dict[str, Any]] = {}
    for chapter in [r for r in records if r.get("type") == "book-chapter" and r.get("container-title")]:
        book_doi = chapter["DOI"].rsplit("_", 1)[0] if "_" in chapter["DOI"] else ""
        if not book_doi or book_doi.lower() in books or book_doi.lower() == chapter["DOI"].lower():
            continue
        books[book_doi.lower()] = {
            "DOI": book_doi,
            "type": "book",
            "title": list(chapter["container-title"]),
            "author": copy.deepcopy(chapter.get("author") or []),
            "issued": copy.deepcopy(chapter.get("issued") or {}),
            "publisher": chapter.get("publisher", ""),
            "ISBN": list(chapter.get("ISBN") or ()),
        }
        collection.twins.setdefault(chapter["DOI"].lower(), []).append(book_doi.lower())
    records.extend(books.values())
    collection.agencies["10.5281"] = "datacite"  # Zenodo's prefix: DataCite registers it, Crossref does not
    return collection


def render(record: dict[str, Any], style: str = "apa", *, doi: bool = True) -> str:
    """Return the record as citeproc-py renders it in a CSL style, without numbering."""
    work = work_from_record(record)
    if not doi:
        work = dataclasses.replace(work, doi="", url="")
    text = format_reference(work, style)
    return re.sub(r"^\s*(?:\[\d+\]|\d+\.)\s*", "", text)


def strip_accents(text: str) -> str:
    """Return the text without diacritics."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _title(record: dict[str, Any]) -> str:
    return work_from_record(record).title


def _cosmetic(record: dict[str, Any], text: str, rng: random.Random) -> str:
    """Change a rendered reference in ways that are not mistakes: case, accents, dashes, "&", "pp.", abbreviations."""
    work = work_from_record(record)
    changes = [
        lambda t: strip_accents(t),
        lambda t: t.replace("&", "and"),
        lambda t: t.replace("–", "-"),
        lambda t: t.replace(work.title, work.title.lower(), 1) if work.title else t,
        lambda t: t.replace(work.title, work.title.title(), 1) if work.title else t,
        lambda t: re.sub(r"(\d+(?:\(\w+\))?), (\d+[–-]\d+)\.", r"\1, pp. \2.", t, count=1),
        lambda t: (
            t.replace(work.container, work.container.upper() if len(work.container) < 8 else work.container.lower())
            if work.container
            else t
        ),
        lambda t: re.sub(r"\s+", "  ", t, count=3),
        lambda t: t.replace("https://doi.org/", "doi:"),
        lambda t: t.replace(":", " -", 1) if ": " in work.title else t,
    ]
    short = [s for s in work.short_containers if s and s.lower() != work.container.lower()]
    if short:
        changes.append(lambda t: t.replace(work.container, short[0], 1))
    if work.article_number:
        changes.append(lambda t: re.sub(r"Article\s+(\S+?)\.", r"\1.", t, count=1))
    for change in rng.sample(changes, 3):
        text = change(text)
    return text


def _misspell(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 1)
    letters = "aeioun" if name[i] not in "aeioun" else "rstlm"
    return name[:i] + rng.choice(letters) + name[i + 1 :]


def _fake_title(vocabulary: list[str], rng: random.Random) -> str:
    words = rng.sample(vocabulary, rng.randint(6, 11))
    return " ".join(words).capitalize()


def _fake_authors(rng: random.Random) -> str:
    names = [f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEGHJKLMNPRST')}." for _ in range(rng.randint(1, 4))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]


def cases(collection: Collection, rng: random.Random, per_class: int = 40) -> list[Case]:
    """Return the labelled cases, `per_class` of each where records allow."""
    by_doi = collection.by_doi()
    pool = [r for r in articles(collection.records) if not r["DOI"].lower().startswith("10.31234/")]
    plain_pool = [r for r in pool if not r.get("bench-retracted")]
    out: list[Case] = []

    def pick(candidates: list[dict[str, Any]], n: int = per_class) -> list[dict[str, Any]]:
        return rng.sample(candidates, min(n, len(candidates)))

    for r in pick(plain_pool):
        out.append(Case("exact with DOI", render(r), frozenset({"verified"}), r["DOI"].lower(), correct=True))
    for r in pick(plain_pool):
        out.append(
            Case("exact without DOI", render(r, doi=False), frozenset({"verified"}), r["DOI"].lower(), correct=True)
        )
    for r in pick(plain_pool):
        text = _cosmetic(r, render(r, doi=rng.random() < 0.5), rng)
        out.append(Case("cosmetic noise", text, frozenset({"verified"}), r["DOI"].lower(), correct=True))
    twinned = [by_doi[d] for d in collection.twins if d in by_doi and by_doi[d].get("type") == "journal-article"]
    for r in pick([r for r in twinned if not r.get("bench-retracted")]):
        out.append(
            Case("article with a twin", render(r, doi=False), frozenset({"verified"}), r["DOI"].lower(), correct=True)
        )
    preprints = [r for r in collection.records if r.get("type") == "posted-content" and r.get("author")]
    for r in pick(preprints):
        out.append(
            Case("preprint cited", render(r, doi=False), frozenset({"verified"}), r["DOI"].lower(), correct=True)
        )
    chapters = [r for r in collection.records if r.get("type") == "book-chapter" and r.get("author") and _year(r)]
    for r in pick(chapters):
        out.append(Case("book chapter", render(r, doi=False), frozenset({"verified"}), r["DOI"].lower(), correct=True))
    books = [r for r in collection.records if r.get("type") == "book" and r.get("author") and _year(r)]
    for r in pick(books):
        out.append(
            Case("book (with chapters)", render(r, doi=False), frozenset({"verified"}), r["DOI"].lower(), correct=True)
        )
    retracted = [r for r in pool if r.get("bench-retracted")]
    for r in pick(retracted):
        text = render(r, doi=rng.random() < 0.5)
        out.append(Case("retracted", text, frozenset({"verified"}), r["DOI"].lower(), correct=True, retracted=True))
    for r in pick(plain_pool):
        year = _year(r)
        years = {year, *(_year({"issued": r.get(k)}) for k in ("published-print", "published-online") if r.get(k))}
        wrong = next(
            y
            for y in (year + d for d in rng.sample([-4, -3, -2, 2, 3, 4], 6))
            if all(abs(y - v) > 1 for v in years if v)
        )
        text = render(r).replace(f"({year})", f"({wrong})", 1)
        out.append(Case("wrong year", text, frozenset({"mismatch"}), r["DOI"].lower(), field="year"))
    swappable = [r for r in plain_pool if str(r.get("volume", "")).isdigit() and str(r.get("issue", "")).isdigit()]
    for r in pick([r for r in swappable if r["volume"] != r["issue"]]):
        text = render(r).replace(f"{r['volume']}({r['issue']})", f"{r['issue']}({r['volume']})", 1)
        out.append(Case("volume and issue swapped", text, frozenset({"mismatch"}), r["DOI"].lower(), field="volume"))
    ranged = [
        r
        for r in plain_pool
        if re.fullmatch(r"\d+-\d+", r.get("page", "")) and r["page"].split("-")[0] != r["page"].split("-")[1]
    ]
    for r in pick(ranged):
        first, last = r["page"].split("-")
        shift = rng.randint(11, 60)
        text = render(r).replace(f"{first}–{last}", f"{int(first) + shift}–{int(last) + shift}", 1)
        if text == render(r):
            continue  # the style wrote the range otherwise: no change to test
        out.append(Case("wrong pages", text, frozenset({"mismatch"}), r["DOI"].lower(), field="pages"))
    for r in pick([r for r in plain_pool if any(len(a.get("family", "")) >= 5 for a in r["author"])]):
        author = rng.choice([a for a in r["author"] if len(a.get("family", "")) >= 5])
        text = render(r).replace(author["family"], _misspell(author["family"], rng), 1)
        out.append(Case("misspelt author", text, frozenset({"mismatch"}), r["DOI"].lower(), field="authors"))
    for r in pick(plain_pool):
        other = rng.choice([o for o in plain_pool if o is not r])
        text = render(r).replace(r["DOI"].lower(), other["DOI"].lower())
        out.append(Case("DOI of another work", text, frozenset({"wrong_doi"}), r["DOI"].lower()))
    corrected = [(by_doi[d], t) for d, twins in collection.twins.items() for t in twins if "bench.correction" in t]
    for r, notice in rng.sample(corrected, min(per_class, len(corrected))):
        text = render(r).replace(r["DOI"].lower(), notice)
        out.append(Case("DOI of its correction notice", text, frozenset({"wrong_doi"}), r["DOI"].lower()))
    for r in pick(plain_pool):
        doi = r["DOI"].lower()
        i = rng.randrange(len(doi.split("/")[0]) + 2, len(doi))
        typo = doi[:i] + ("7" if doi[i] != "7" else "3") + doi[i + 1 :]
        if typo in by_doi:
            continue
        text = render(r).replace(doi, typo)
        out.append(Case("DOI with a typo", text, frozenset({"broken_doi", "wrong_doi"}), doi))
    for n, r in enumerate(pick(plain_pool)):
        doi = r["DOI"].lower()
        prefix, suffix = doi.split("/", 1)
        middle = max(1, len(suffix) // 2)
        broken = [f"{prefix}/{suffix[:middle]} {suffix[middle:]}", f"{prefix}//{suffix}", f"{prefix}/ {suffix}"][n % 3]
        text = render(r).replace(doi, broken)
        out.append(Case("malformed DOI", text, frozenset({"broken_doi"}), doi))
    vocabulary = sorted({w for r in pool for w in re.findall(r"[a-z]{4,}", _title(r).lower())})
    journals = [r["container-title"][0] for r in pool]
    for n in range(per_class):
        year, volume, first = rng.randint(1995, 2023), rng.randint(1, 80), rng.randint(1, 900)
        base = (
            f"{_fake_authors(rng)} ({year}). {_fake_title(vocabulary, rng)}. {rng.choice(journals)}, {volume}"
            f"({rng.randint(1, 12)}), {first}–{first + rng.randint(5, 20)}."
        )
        out.append(Case("fabricated without DOI", base, frozenset({"not_found"}), fabricated=True))
        doi = f"{rng.choice(pool)['DOI'].split('/')[0]}/fabricated.{year}.{n:04d}"
        out.append(Case("fabricated with DOI", f"{base} https://doi.org/{doi}", FLAGS, fabricated=True))
    for _ in range(per_class // 2):
        real = rng.choice(pool)  # a real article's authors, journal and year with another title: the subtle kind
        work = work_from_record(real)
        text = render(real, doi=False).replace(work.title, _fake_title(vocabulary, rng), 1)
        out.append(Case("fabricated title, real authors", text, FLAGS, fabricated=True, look_alike=True))
    for n in range(per_class // 2):
        title = _fake_title(vocabulary, rng)
        edition = rng.choice(["", " (2nd ed.)", " (3rd ed.)"])
        text = f"{_fake_authors(rng)} ({rng.randint(1990, 2023)}). {title}{edition}. {rng.choice(PUBLISHERS)}."
        out.append(Case("book not in Crossref", text, frozenset({"not_indexed"}), correct=True))
        org = rng.choice(ORGANISATIONS)
        slug = "-".join(title.lower().split()[:4])
        text = f"{org}. ({rng.randint(2015, 2024)}, March {n + 1}). {title}. https://www.example.org/{slug}"
        out.append(Case("web page", text, frozenset({"not_indexed"}), correct=True))
    for n in range(per_class // 2):
        doi = f"10.5281/zenodo.{7000000 + n * 7919}"
        text = f"{_fake_authors(rng)} (2021). {_fake_title(vocabulary, rng)} [Data set]. Zenodo. https://doi.org/{doi}"
        out.append(Case("DataCite DOI", text, frozenset({"not_indexed"}), correct=True))
    return out


def with_duplicates(collection: Collection, found: list[Case]) -> list[Case]:
    """Let a case accept records identical to its own (same title, first author and year, another DOI)."""
    groups: dict[tuple[str, str, int | None], set[str]] = {}
    keys = {}
    for record in collection.records:
        work = work_from_record(record)
        first = work.authors[0].family.lower() if work.authors else ""
        key = (re.sub(r"\W+", " ", work.title.lower()).strip(), first, work.year)
        groups.setdefault(key, set()).add(work.doi)
        keys[work.doi] = key
    return [
        dataclasses.replace(case, also=frozenset(groups[keys[case.doi]] - {case.doi})) if case.doi in keys else case
        for case in found
    ]


def style_cases(collection: Collection, rng: random.Random, styles: list[str], per_style: int = 40) -> list[Case]:
    """Return exact references (without DOI) rendered in other citation styles."""
    pool = [r for r in articles(collection.records) if not r.get("bench-retracted")]
    out = []
    for style in styles:
        for r in rng.sample(pool, min(per_style, len(pool))):
            text = render(r, style, doi=False)
            out.append(
                Case(f"exact [{style}]", text, frozenset({"verified"}), r["DOI"].lower(), correct=True, style=style)
            )
    return out
