"""Field comparisons: what is only cosmetic is never a difference; a real slip always is, with the right severity."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from forumgrader.crossref.compare import differences, journal_agrees, title_similarity, year_agrees
from forumgrader.crossref.model import RecordAuthor, Work
from forumgrader.crossref.numbers import page_range

from .conftest import parse

SMID = (
    "Smid, G. E., Groen, S., de la Rie, S. M., Kooper, S., & Boelen, P. A. (2018). Toward cultural assessment of "
    "grief and grief-related psychopathology. Psychiatric Services, 69(10), 1050-1052."
)
GATCHEL = (
    "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007). The biopsychosocial approach to "
    "chronic pain: Scientific advances and future directions. Psychological Bulletin, 133(4), 581-624."
)
COHEN = (
    "Cohen, S., Janicki-Deverts, D., & Miller, G. E. (2007). Psychological stress and disease. JAMA, 298(14), "
    "1685-1687."
)
MALHOTRA = (
    "Malhotra, S., & Sahoo, S. (2017). Rebuilding the brain with psychotherapy. Indian Journal of Psychiatry, 59(4), "
    "411-419."
)


def fields_of(found: tuple[object, ...]) -> list[tuple[str, str]]:
    return [(d.field, d.severity) for d in found]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("doi", "entry"),
    [
        ("10.1176/appi.ps.201700422", SMID),  # the record's Title Case against sentence case
        ("10.1176/appi.ps.201700422", SMID.replace("Psychiatric Services", "PSYCHIATRIC SERVICES (Washington, D.C.)")),
        ("10.1176/appi.ps.201700422", SMID.replace("Psychiatric Services", "Psychiatr Serv")),  # ISO 4 abbreviation
        ("10.1176/appi.ps.201700422", SMID.replace("grief-related", "grief- related")),  # punctuation, spacing
        ("10.1176/appi.ps.201700422", SMID.replace("1050-1052", "1050–1052")),  # an en dash
        ("10.1176/appi.ps.201700422", SMID.replace("1050-1052", "pp. 1050-52")),  # "pp." and an abbreviated range
        ("10.1176/appi.ps.201700422", SMID.replace("de la Rie", "De La Rie")),  # the particle's case
        ("10.1037/0033-2909.133.4.581", GATCHEL),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("Psychological Bulletin", "Psychol Bull")),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace(", & Turk", ", and Turk")),  # "and" for "&"
        ("10.4103/0019-5545.217299", MALHOTRA.replace("Indian Journal of Psychiatry", "Indian J Psychiatry")),
        (
            "10.1186/s12913-022-08389-1",  # diacritics left out, an article number written as pages
            "Leppanen, H., Kampman, O., Autio, R., Karolaakso, T., Nappila, T., Rissanen, P., & Pirkola, S. (2022). "
            "Socioeconomic factors and use of psychotherapy in common mental disorders predisposing to disability "
            "pension. BMC Health Services Research, 22(1), 983.",
        ),
        (
            "10.1001/jama.298.14.1685",  # "Jama" for JAMA
            "Cohen, S., Janicki-Deverts, D., & Miller, G. E. (2007). Psychological stress and disease. Jama, 298(14), "
            "1685-1687.",
        ),
        (
            "10.1007/s12144-020-01310-1",  # the record has no volume, issue or pages: they are not compared
            "Moreira, P., Inman, R., & Cloninger, C. (2021). Reactance and personality: Assessing psychological "
            "reactance using a biopsychosocial and person-centered approach. Current Psychology: A Journal for Diverse "
            "Perspectives on Diverse Psychological Issues, 41(11), 7666-7680.",
        ),
    ],
)
def test_cosmetic_differences_are_not_mismatches(work: Callable[[str], Work], doi: str, entry: str) -> None:
    assert differences(parse(entry), work(doi)) == ()


@pytest.mark.parametrize(
    ("doi", "entry", "expected"),
    [
        ("10.4103/0019-5545.217299", MALHOTRA.replace("Sahoo, S.", "Sahoo, A."), [("authors", "warning")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("581-624", "581"), [("pages", "info")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("581-624", "581-"), [("pages", "info")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("581-624", "518-624"), [("pages", "info")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("581-624", "601-644"), [("pages", "warning")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("133(4)", "4(133)"), [("volume", "info"), ("issue", "info")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("133(4)", "134(4)"), [("volume", "info")]),
        (
            "10.1037/0033-2909.133.4.581",
            GATCHEL.replace("133(4)", "123(7)"),
            [("volume", "info"), ("issue", "warning")],
        ),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("(2007)", "(2011)"), [("year", "warning")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("Peters", "Petres"), [("authors", "info")]),
        ("10.1001/jama.298.14.1685", COHEN.replace("Janicki-Deverts", "Janicki-Devarts"), [("authors", "info")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("Fuchs, P. N., ", ""), [("authors", "warning")]),
        ("10.1037/0033-2909.133.4.581", GATCHEL.replace("Psychological Bulletin", "Pain"), [("journal", "warning")]),
        (
            "10.1037/0033-2909.133.4.581",
            GATCHEL.replace("chronic pain", "chronic fatigue in adolescents"),
            [("title", "warning")],
        ),
    ],
)
def test_real_slips_are_mismatches(work: Callable[[str], Work], doi: str, entry: str, expected: list[tuple]) -> None:
    assert fields_of(differences(parse(entry), work(doi))) == expected


def test_a_difference_says_what_was_cited_and_what_the_record_says(work: Callable[[str], Work]) -> None:
    found = differences(parse(MALHOTRA.replace("Sahoo, S.", "Sahoo, A.")), work("10.4103/0019-5545.217299"))
    assert [(d.field, d.cited, d.record) for d in found] == [("authors", "Sahoo, A.", "Sahoo, Swapnajeet")]


def test_et_al_shortens_the_author_list_without_a_mismatch(work: Callable[[str], Work]) -> None:
    entry = (
        "Gatchel, R. J., et al. (2007). The biopsychosocial approach to chronic pain. Psychological Bulletin, 133(4), "
        "581-624."
    )
    assert differences(parse(entry), work("10.1037/0033-2909.133.4.581")) == ()


def test_a_family_name_inside_a_double_name_is_another_person(work: Callable[[str], Work]) -> None:
    entry = (
        "Kiecolt-Glaser, J. K., McGuire, L., Robles, T. F., & Kiecolt, R. (2002). Psychoneuroimmunology: "
        "Psychological influences on immune function and health. Journal of Consulting and Clinical Psychology, "
        "70(3), 537-547."
    )
    found = differences(parse(entry), work("10.1037/0022-006x.70.3.537"))
    assert [(d.field, d.record) for d in found] == [("authors", "also: Glaser, Ronald")]


def test_jats_markup_and_subtitles_in_record_titles() -> None:
    record = Work(doi="10.1/x", title="Sleep in <i>Drosophila</i>&amp;mice", subtitle="A review")
    assert title_similarity("Sleep in Drosophila and mice: a review", record) == 1.0
    assert title_similarity("Sleep in Drosophila and mice", record) == 1.0
    assert title_similarity("Sleep in fish and birds", record) < 0.8


def test_a_correction_notice_title_is_read_without_its_prefix() -> None:
    notice = Work(doi="10.1/n", title="Correction to: Rebuilding the brain with psychotherapy")
    assert title_similarity("Rebuilding the brain with psychotherapy", notice) == 1.0


def test_years_issued_in_print_or_online_all_match() -> None:
    record = Work(
        doi="10.1/x", year=2018, years=frozenset({2018, 2019}), raw={"published-print": {"date-parts": [[2019]]}}
    )
    assert year_agrees(2019, record) and year_agrees(2018, record)
    assert year_agrees(2020, record) is False
    assert year_agrees(None, record) is None and year_agrees(2019, Work(doi="10.1/y")) is None


def test_a_year_after_an_online_only_date_is_not_refuted() -> None:
    online_only = Work(
        doi="10.1/x", year=2021, years=frozenset({2021}), raw={"published-online": {"date-parts": [[2021]]}}
    )
    assert year_agrees(2022, online_only)
    assert year_agrees(2023, online_only) is False


@pytest.mark.parametrize(
    ("cited", "container", "short", "agrees"),
    [
        ("JAMA", "Journal of the American Medical Association", (), True),
        ("J Consult Clin Psychol", "Journal of Consulting and Clinical Psychology", (), True),
        ("Neuroscience & Biobehavioral Reviews", "Neuroscience and Biobehavioral Reviews", (), True),
        ("Am J Med Genet B", "American Journal of Medical Genetics Part B: Neuropsychiatric Genetics", (), True),
        ("Psychiatr Serv", "Psychiatric Services", (), True),
        ("Natl Sci Rev", "National Science Review", (), True),
        ("Some Other Name", "Psychiatric Services", ("Some Other Name",), True),  # the record's short title
        ("Psychological Review", "Psychological Bulletin", (), False),
        ("Nature", "Nature Reviews Neuroscience", (), False),
    ],
)
def test_journal_names_and_their_abbreviations(
    cited: str, container: str, short: tuple[str, ...], agrees: bool
) -> None:
    assert journal_agrees(cited, Work(doi="10.1/x", container=container, short_containers=short)) is agrees


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("pp. 1425-37", ("1425", "1437", True)),
        ("581", ("581", "", False)),
        ("61-", ("61", "", True)),
        ("Article e0123", ("e0123", "", False)),
        ("S47–S61", ("s47", "s61", True)),
    ],
)
def test_page_ranges(pages: str, expected: tuple[str, str, bool]) -> None:
    assert page_range(pages) == expected


def test_organisations_are_compared_by_name() -> None:
    record = Work(
        doi="10.1/x", title="Depression", authors=(RecordAuthor(name="World Health Organization"),), year=2023
    )
    entry = parse("World Health Organization. (2023). Depression. Journal of Mental Health, 4, 1-2.")
    assert differences(entry, record) == ()


@pytest.mark.parametrize(
    ("cited", "expected"),
    [
        ("Melo Júnior, J. C. F.", []),
        ("Melo, J. C. F.", []),  # the suffix left out
        ("Meeo Júnior, J. C. F.", [("authors", "Meeo", "Melo Júnior, João Carlos Ferreira de", "info")]),
    ],
)
def test_name_suffixes_and_compound_family_names(cited: str, expected: list[tuple[str, str, str, str]]) -> None:
    record = Work(
        doi="10.1/x",
        title="O uso da madeira em uma serraria do século XX em Santa Catarina",
        authors=(RecordAuthor("Melo Júnior", "João Carlos Ferreira de"),),
        year=2017,
    )
    entry = parse(
        f"{cited} (2017). O uso da madeira em uma serraria do século XX em Santa Catarina. Balduinia, 59, 19."
    )
    assert [(d.field, d.cited, d.record, d.severity) for d in differences(entry, record)] == expected


def test_two_letter_family_names_are_not_initials() -> None:
    record = Work(
        doi="10.1/x",
        title="Impact of hypoxia stress on sea cucumbers",
        authors=(RecordAuthor("Huo", "Da"), RecordAuthor("Sun", "Lina"), RecordAuthor("Ru", "Xiaoshang")),
        year=2018,
    )
    entry = parse('Huo, D., L. Sun, X. Ru, et al. 2018. "Impact of Hypoxia Stress on Sea Cucumbers". PeerJ 6: e4651.')
    assert differences(entry, record) == ()


def test_pages_the_record_writes_oddly_are_not_compared() -> None:
    record = Work(doi="10.1/x", title="Hospital emergency numbers", pages="604.4-604", year=1989)
    entry = parse("Hodgson, D. V. (1989). Hospital emergency numbers. BMJ, 298(6673), 604.")
    assert differences(entry, record) == ()


def test_a_title_the_parser_could_not_find_must_still_be_in_the_reference() -> None:
    record = Work(
        doi="10.1/x",
        title="Imaging HER2-positive esophagogastric cancer with <sup>89</sup>Zr-trastuzumab PET.",
        authors=(RecordAuthor("Lumish", "Maria A."),),
        container="Journal of Clinical Oncology",
        year=2021,
        volume="39",
        pages="4068-4068",
    )
    fused = (
        "Lumish, M. A. (2021). Planning threadfin communities active splicing Journal of Clinical Oncology, 39, 4068."
    )
    entry = parse(fused)
    assert entry.fields.title == "Planning threadfin communities active splicing"  # the labeller splits it off
    untitled = dataclasses.replace(entry, fields=dataclasses.replace(entry.fields, title=""))
    found = differences(untitled, record)
    assert [(d.field, d.cited, d.severity) for d in found] == [("title", "", "warning")]
    right = (
        "Lumish, M. A. (2021). Imaging HER2-positive esophagogastric cancer with 89Zr-trastuzumab PET Journal of "
        "Clinical Oncology, 39, 4068."
    )
    assert differences(parse(right), record) == ()


def test_brackets_inside_a_title_are_kept() -> None:
    record = Work(
        doi="10.1/x", title="Encapsulation of the [Ru(bpy)3]2+ luminophore in a unique host framework", year=2020
    )
    entry = parse(
        'Handke, M., et al. "Encapsulation of the [Ru(bpy)3]2+ Luminophore in a Unique Host Framework". '
        "CrystEngComm, vol. 22, no. 22, 2020, pp. 3749-52."
    )
    assert differences(entry, record) == ()


@pytest.mark.parametrize(
    ("family", "given", "cited"),
    [
        ("Sørensen", "Mette", "Sorensen, M."),  # a keyboard without "ø"
        ("Łukasiewicz", "Jan", "Lukasiewicz, J."),
        ("Æbelø", "Ida", "Aebelo, I."),
    ],
)
def test_letters_without_a_base_letter_are_written_plainly(family: str, given: str, cited: str) -> None:
    record = Work(doi="10.1/x", title="Sleep and memory", authors=(RecordAuthor(family, given),), year=2020)
    entry = parse(f"{cited} (2020). Sleep and memory. Journal of Sleep, 4, 1-2.")
    assert differences(entry, record) == ()


def test_greek_letters_in_a_title_match_their_names() -> None:
    record = Work(doi="10.1/x", title="β-amyloid and tau in ageing", authors=(RecordAuthor("Ito", "Ken"),), year=2020)
    assert differences(parse("Ito, K. (2020). Beta-amyloid and tau in ageing. Brain, 4, 1-2."), record) == ()
    wrong = differences(parse("Ito, K. (2020). Gamma-amyloid and tau in ageing. Brain, 4, 1-2."), record)
    assert [d.field for d in wrong] == ["title"]


@pytest.mark.parametrize(
    "author",
    [
        RecordAuthor(name="Wei Zhang"),  # the record holds the person whole
        RecordAuthor("Zhang Wei"),  # family name and given name in one field
        RecordAuthor("Wei", "Zhang"),  # given and family swapped
    ],
)
def test_a_person_the_record_holds_oddly_is_still_the_cited_author(author: RecordAuthor) -> None:
    record = Work(doi="10.1/x", title="Rice yields under drought", authors=(author,), year=2019)
    assert differences(parse("Zhang, W. (2019). Rice yields under drought. Field Crops, 4, 1-2."), record) == ()
    other = differences(parse("Chen, W. (2019). Rice yields under drought. Field Crops, 4, 1-2."), record)
    assert [d.field for d in other] == ["authors"]


def test_a_study_group_listed_beside_the_people_may_be_left_out() -> None:
    people = (RecordAuthor("Ito", "Ken"), RecordAuthor("Bo", "Lin"))
    record = Work(
        doi="10.1/x",
        title="Statins after stroke",
        authors=(*people, RecordAuthor(name="The SPARCL Study Group")),
        year=2021,
    )
    assert differences(parse("Ito, K., & Bo, L. (2021). Statins after stroke. Stroke, 4, 1-2."), record) == ()
    missing = differences(parse("Ito, K. (2021). Statins after stroke. Stroke, 4, 1-2."), record)
    assert [(d.field, d.record) for d in missing] == [("authors", "also: Bo, Lin")]


def test_a_translated_title_the_record_holds_is_the_title() -> None:
    record = Work(
        doi="10.1/x",
        title="Saúde mental de estudantes",
        authors=(RecordAuthor("Melo", "Ana"),),
        year=2022,
        raw={"title": ["Saúde mental de estudantes", "Mental health of students"]},
    )
    assert differences(parse("Melo, A. (2022). Mental health of students. Revista, 4, 1-2."), record) == ()
