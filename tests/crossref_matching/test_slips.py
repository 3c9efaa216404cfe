"""Kinds of reference that used to slip: a deposit that lost part of a title, letter-suffixed pages, a DOI without
its "10.", an author's name with two letters swapped."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest

from forumgrader.citations import analyse
from forumgrader.crossref.gaps import lost_in_deposit
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import MetadataSource, Verdict
from forumgrader.crossref.numbers import page_range, pages_difference

from .conftest import parse, source_for, variant

PRIEM = "10.1016/j.ymben.2025.04.005"
PRIEM_ENTRY = (
    "Priem, B., Cai, X., Hong, Y.-J., Gilmore, K., Deng, Z., Chen, S., Naik, H. M., Betenbaugh, M. J., & Antoniewicz, "
    "M. R. (2025). Modulating fatty acid metabolism and composition of CHO cells by feeding high levels of fatty acids "
    "complexed using methyl-β-cyclodextrin. Metabolic Engineering, 91, 158–169."
)
HUO = "10.7717/peerj.4651"
HUO_ENTRY = (
    "Huo, D., Sun, L., Ru, X., Zhang, L., Lin, C., Liu, S., Xin, X., & Yang, H. (2018). Impact of hypoxia stress on "
    "the physiological responses of sea cucumber Apostichopus japonicus: respiration, digestion, immunity and "
    "oxidative damage. PeerJ, 6, Article e4651."
)
GATCHEL = "10.1037/0033-2909.133.4.581"
GATCHEL_ENTRY = (
    "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007). The biopsychosocial approach to "
    "chronic pain: Scientific advances and future directions. Psychological Bulletin, 133(4), 581-624."
)


@pytest.mark.parametrize(
    ("doi", "entry", "lost", "left"),
    [
        (PRIEM, PRIEM_ENTRY, "β", ""),  # "methyl--cyclodextrin": the Greek letter dropped
        (HUO, HUO_ENTRY, "<i>Apostichopus japonicus</i>", "\n   \n   "),  # the italic name dropped
    ],
)
def test_a_record_whose_deposit_lost_part_of_its_title_verifies_the_reference_that_has_it(
    doi: str, entry: str, lost: str, left: str, records: dict[str, Any], serve: Callable[..., LocalCrossref]
) -> None:
    record = records[doi]
    deposited = record["title"][0].replace(lost, left)
    assert deposited != record["title"][0]
    server = serve([*[r for d, r in records.items() if d != doi], variant(record, title=[deposited])])
    for written in (entry, f"{entry} https://doi.org/{doi}"):
        result = verify(parse(written), source_for(server))
        assert (result.verdict, result.matched_doi, result.differences) == (Verdict.VERIFIED, doi, ())


@pytest.mark.parametrize(
    ("cited", "record"),
    [
        ("Effects of aerobic exercise on depression in adults", "Effects of exercise on depression in adults"),
        ("Teams under pressure at work", "Teams under pressure"),  # a title cut short is another matter
        ("The role of TNF-α in arthritis and lupus", "The role of in arthritis"),  # more is missing than was lost
    ],
)
def test_words_a_student_added_are_no_lost_deposit(cited: str, record: str) -> None:
    assert not lost_in_deposit(cited, record)


def test_greek_letters_and_formulas_lost_from_a_record_are_recognised() -> None:
    assert lost_in_deposit("Role of TNF-α in rheumatoid arthritis", "Role of  in rheumatoid arthritis")
    assert lost_in_deposit("Role of TNF-α in rheumatoid arthritis", "Role of TNF- in rheumatoid arthritis")
    assert lost_in_deposit("Uptake of CO2 by coastal wetlands", "Uptake of <sub></sub> by coastal wetlands")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1078c-8", ("1078c", "1078", True)),
        ("1078c-h", ("1078c", "1078h", True)),
        ("e123-30", ("e123", "e130", True)),
        ("pp. 1425-37", ("1425", "1437", True)),
    ],
)
def test_a_page_range_written_short_takes_its_digits_and_letters_from_its_first_page(written, expected):
    assert page_range(written) == expected


def test_pages_with_letter_suffixes_agree_with_the_record_however_abbreviated(work: Callable[..., Any]) -> None:
    suffixed = dataclasses.replace(work(GATCHEL), pages="581c-581h")
    for cited in ("581c-581h", "581c-1", "581c-h", "581-581h"):
        assert pages_difference(cited, "", suffixed) is None, cited
    short = pages_difference("581c", "", suffixed)  # the first page alone: the right article, its range left open
    assert short is not None and short.severity == "info"
    wrong = pages_difference("591c-591h", "", suffixed)
    assert wrong is not None and (wrong.field, wrong.severity) == ("pages", "warning")


@pytest.mark.parametrize(
    "written", [f"https://doi.org/{GATCHEL[3:]}", f"doi:{GATCHEL[3:]}", GATCHEL[3:], f"DOI: {GATCHEL[3:].upper()}"]
)
def test_a_doi_without_its_10_is_broken_and_the_right_one_is_named(
    written: str, crossref: LocalCrossref, source: MetadataSource
) -> None:
    entry = f"{GATCHEL_ENTRY} {written}"
    reference = parse(entry)
    assert (reference.fields.doi, reference.fields.doi_problem) == (GATCHEL[3:], "no 10. at its start")
    result = verify(reference, source)
    assert (result.verdict, result.doi, result.matched_doi) == (Verdict.BROKEN_DOI, GATCHEL[3:], GATCHEL)
    assert ("doi", GATCHEL[3:], GATCHEL) in [(d.field, d.cited, d.record) for d in result.differences]
    report = analyse(f"Pain (Gatchel et al., 2007).\n\nReferences\n{entry}\n")
    assert [f.code for f in report.findings] == ["malformed_doi"]


@pytest.mark.parametrize("numbers", ["2019/20 school year", "sales 2019/2020", "see 1999/2000"])
def test_year_ranges_are_no_doi(numbers: str) -> None:
    assert parse(f"{GATCHEL_ENTRY} Data for the {numbers}.").fields.doi == ""


@pytest.mark.parametrize(
    ("entry", "written", "record"),
    [
        (GATCHEL_ENTRY.replace("Gatchel", "Gatcehl"), "Gatcehl", "Gatchel, Robert J."),
        (GATCHEL_ENTRY.replace("Peters", "Petres"), "Petres", "Peters, Madelon L."),
        (
            'Gatchel, Robert J., Yuan Bo Peng, Madelon L. Petres, Perry N. Fuchs, and Dennis C. Turk. 2007. "The '
            'Biopsychosocial Approach to Chronic Pain." Psychological Bulletin 133 (4): 581–624.',
            "Petres",
            "Peters, Madelon L.",
        ),
    ],
)
def test_an_author_name_with_two_letters_swapped_is_a_difference(
    entry: str, written: str, record: str, crossref: LocalCrossref, source: MetadataSource
) -> None:
    result = verify(parse(entry), source)
    assert (result.verdict, result.matched_doi) == (Verdict.MISMATCH, GATCHEL)
    assert [(d.field, d.cited, d.record) for d in result.differences] == [("authors", written, record)]


def test_an_entry_the_reader_cannot_read_is_kept_flagged_and_searched_by_its_words(
    crossref: LocalCrossref, source: MetadataSource
) -> None:
    unreadable = "the biopsychosocial approach to chronic pain scientific advances and future directions gatchel turk"
    text = f"Pain is complex (Gatchel et al., 2007).\n\nReferences\n\n{unreadable}\n\n{GATCHEL_ENTRY}\n"
    report = analyse(text)
    assert [r.text for r in report.references] == [unreadable, GATCHEL_ENTRY]
    assert [(f.code, f.reference) for f in report.findings if f.code == "unreadable_reference"] == [
        ("unreadable_reference", 0)
    ]
    crossref.reset()
    result = verify(report.references[0], source)
    searched = [parse_qs(query)["query.bibliographic"] for _, kind, query, _ in crossref.log() if kind == "search"]
    assert searched == [[unreadable]]
    assert result.verdict is not Verdict.UNCHECKED
