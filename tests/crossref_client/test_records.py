"""Crossref records become Works: markup stripped, years from every date, notices from `updated-by`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forumgrader.crossref.records import plain_text, work_from_record


@pytest.fixture(scope="module")
def records(samples: Path) -> dict[str, dict]:
    held = {}
    for path in sorted((samples / "crossref").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            held[record["DOI"].lower()] = record
    return held


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        (
            "The role of\n                    <scp>AI</scp>\n                    in ecology’s",
            "The role of AI in ecology’s",
        ),
        ("<i>Women in Ming China</i>\n            .", "Women in Ming China."),
        ("<jats:title>Abstract</jats:title><jats:p>Sleep &amp; stress</jats:p>", "Abstract Sleep & stress"),
        ("Effects at p &lt; 0.05 in [Ru(bpy)<sub>3</sub>]<sup>2+</sup>", "Effects at p < 0.05 in [Ru(bpy)3]2+"),
    ],
)
def test_markup_and_newlines_leave_titles(marked: str, plain: str) -> None:
    assert plain_text(marked) == plain


def test_journal_article_fields(records: dict[str, dict]) -> None:
    work = work_from_record(records["10.1002/ajmg.b.31237"])
    assert work.doi == "10.1002/ajmg.b.31237"
    assert work.type == "journal-article"
    assert work.title == "Sleep apnea in fragile X premutation carriers with and without FXTAS"
    assert work.container == "American Journal of Medical Genetics Part B: Neuropsychiatric Genetics"
    assert work.short_containers == ("American J of Med Genetics Pt B",)
    assert (work.year, work.volume, work.issue, work.pages) == (2011, "156", "8", "923-928")
    assert [author.family for author in work.authors][:2] == ["Hamlin", "Liu"]
    assert work.raw["DOI"] == "10.1002/ajmg.b.31237"


def test_title_with_jats_markup_is_plain(records: dict[str, dict]) -> None:
    marked = next(record for record in records.values() if "<scp>AI</scp>" in record["title"][0])
    assert work_from_record(marked).title == "The role of AI in ecology’s computational carbon footprint"


def test_every_published_year_can_match(records: dict[str, dict]) -> None:
    record = next(
        record
        for record in records.values()
        if record.get("published-online", {}).get("date-parts", [[None]])[0][0]
        and record.get("published-print", {}).get("date-parts", [[None]])[0][0]
        and record["published-online"]["date-parts"][0][0] != record["published-print"]["date-parts"][0][0]
    )
    work = work_from_record(record)
    assert record["published-online"]["date-parts"][0][0] in work.years
    assert record["published-print"]["date-parts"][0][0] in work.years
    assert work.year == record["issued"]["date-parts"][0][0]


def test_a_record_without_any_date_has_no_year(records: dict[str, dict]) -> None:
    undated = work_from_record({"DOI": "10.1000/x", "issued": {"date-parts": [[None]]}, "title": ["X"]})
    assert undated.year is None and undated.years == frozenset()


def test_updates_become_notices(records: dict[str, dict]) -> None:
    work = work_from_record(records["10.1371/journal.pbio.0050002"])
    assert [(notice.type, notice.doi, notice.date) for notice in work.notices] == [
        ("correction", "10.1371/journal.pbio.0060304", "2008-11-25")
    ]
    assert not work.retracted


def test_retraction_is_marked() -> None:
    record = {
        "DOI": "10.1016/S0140-6736(97)11096-0",
        "title": ["Ileal-lymphoid-nodular hyperplasia"],
        "updated-by": [
            {"DOI": "10.1016/s0140-6736(10)60175-4", "type": "retraction", "label": "Retraction",
             "source": "retraction-watch", "updated": {"date-parts": [[2010, 2, 6]]}},
            {"DOI": "10.1016/s0140-6736(04)15715-2", "type": "correction", "label": "Correction",
             "source": "retraction-watch", "updated": {"date-parts": [[2004, 3, 6]]}},
        ],
    }  # fmt: skip
    work = work_from_record(record)
    assert work.doi == "10.1016/s0140-6736(97)11096-0"
    assert work.retracted
    assert {notice.source for notice in work.notices} == {"retraction-watch"}


def test_retraction_marked_only_in_the_title() -> None:
    work = work_from_record({"DOI": "10.1000/r", "title": ["RETRACTED: Vaccines and autism"]})
    assert work.retracted
    assert not work_from_record({"DOI": "10.1000/s", "title": ["Retracted publications in medicine"]}).retracted


def test_editors_and_isbn_are_kept(records: dict[str, dict]) -> None:
    edited = next(record for record in records.values() if record.get("editor"))
    assert work_from_record(edited).editors[0].family == edited["editor"][0]["family"]
    book = next(record for record in records.values() if record.get("ISBN"))
    assert work_from_record(book).isbn == tuple(book["ISBN"])


def test_article_number_and_organisation_authors(records: dict[str, dict]) -> None:
    numbered = next(record for record in records.values() if record.get("article-number"))
    assert work_from_record(numbered).article_number == numbered["article-number"]
    organisation = next(
        record for record in records.values() if any("name" in person for person in record.get("author", []))
    )
    names = [author.name for author in work_from_record(organisation).authors if author.name]
    assert names
