"""Reference entries as students write them: one field at a time."""

from __future__ import annotations

import dataclasses

import pytest

from forumgrader.citations import analyse
from forumgrader.citations.entries import _linked, clean_entry, parse_entry
from forumgrader.citations.model import Author, ReferenceFields, SourceType
from forumgrader.citations.text import normalise


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_entry(normalise(text))


def test_clean_entry_removes_residue_and_separates_glued_tokens():
    raw = "Smid, G. E. (2018). Grief. Psychiatric services (Washington, DC)69(10), 1050–1052. to an external site."
    assert (
        clean_entry(normalise(raw))
        == "Smid, G. E. (2018). Grief. Psychiatric services (Washington, DC), 69(10), 1050-1052."
    )
    assert clean_entry("Title. Indian Journal of  Psychiatry, 59(4), 411-419. Http:// to an external site.").endswith(
        "411-419."
    )


def test_group_author_with_date_and_description():
    parsed = _parse("World Health Organization. (2021, September 13). Depression [Fact sheet]. https://www.who.int/x")
    assert parsed.fields.authors[0].group and parsed.fields.year == 2021
    assert parsed.fields.title == "Depression" and parsed.type is SourceType.REPORT


def test_twenty_one_authors_with_ellipsis():
    names = ", ".join(f"Author{chr(65 + i)}, A." for i in range(19))
    parsed = _parse(f"{names}, . . . Last, Z. (2020). Big team science. Nature, 1(1), 1-2.")
    assert len(parsed.fields.authors) == 20 and parsed.fields.authors[-1].family == "Last"


def test_the_ellipsis_character_before_the_last_author_is_no_name():
    """APA 7 writes 21+ authors as the first 19, "…", the last; the search string keeps the ellipsis."""
    names = ", ".join(f"Author{chr(65 + i)}, A." for i in range(19))
    entry = f"{names}, … Huang, X. (2021). Big team science. Nature, 590(7844), 1-2."
    [reference] = analyse(f"Teams (AuthorA et al., 2021).\n\nReferences\n{entry}\n").references
    assert len(reference.fields.authors) == 20
    assert reference.fields.authors[-1] == Author("Huang", "X.")
    assert "A., … Huang, X." in reference.clean


@pytest.mark.parametrize(
    "written",
    [
        'Huo, D., L. Sun, and X. Ru. 2018. "Impact of Hypoxia Stress on Sea Cucumbers." PeerJ 6: e4651.',
        'Huo, D., L. Sun, X. Ru, et al. 2018. "Impact of Hypoxia Stress on Sea Cucumbers." PeerJ 6: e4651.',
        'Huo, Da, L. Sun, and X. Ru. "Impact of Hypoxia Stress on Sea Cucumbers." PeerJ, vol. 6, 2018, p. e4651.',
    ],
)
def test_names_after_the_first_written_given_name_first(written):
    """Chicago and MLA invert only the first author: "Huo, D., L. Sun, and X. Ru"."""
    authors = _parse(written).fields.authors
    assert [(a.family, a.initials[:1]) for a in authors] == [("Huo", "D"), ("Sun", "L"), ("Ru", "X")]


def test_a_family_name_that_opens_with_an_initial_stays_whole():
    """Crossref's "M. Vale" (given Mariana) is written "M. Vale, M." in APA."""
    authors = _parse("Jones, K., & M. Vale, M. (2022). Fire. PeerJ, 10, Article e14276.").fields.authors
    assert [(a.family, a.initials) for a in authors] == [("Jones", "K."), ("M. Vale", "M.")]


@pytest.mark.parametrize(
    ("written", "year", "pages"),
    [
        (
            'Smith, John, and Mary Jones. "A Title." Some Journal, vol. 4, no. 1, 2015, pp. 1999-2010.',
            2015,
            "1999-2010",
        ),
        ("Smith, John. Title of Book. Penguin, 2019, p. 1987.", 2019, ""),  # a locator, not the year
    ],
)
def test_an_mla_page_number_is_no_year(written, year, pages):
    fields = _parse(written).fields
    assert (fields.year, fields.pages) == (year, pages)
    assert fields.publisher in ("", "Penguin")


