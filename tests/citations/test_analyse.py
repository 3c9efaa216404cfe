"""Whole-text analysis: reference lists as students write them, reconciliation, and no false alarms."""

from __future__ import annotations

import json

import pytest

from forumgrader.citations import analyse
from forumgrader.citations.findings import CODES
from forumgrader.citations.model import Severity
from forumgrader.citations.report import report_to_json, report_to_text

BODY = "Stress shapes health (Luna, 2020). Salas and D'Agostino (2019) agree, as do Ito et al. (2021).\n\n"
LIST = (
    "Ito, K., Sato, M., & Ueda, T. (2021). Stress at work. Journal of Stress, 4(1), 1-9. "
    "https://doi.org/10.1000/js.2021.1\n"
    "Luna, A. (2020). Sleep and stress. Sleep Review, 12(3), 45-67.\n"
    "Salas, E., & D'Agostino, P. (2019). Teams under pressure. American Psychologist, 74(2), 100-110.\n"
)


def _codes(text: str) -> list[str]:
    return sorted(f.code for f in analyse(text).findings)


@pytest.mark.parametrize(
    "heading",
    [
        "References",
        "REFERENCES",
        "Reference",
        "Works Cited",
        "Bibliography",
        "References:",
        "**References**",
        "reference list",
    ],
)
def test_headings(heading):
    report = analyse(BODY + heading + "\n" + LIST)
    assert len(report.references) == 3
    assert _codes(BODY + heading + "\n" + LIST) == []
    assert all(c.reference is not None for c in report.citations)


def test_no_heading_and_blank_lines_between_entries():
    report = analyse(BODY + LIST.replace("\n", "\n\n"))
    assert [r.fields.authors[0].family for r in report.references] == ["Ito", "Luna", "Salas"]
    assert report.findings == ()


def test_heading_glued_to_first_entry():
    report = analyse(BODY + "References" + LIST)
    assert len(report.references) == 3 and report.findings == ()


def test_entry_wrapped_across_lines():
    wrapped = LIST.replace("Sleep and stress. ", "Sleep and\nstress. ").replace(
        "Journal of Stress", "Journal\nof Stress"
    )
    report = analyse(BODY + "References\n" + wrapped)
    assert [r.fields.title for r in report.references] == ["Stress at work", "Sleep and stress", "Teams under pressure"]


def test_list_jammed_on_one_line_is_split():
    report = analyse(BODY + "References: " + LIST.replace("\n", " "))
    assert [r.fields.authors[0].family for r in report.references] == ["Ito", "Luna", "Salas"]


def test_numbered_and_bulleted_entries():
    numbered = "".join(f"{i}. {line}\n" for i, line in enumerate(LIST.splitlines(), 1))
    assert len(analyse(BODY + "References\n" + numbered).references) == 3
    bulleted = "".join(f"• {line}\n" for line in LIST.splitlines())
    assert len(analyse(BODY + "References\n" + bulleted).references) == 3


def test_mistakes_are_reported():
    text = (
        "Stress matters (Lunna, 2020; Salas and D'Agostino, 2019; Ito, Sato, & Ueda, 2021; Bo, 2018). "
        "Luna et al. (2020) disagree.\n\nReferences\n"
        "Salas, E., & D'Agostino, P. (2019). Teams. American Psychologist, 74(2), 100-110. doi:10.1037/amp0000\n"
        "Luna, A. (2020). Sleep. Sleep Review, 12(3), 45-67. http://dx.doi.org/10.1000/sr.12\n"
        "Ito, K., Sato, M., & Ueda, T. (2021). Stress. Journal of Stress, 4(1), 1-9.\n"
        "Zed, Z. (2015). Unused. Journal of Nothing, 1(1), 1-2.\n"
    )
    codes = _codes(text)
    for code in [
        "author_mismatch",
        "ampersand_misuse",
        "et_al_misuse",
        "citation_without_reference",
        "reference_not_cited",
        "doi_format",
        "reference_order",
    ]:
        assert code in codes, code
    report = analyse(text)
    lunna = [c for c in report.citations if c.authors == ("Lunna",)]
    assert lunna[0].reference == 1  # linked despite the misspelling


def test_same_author_same_year_needs_suffixes():
    text = (
        "One (Luna, 2020) two (Luna, 2020).\n\nReferences\n"
        "Luna, A. (2020). First title. Sleep Review, 12(3), 45-67.\n"
        "Luna, A. (2020). Second title. Sleep Review, 12(4), 68-70.\n"
    )
    assert "missing_year_suffix" in _codes(text)
    fine = text.replace("(Luna, 2020) two (Luna, 2020)", "(Luna, 2020a) two (Luna, 2020b)")
    fine = fine.replace("A. (2020). First", "A. (2020a). First").replace("A. (2020). Second", "A. (2020b). Second")
    report = analyse(fine)
    assert report.findings == ()
    assert [c.reference for c in report.citations] == [0, 1]


