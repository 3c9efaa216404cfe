"""verify(): verdicts on real records through the habanero client and a local Crossref, near-duplicates included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from forumgrader.citations.model import Reference, ReferenceFields, SourceType
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import MetadataSource, Verdict

from .conftest import parse, source_for, variant

HAMLIN = "10.1002/ajmg.b.31237"
HAMLIN_ENTRY = (
    "Hamlin, A., Liu, Y., Nguyen, D. V., Tassone, F., Zhang, L., & Hagerman, R. J. (2011). Sleep apnea in fragile X "
    "premutation carriers with and without FXTAS. American Journal of Medical Genetics Part B: Neuropsychiatric "
    "Genetics, 156(8), 923-928."
)
GATCHEL = "10.1037/0033-2909.133.4.581"
GATCHEL_ENTRY = (
    "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007). The biopsychosocial approach to "
    "chronic pain: Scientific advances and future directions. Psychological Bulletin, 133(4), 581-624."
)
CHAPTER = "10.1007/978-1-137-40325-4_12"
BOOK = "10.1007/978-1-137-40325-4"
ENGEL = "10.1126/science.847460"


@pytest.fixture
def versions(records: dict[str, dict[str, Any]], serve: Callable[..., LocalCrossref]) -> LocalCrossref:
    """A local Crossref where the Hamlin article has a preprint twin and a correction notice, and a chapter its book."""
    article = records[HAMLIN]
    chapter = records[CHAPTER.lower()]
    preprint = variant(
        {},
        DOI="10.31234/osf.io/twin1",
        type="posted-content",
        title=article["title"],
        author=article["author"],
        issued={"date-parts": [[2010, 11]]},
        posted={"date-parts": [[2010, 11]]},
        institution=[{"name": "PsyArXiv"}],
        relation={"is-preprint-of": [{"id-type": "doi", "id": HAMLIN, "asserted-by": "subject"}]},
    )
    correction = variant(
        article,
        DOI="10.1002/ajmg.b.32001",
        title=["Correction to: " + article["title"][0]],
        issued={"date-parts": [[2012, 3]]},
        volume="159",
        issue="2",
        page="260-260",
        **{"update-to": [{"DOI": HAMLIN, "type": "correction", "label": "Correction"}]},
    )
    corrected = variant(
        article, **{"updated-by": [{"DOI": correction["DOI"], "type": "correction", "label": "Correction"}]}
    )
    book = variant(
        {},
        DOI=BOOK,
        type="book",
        title=chapter["container-title"],
        author=chapter["author"],
        issued=chapter["issued"],
        publisher=chapter["publisher"],
        ISBN=chapter["ISBN"],
    )
    retracted = variant(
        records[ENGEL],
        **{"updated-by": [{"DOI": "10.1126/science.retract", "type": "retraction", "label": "Retraction"}]},
    )
    replaced = {HAMLIN: corrected, ENGEL: retracted}
    served = [replaced.get(doi, record) for doi, record in records.items()] + [preprint, correction, book]
    return serve(served)


def check(entry: str, source: MetadataSource) -> Any:
    return verify(parse(entry), source)


def test_an_exact_reference_without_doi_is_verified_with_one_search(crossref: LocalCrossref, source: MetadataSource):
    result = check(GATCHEL_ENTRY, source)
    assert (result.verdict, result.matched_doi, result.differences) == (Verdict.VERIFIED, GATCHEL, ())
    assert result.suggestion.startswith(
        "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007)"
    )
    assert crossref.stats()["requests"] == {"search": 1}


def test_a_resolving_doi_that_agrees_costs_one_lookup(crossref: LocalCrossref, source: MetadataSource) -> None:
    result = check(f"{GATCHEL_ENTRY} https://doi.org/{GATCHEL}", source)
    assert (result.verdict, result.doi, result.matched_doi) == (Verdict.VERIFIED, GATCHEL, GATCHEL)
    assert crossref.stats()["requests"] == {"lookup": 1}


def test_the_article_wins_over_its_preprint_and_its_correction_notice(versions: LocalCrossref) -> None:
    result = check(HAMLIN_ENTRY, source_for(versions))
    assert (result.verdict, result.matched_doi) == (Verdict.VERIFIED, HAMLIN)
    assert [notice.type for notice in result.notices] == ["correction"] and not result.retracted


def test_a_reference_to_the_preprint_finds_the_preprint(versions: LocalCrossref) -> None:
    entry = (
        "Hamlin, A., Liu, Y., Nguyen, D. V., Tassone, F., Zhang, L., & Hagerman, R. J. (2010). Sleep apnea in fragile "
        "X premutation carriers with and without FXTAS [Preprint]. PsyArXiv."
    )
    result = check(entry, source_for(versions))
    assert (result.verdict, result.matched_doi) == (Verdict.VERIFIED, "10.31234/osf.io/twin1")


def test_a_chapter_and_its_book_are_told_apart(versions: LocalCrossref) -> None:
    chapter = check(
        "Helyer, R., & Price, A. (2016). Learning to learn. In Facilitating work-based learning (pp. 207-226). "
        "Macmillan Education UK.",
        source_for(versions),
    )
    book = check(
        "Helyer, R., & Price, A. (2016). Facilitating work-based learning. Macmillan Education UK.",
        source_for(versions),
    )
    assert (chapter.verdict, chapter.matched_doi) == (Verdict.VERIFIED, CHAPTER)
    assert (book.verdict, book.matched_doi) == (Verdict.VERIFIED, BOOK)


def test_a_retracted_record_is_flagged(versions: LocalCrossref) -> None:
    entry = (
        "Engel, G. L. (1977). The need for a new medical model: A challenge for biomedicine. Science, 196(4286), "
        "129-136."
    )
    result = check(entry, source_for(versions))
    assert (result.verdict, result.matched_doi, result.retracted) == (Verdict.VERIFIED, ENGEL, True)


def test_the_doi_of_another_work_is_wrong_doi_with_the_right_one(crossref: LocalCrossref, source: MetadataSource):
    result = check(f"{GATCHEL_ENTRY} https://doi.org/10.1037/0022-006x.70.3.537", source)
    assert (result.verdict, result.doi, result.matched_doi) == (
        Verdict.WRONG_DOI,
        "10.1037/0022-006x.70.3.537",
        GATCHEL,
    )
    assert ("doi", "10.1037/0022-006x.70.3.537", GATCHEL) in [(d.field, d.cited, d.record) for d in result.differences]
    assert "Psychoneuroimmunology" in result.message
    assert crossref.stats()["requests"] == {"lookup": 1, "search": 1}


def test_the_doi_of_another_work_for_a_work_crossref_lacks(source: MetadataSource) -> None:
    entry = (
        "Jokinen, R. R., & Hartshorne, T. S. (2022). Anxiety disorders: A biopsychosocial model and an Adlerian "
        "approach for conceptualization and treatment. Journal of Individual Psychology, 78(2), 155-174. "
        f"https://doi.org/{ENGEL}"
    )
    result = check(entry, source)
    assert (result.verdict, result.matched_doi, result.record) == (Verdict.WRONG_DOI, "", None)
    assert "The Need for a New Medical Model" in result.message


@pytest.mark.parametrize(
    "written", ["10.1037/0033-2909. 133.4.581", "10.1037/ 0033-2909.133.4.581", "10.1037//0033-2909.133.4.581"]
)
def test_a_malformed_doi_is_broken_without_looking_it_up(crossref: LocalCrossref, source: MetadataSource, written: str):
    entry = f"{GATCHEL_ENTRY} https://doi.org/{written}"
    result = check(entry, source)
    assert (result.verdict, result.matched_doi) == (Verdict.BROKEN_DOI, GATCHEL)
    assert crossref.stats()["requests"] == {"search": 1}  # no lookup of a DOI that cannot exist


def test_an_unregistered_doi_is_broken_and_the_right_one_named(crossref: LocalCrossref, source: MetadataSource):
    result = check(GATCHEL_ENTRY + " https://doi.org/10.1037/0033-2909.133.4.518", source)
    assert (result.verdict, result.matched_doi) == (Verdict.BROKEN_DOI, GATCHEL)
    # the record, its agency, Crossref's count of works (which vouches for the two 404s), then the search
    assert crossref.stats()["requests"] == {"lookup": 2, "search": 2}


def test_a_datacite_doi_is_not_indexed(crossref: LocalCrossref, source: MetadataSource) -> None:
    entry = (
        "Nguyen, T. (2021). Survey answers of nursing students [Data set]. Zenodo. https://doi.org/10.5281/zenodo.4567"
    )
    result = check(entry, source)
    assert (result.verdict, result.doi) == (Verdict.NOT_INDEXED, "10.5281/zenodo.4567")
    assert "DataCite" in result.message
    assert crossref.stats()["requests"] == {"lookup": 2, "search": 1}  # the record, the count of works, the agency


def test_an_article_crossref_lacks_is_not_found_and_a_book_not_indexed(source: MetadataSource) -> None:
    article = check(
        "Sunderani, S., & Moodley, R. (2020). Therapists' perceptions of their use of self-disclosure (and "
        "nondisclosure) during cross-cultural exchanges. British Journal of Guidance & Counselling, 48(6), 741-756.",
        source,
    )
    book = check("Yalom, I. D. (2005). The theory and practice of group psychotherapy (5th ed.). Basic Books.", source)
    assert (article.verdict, article.matched_doi) == (Verdict.NOT_FOUND, "")
    assert (book.verdict, book.matched_doi) == (Verdict.NOT_INDEXED, "")
    assert "fabricat" not in article.message + book.message


def test_a_doi_that_resolves_to_the_right_work_with_a_wrong_year_is_a_mismatch(source: MetadataSource) -> None:
    entry = GATCHEL_ENTRY.replace("(2007)", "(2009)") + f" https://doi.org/{GATCHEL}"
    result = check(entry, source)
    assert result.verdict is Verdict.MISMATCH
    assert [(d.field, d.cited, d.record) for d in result.differences] == [("year", "2009", "2007")]


def test_the_doi_of_a_correction_notice_is_not_the_articles(versions: LocalCrossref) -> None:
    result = check(f"{HAMLIN_ENTRY} https://doi.org/10.1002/ajmg.b.32001", source_for(versions))
    assert (result.verdict, result.doi, result.matched_doi) == (Verdict.WRONG_DOI, "10.1002/ajmg.b.32001", HAMLIN)
    assert "Correction to:" in result.message


def test_a_bare_doi_is_trusted_when_nothing_contradicts_it(source: MetadataSource) -> None:
    text = f"https://doi.org/{GATCHEL}"
    bare = Reference(0, text, 0, len(text), ReferenceFields(doi=GATCHEL), SourceType.OTHER, 0.2, text)
    result = verify(bare, source)
    assert (result.verdict, result.matched_doi) == (Verdict.VERIFIED, GATCHEL)