@pytest.mark.parametrize(
    ("written", "title", "publisher"),
    [
        (
            "Bowlby, J. (1969). Attachment and loss: Vol. 1. Attachment. Basic Books.",
            "Attachment and loss: Vol. 1. Attachment",
            "Basic Books",
        ),
        (
            "Damon, W. (Ed.). (1998). Handbook of child psychology: Vol. III. Social development (5th ed.). Wiley.",
            "Handbook of child psychology: Vol. III. Social development",
            "Wiley",
        ),
    ],
)
def test_a_volume_inside_a_title_does_not_end_it(written, title, publisher):
    parsed = _parse(written)
    assert (parsed.fields.title, parsed.fields.publisher, parsed.type) == (title, publisher, SourceType.BOOK)


@pytest.mark.parametrize(
    ("written", "title", "journal"),
    [
        (
            "James, J.-A., & Li, D. (2016). Water, air emissions, and cost impacts of air-cooled microturbines. "
            "Engineering. https://doi.org/10.1016/j.eng.2016.04.008",
            "Water, air emissions, and cost impacts of air-cooled microturbines",
            "Engineering",
        ),
        (
            "Huestegge, S. M., & Raettig, T. (2019). Are face-incongruent voices harder to process? Effects of "
            "gender incongruency. Experimental Psychology. Advance online publication. "
            "https://doi.org/10.1027/1618-3169/a000440",
            "Are face-incongruent voices harder to process? Effects of gender incongruency",
            "Experimental Psychology",
        ),
        (
            "Huestegge, S. M. (2019). Are voices harder to process? Experimental Psychology. "
            "Advance online publication.",
            "Are voices harder to process?",
            "Experimental Psychology",
        ),
    ],
)
def test_an_article_online_before_its_volume_is_an_article(written, title, journal):
    parsed = _parse(written)
    assert (parsed.type, parsed.fields.title, parsed.fields.container) == (SourceType.JOURNAL_ARTICLE, title, journal)


@pytest.mark.parametrize(
    "written",
    [
        "Smith, J. (2019). Digital learning. IGI Global. https://doi.org/10.4018/978-1-5225-7010-3",
        "Nelson, T. D. (2019). Prejudice. American Psychological Association. https://doi.org/10.1037/0000168-000",
        "Lee, K. (2020). Teams. Springer. https://doi.org/10.1007/978-3-030-12345-6",
        "Lee, K. (2020). Teams at work. Brill. https://doi.org/10.1163/9789004123456",
    ],
)
def test_a_book_with_a_doi_stays_a_book(written):
    """A publisher's name, an organisation or an ISBN inside the DOI says book (trade presses register no DOIs)."""
    assert _parse(written).type is SourceType.BOOK


def test_year_suffix_and_undated():
    assert _parse("Luna, A. (2020b). Sleep. Sleep Review, 1(2), 3-4.").fields.year_suffix == "b"
    undated = _parse("Merriam-Webster. (n.d.). Resilience. In Merriam-Webster.com dictionary. https://www.m-w.com/r")
    assert undated.fields.year is None and undated.fields.year_note == "n.d."


def test_et_al_in_an_entry_is_noticed():
    assert _parse(
        "Stice, E., et al. (2006). A review. Psychological Bulletin, 132(5), 667-691."
    ).fields == ReferenceFields(
        authors=(Author("Stice", "E."),),
        authors_shortened="et al.",
        year=2006,
        title="A review",
        container="Psychological Bulletin",
        volume="132",
        issue="5",
        pages="667-691",
    )


def test_low_confidence_for_text_that_is_no_reference():
    assert _parse("I really liked your post and agree with it.").confidence < 0.45


def test_an_entrys_doi_and_link_are_added_without_losing_any_other_field():
    # parse_entry adds the DOI and the link to what the rules read with a hand-written copy (faster than
    # dataclasses.replace): a field added to ReferenceFields must not be dropped by it
    filled: dict[str, object] = {field.name: field.name for field in dataclasses.fields(ReferenceFields)}
    fields = ReferenceFields(**{**filled, "authors": (Author("Luna", "A."),), "year": 2020})  # type: ignore[arg-type]
    expected = dataclasses.replace(fields, doi="10.1/x", doi_problem="no suffix", url="https://x.org")
    assert _linked(fields, "10.1/x", "no suffix", "https://x.org") == expected


def test_a_chapter_in_a_german_collection_names_its_book_after_the_editors():
    parsed = _parse("Müller, K. (2010): Die Schule. In: Schmidt, H. (Hrsg.): Handbuch Schule. Weinheim: Beltz, 45-67")
    assert parsed.fields.title == "Die Schule"
    assert parsed.fields.container == "Handbuch Schule"
    assert parsed.fields.pages == "45-67"