def test_group_authors_and_abbreviations():
    text = (
        "Depression is common (World Health Organization [WHO], 2021). It is treatable (WHO, 2021). "
        "The American Psychological Association (2020) sets the style; see also (National Institute of Mental "
        "Health, n.d.).\n\nReferences\n"
        "American Psychological Association. (2020). Publication manual of the American Psychological "
        "Association (7th ed.). https://doi.org/10.1037/0000165-000\n"
        "National Institute of Mental Health. (n.d.). Depression. https://www.nimh.nih.gov/health/topics/depression\n"
        "World Health Organization. (2021, September 13). Depression [Fact sheet]. "
        "https://www.who.int/news-room/fact-sheets/detail/depression\n"
    )
    report = analyse(text)
    assert [c.reference for c in report.citations] == [2, 2, 0, 1]
    assert report.findings == ()
    assert report.references[0].type.value == "book" and report.references[0].fields.edition == "7th"


def test_citations_without_any_list():
    report = analyse("Sleep matters (Luna, 2020). Bo (2019) agrees.")
    assert [f.code for f in report.findings] == ["missing_reference_list"]
    assert report.findings[0].severity is Severity.ERROR


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 (the year of COVID) classes moved online (see Figure 2, 2020 data), a change (p < .05).",
        "The course (2021) was long. Chapter 3 (2019 edition) helps. We met on Monday (2020).",
        "Sales were high (2019: 40%; 2020: 55%).",
        "Version (2.0) and the class of (2022) graduated.",
    ],
)
def test_no_false_alarms_on_prose(text):
    report = analyse(text)
    assert report.citations == () and report.findings == ()


def test_a_body_paragraph_is_not_a_reference():
    text = "Luna (2020) argued that sleep matters. She was right.\n\nThanks for reading, see you in class (2024)."
    assert analyse(text).references == ()


def test_every_code_is_documented_and_reports_serialise():
    text = "Sleep (Luna, 2020).\n\nReferences\nLuna, A. (2021). Sleep. Sleep Review, 12(3), 45-67. to an external site."
    report = analyse(text)
    assert {f.code for f in report.findings} <= set(CODES)
    data = report_to_json(report)
    json.dumps(data)
    assert set(data) >= {"references", "citations", "findings"}
    assert set(data["references"][0]) >= {"index", "text", "fields", "type", "confidence"}
    assert set(data["citations"][0]) >= {"text", "authors", "year", "narrative", "reference"}
    assert set(data["findings"][0]) >= {"code", "severity", "message", "text", "start", "end"}
    # people read words: the code stays in the JSON, the text says the severity and the message
    assert "year_mismatch" not in report_to_text(report)
    assert "! Warning: Luna is cited as 2020 here but listed as 2021" in report_to_text(report)
    assert all(len(description) < 120 and severity in Severity for severity, description in CODES.values())


def test_numbered_vancouver_list_is_cited_by_number_and_not_alphabetised():
    text = (
        "Therapy helps [1]. Stress harms health [2, 3].\n\nReferences\n"
        "1. Engel GL. The need for a new medical model. Science. 1977;196(4286):129-36.\n"
        "2. Cohen S, Janicki-Deverts D, Miller GE. Psychological stress and disease. JAMA. 2007;298(14):1685-7.\n"
        "3. Kiecolt-Glaser JK, McGuire L. Psychoneuroimmunology. J Consult Clin Psychol. 2002;70(3):537-47.\n"
    )
    report = analyse(text)
    assert [r.fields.authors[0].family for r in report.references] == ["Engel", "Cohen", "Kiecolt-Glaser"]
    assert report.findings == ()


def test_sentence_openers_are_not_authors():
    text = (
        "Furthermore, Smith (2019) found it. However, Luna and Bo (2020) disagree.\n\nReferences\n"
        "Luna, A., & Bo, K. (2020). Sleep. Sleep Review, 1(2), 3-4.\n"
        "Smith, J. (2019). Stress. Stress Review, 2(3), 4-5.\n"
    )
    report = analyse(text)
    assert [c.authors for c in report.citations] == [("Smith",), ("Luna", "Bo")]
    assert report.findings == ()


def test_group_abbreviations_match_their_entries():
    text = (
        "Vaccines are safe (CDC, 2020). Treat early (NICE, 2022). The U.S. Department of Health and Human "
        "Services (HHS, 2021) warns, and HHS (2021) urges action.\n\nReferences\n"
        "Centers for Disease Control and Prevention. (2020). Vaccine safety. https://www.cdc.gov/vaccinesafety\n"
        "National Institute for Health and Care Excellence. (2022). Depression in adults (NICE Guideline No. 222). "
        "https://www.nice.org.uk/guidance/ng222\n"
        "U.S. Department of Health and Human Services. (2021). Protecting youth mental health. https://www.hhs.gov/a\n"
    )
    report = analyse(text)
    assert [c.reference for c in report.citations] == [0, 1, 2, 2]
    assert report.findings == ()


