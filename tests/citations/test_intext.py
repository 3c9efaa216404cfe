"""In-text citations: the forms students write, and the parentheses that are not citations."""

from __future__ import annotations

import pytest

from forumgrader.citations.intext import abbreviations, find_citations


def _read(text: str) -> list[tuple[tuple[str, ...], int | None, bool]]:
    return [(c.authors, c.year, c.narrative) for c in find_citations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It works (Luna, 2020).", [(("Luna",), 2020, False)]),
        ("It works (Salas & D'Agostino, 2020).", [(("Salas", "D'Agostino"), 2020, False)]),
        ("It works (Ito et al., 2020, p. 5).", [(("Ito",), 2020, False)]),
        ("It works (Ash, 2019; Bo, 2020).", [(("Ash",), 2019, False), (("Bo",), 2020, False)]),
        ("Luna (2020) says so.", [(("Luna",), 2020, True)]),
        ("Salas and D'Agostino (2020) agree.", [(("Salas", "D'Agostino"), 2020, True)]),
        ("Ito et al. (2020) agree.", [(("Ito",), 2020, True)]),
        ("As in Smid et al.'s article (2018), grief varies.", [(("Smid",), 2018, True)]),
        ("Avasthi, Grover, & Nischal's article (2022) shows.", [(("Avasthi", "Grover", "Nischal"), 2022, True)]),
        ("Smith (2019) and Jones (2020) disagree.", [(("Smith",), 2019, True), (("Jones",), 2020, True)]),
        ("Many (e.g., Luna, 2020; see also Bo, 2021).", [(("Luna",), 2020, False), (("Bo",), 2021, False)]),
        ("Twice (Luna, 2020, 2021).", [(("Luna",), 2020, False), (("Luna",), 2021, False)]),
        ("Twice (Luna & Bo, 2020a, 2020b).", [(("Luna", "Bo"), 2020, False), (("Luna", "Bo"), 2020, False)]),
        ("Defined (World Health Organization [WHO], 2019).", [(("World Health Organization",), 2019, False)]),
        ("Then (WHO, 2019).", [(("WHO",), 2019, False)]),
        (
            "Undated (American Psychological Association, n.d.).",
            [(("American Psychological Association",), None, False)],
        ),
        (
            "Group (Centers for Disease Control and Prevention, 2020).",
            [(("Centers for Disease Control and Prevention",), 2020, False)],
        ),
        (
            "The American Psychological Association (2020) says.",
            [(("American Psychological Association",), 2020, True)],
        ),
        (
            "Particles (de la Rie, 2019) and van der Berg (2020).",
            [(("de la Rie",), 2019, False), (("van der Berg",), 2020, True)],
        ),
        (
            "Names (O'Neil, 2001, para. 3) and (Leppänen et al., 2022).",
            [(("O'Neil",), 2001, False), (("Leppänen",), 2022, False)],
        ),
        ("Secondary (Luna, 2020, as cited in Bo, 2021).", [(("Luna",), 2020, False), (("Bo",), 2021, False)]),
        ("Smart quotes: Smid et al.’s article (2018).", [(("Smid",), 2018, True)]),
        ("Mental Health America (2023) ranks states.", [(("Mental Health America",), 2023, True)]),
        ("As Mental Health America's report (2023) shows.", [(("Mental Health America",), 2023, True)]),
        ("The United Nations (2015) set goals.", [(("United Nations",), 2015, True)]),
        ("As Carl Rogers (1951) wrote.", [(("Rogers",), 1951, True)]),
        (
            "The Centers for Disease Control and Prevention (2023) report.",
            [(("Centers for Disease Control and Prevention",), 2023, True)],
        ),
        ("Non-breaking (Luna,\u00a02020).", [(("Luna",), 2020, False)]),
    ],
)
def test_citation_forms(text, expected):
    from forumgrader.citations.text import normalise

    assert _read(normalise(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 (the year of COVID) many things changed.",
        "Look at the chart (see Figure 2, 2020 data).",
        "The effect was significant (p < .05).",
        "The effect was significant (p = .001, n = 2020).",
        "The study (2020) found nothing.",
        "Research (2019) says many things.",
        "In June (2020) we met.",
        "Sales rose (from 1999 to 2020) steadily.",
        "He lived (1890-1950) in Paris.",
        "A list (1) first, (2) second, (2020) third.",
        "Costs ($2020) were high.",
        "Call me (555) 2020.",
        "The census (2020) counted everyone.",
        "We met in (2020).",
        "Unbalanced ((((Luna, 2020",
        "Telephone (Ext. 2020).",
    ],
)
def test_parentheses_that_are_not_citations(text):
    assert find_citations(text) == []


def test_locator_and_suffix():
    [citation] = find_citations("Quote (Ito et al., 2020b, pp. 4-6).")
    assert (citation.locator, citation.year_suffix, citation.et_al) == ("pp. 4-6", "b", True)
    assert citation.text == "Ito et al., 2020b, pp. 4-6"


def test_spans_quote_the_text():
    text = "First Luna (2020) then (Bo & Ash, 2021, p. 3)."
    for citation in find_citations(text):
        assert text[citation.start : citation.end] == citation.text


def test_reference_list_span_is_skipped():
    text = "Luna (2020) says.\n\nLuna, A. (2020). Title. Journal, 1(2), 3-4."
    found = find_citations(text, skip=(19, len(text)))
    assert [c.text for c in found] == ["Luna (2020)"]


def test_abbreviations_defined_in_text():
    text = "(World Health Organization [WHO], 2019) and (National Institute of Mental Health [NIMH], 2020)"
    assert abbreviations(text) == {"WHO": "World Health Organization", "NIMH": "National Institute of Mental Health"}
