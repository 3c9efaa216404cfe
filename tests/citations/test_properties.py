"""Property tests: any text is analysed without a crash, and every span lies inside the text and quotes it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumgrader.citations import analyse
from forumgrader.citations.doi import find_dois, normalise_doi
from forumgrader.citations.text import normalise

PIECES = [
    "(",
    ")",
    "(Luna, 2020)",
    "Luna (2020)",
    " et al.",
    " & ",
    " and ",
    "; ",
    ", ",
    ". ",
    "\n",
    "\n\n",
    "References\n",
    "References",
    "Smith, J. A.",
    " (2019). ",
    "Title of it. ",
    "Journal, 12(3), 45-67. ",
    "https://doi.org/10.1000/xyz",
    "doi:10.1/ x",
    "to an external site.",
    "Http:// ",
    "n.d.",
    "2020a",
    "Psychology78(2)",
    ")69(10)",
    "[WHO]",
    "’s article ",
    "“",
    "”",
    "\u00a0",
    "–",
    "Leppänen",
    "p. 5",
    "de la Rie, S. M.",
    "Avasthi A, Grover S. ",
    "2022 Mar;64(1):S47-S61. ",
    "(Eds.), ",
    "In ",
    "(pp. 1-10). ",
]
texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join),
)
SETTINGS = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_any_text_is_analysed_and_spans_quote_it(text):
    report = analyse(text)
    for ref in report.references:
        assert 0 <= ref.start <= ref.end <= len(text)
        assert ref.index == report.references.index(ref)
    for citation in report.citations:
        assert 0 <= citation.start <= citation.end <= len(text)
        assert citation.text == text[citation.start : citation.end]
        assert citation.reference is None or 0 <= citation.reference < len(report.references)
    for finding in report.findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.text == text[finding.start : finding.end]
    if report.reference_list:
        assert 0 <= report.reference_list[0] <= report.reference_list[1] <= len(text)


@SETTINGS
@given(st.text(max_size=300))
def test_normalise_keeps_length(text):
    assert len(normalise(text)) == len(text)


@SETTINGS
@given(st.text(max_size=300))
def test_dois_are_found_inside_the_text(text):
    for mention in find_dois(text, in_entry=True):
        assert 0 <= mention.start <= mention.end <= len(text)
        assert mention.doi == mention.doi.lower()


@SETTINGS
@given(st.from_regex(r"10\.\d{4,6}/[a-z0-9._;()/-]{1,30}", fullmatch=True))
def test_normalise_doi_strips_any_resolver(doi):
    for written in (doi, f"https://doi.org/{doi}", f"http://dx.doi.org/{doi}", f"doi: {doi}", f"DOI:{doi.upper()}"):
        assert normalise_doi(written) == normalise_doi(doi)