@pytest.mark.parametrize("cut", ["& M. Vale", "Rocha, C., &", "Rocha, C.,", "Sales, L., …"])
def test_an_author_list_wrapped_after_a_separator_stays_one_entry(cut):
    """A line that opens like an entry ("M. Vale, M. (2022).") continues an author list left open."""
    entry = (
        "Diele-Viegas, L. M., Sales, L., … Frederico Duarte Rocha, C., & M. Vale, M. (2022). We're building it up "
        "to burn it down. PeerJ, 10, Article e14276. https://doi.org/10.7717/peerj.14276"
    )
    wrapped = entry.replace(cut, cut + "\n", 1)
    report = analyse(f"Fire (Diele-Viegas et al., 2022).\n\nReferences\n{wrapped}\n")
    assert [r.fields.authors[-1].family for r in report.references] == ["M. Vale"]
    assert report.findings == ()


def test_a_group_named_in_running_text_is_read_whole():
    text = (
        "Mental Health America (2023) ranks the states, and Mental Health America's survey (2023) agrees. "
        "Pew Research Center (2018) concurs.\n\nReferences\n"
        "Mental Health America. (2023). The state of mental health in America. https://mhanational.org/a\n"
        "Pew Research Center. (2018). Teens, social media and technology. https://www.pewresearch.org/b\n"
    )
    report = analyse(text)
    assert [c.reference for c in report.citations] == [0, 0, 1]
    assert report.findings == ()
    alone = analyse(text.split("\n\n")[0])  # no list: the finding names the group, not "America"
    assert [f.text for f in alone.findings] == ["Mental Health America (2023)"]


def test_a_reference_says_whether_its_doi_can_be_right_and_how_its_authors_are_shortened():
    """What the Crossref check needs, read once here and kept through the JSON of a stored analysis."""
    names = ", ".join(f"Author{chr(65 + i)}, A." for i in range(19))
    text = (
        "Teams (AuthorA et al., 2021; Diele-Viegas et al., 2020; Stice et al., 2006; Luna, 2020).\n\nReferences\n"
        f"{names}, … Huang, X. (2021). Big team science. Nature, 590(7844), 1-2. https://doi.org/10.1038/x\n"
        "Diele-Viegas, L. M., & Sales, L. (2020). Fire... and what next? PeerJ, 8, Article e9744. "
        "https://doi.org/10.7717/peerj .9744\n"
        "Luna, A. (2020). Sleep. Sleep Review, 12(3), 45-67. https://doi.org/10.1000/sr.12\n"
        "Stice, E., et al. (2006). A review. Psychological Bulletin, 132(5), 667-691.\n"
    )
    report = analyse(text)
    read = [(r.fields.authors_shortened, r.fields.doi, r.fields.doi_problem) for r in report.references]
    assert read == [
        ("…", "10.1038/x", ""),
        ("", "10.7717/peerj.9744", "spaces inside"),
        ("", "10.1000/sr.12", ""),
        ("et al.", "", ""),
    ]
    malformed = [f for f in report.findings if f.code == "malformed_doi"]
    assert [(f.reference, f.text) for f in malformed] == [(1, "https://doi.org/10.7717/peerj .9744")]
    stored = report_to_json(report)["references"]
    assert [(r["fields"]["authors_shortened"], r["fields"]["doi_problem"]) for r in stored] == [
        (shortened, problem) for shortened, _, problem in read
    ]


def test_an_entry_of_unusual_shape_after_a_complete_one_stays_separate():
    text = (
        "Text (Luna, 2020) and (Merriam-Webster, n.d.).\n\nReferences\n"
        "Luna, A. (2020). Sleep. Sleep Review, 1(2), 3-4. https://doi.org/10.1000/x\n"
        "merriam-webster. (n.d.). Resilience. In Merriam-Webster.com dictionary. https://www.merriam-webster.com/r\n"
    )
    assert len(analyse(text).references) == 2 and analyse(text).findings == ()


@pytest.mark.parametrize(
    "left", ["Enlaces a un sitio externo.", "(Connexions vers un site externe.)", "Links para um site externo."]
)
def test_canvas_residue_in_another_language_is_an_lms_artifact(left):
    text = (
        "Sleep helps (Luna, 2020).\n\nReferences\n"
        f"Luna, A. (2020). Sleep. Sleep Review, 12(3), 45-67. https://doi.org/10.1000/sr.12 {left}\n"
    )
    report = analyse(text)
    assert [f.code for f in report.findings if f.code == "lms_artifact"] == ["lms_artifact"]
    assert report.references[0].fields.doi == "10.1000/sr.12"
