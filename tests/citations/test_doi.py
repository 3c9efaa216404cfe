"""DOIs: normalisation, the forms APA 7 does not want, and broken ones."""

from __future__ import annotations

import pytest

from forumgrader.citations.doi import find_dois, normalise_doi


@pytest.mark.parametrize(
    "written",
    [
        "https://doi.org/10.1037/0033-2909.133.4.581",
        "http://dx.doi.org/10.1037/0033-2909.133.4.581",
        "doi:10.1037/0033-2909.133.4.581",
        "DOI: 10.1037/0033-2909.133.4.581.",
        "doi.org/10.1037/0033-2909.133.4.581",
        " 10.1037/0033-2909.133.4.581; ",
        "https://doi.org/10.1037%2F0033-2909.133.4.581",
    ],
)
def test_normalise_doi(written):
    assert normalise_doi(written) == "10.1037/0033-2909.133.4.581"


def test_parentheses_inside_a_doi_stay():
    [mention] = find_dois("(https://doi.org/10.1016/S0140-6736(20)30183-5).")
    assert mention.doi == "10.1016/s0140-6736(20)30183-5" and mention.form == "https" and not mention.malformed


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("doi:10.1000/abc", "label"),
        ("http://dx.doi.org/10.1000/abc", "dx"),
        ("10.1000/abc", "bare"),
        ("http://doi.org/10.1000/abc", "http"),
        ("https://doi.org/10.1000/abc", "https"),
    ],
)
def test_forms(text, form):
    assert [m.form for m in find_dois(text)] == [form]


def test_a_doi_cut_by_spaces_is_malformed_inside_an_entry():
    text = "Indian J Psychiatry. DOI: 10.4103/Indian psychiatry. indianjpsychiatry_50_21. Epub 2022 Mar 22."
    [mention] = find_dois(text, in_entry=True)
    assert mention.malformed
    assert text[mention.start : mention.end] == "DOI: 10.4103/Indian psychiatry. indianjpsychiatry_50_21"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("https://doi.org/", "wrong prefix"),
        ("https://doi.org/10.1037", "no suffix"),
        ("doi: 10.12/x", "wrong prefix"),
        ("https://doi.org/10.1037//0033-2909.133.4.581", "doubled slash"),
        ("https://doi.org/10.1037/0033-2909.133.4.581/", "ends with a slash"),
    ],
)
def test_broken_dois(text, problem):
    assert [m.problem for m in find_dois(text, in_entry=True)] == [problem]


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("Bulletin, 133(4), 581-624. https://doi.org/10.1037/0033-2909. 133.4.581", "10.1037/0033-2909.133.4.581"),
        ("PeerJ, 8, Article e9744. https://doi.org/10.7717/peerj .9744", "10.7717/peerj.9744"),
    ],
)
def test_a_doi_cut_before_digits_or_a_dot_is_malformed_inside_an_entry(text, doi):
    [mention] = find_dois(text, in_entry=True)
    assert (mention.doi, mention.problem) == (doi, "spaces inside")


@pytest.mark.parametrize(
    "text",
    [
        "JAMA. 2007;298(14):1685-7. doi: 10.1001/jama.298.14.1685. PMID: 17925521",
        "Epub 2022 Mar 22. doi:10.1000/abc.12 Epub 2022 Mar 22.",
        "Bulletin, 12(3), 4-5. https://doi.org/10.1000/abc 2020.",
    ],
)
def test_what_follows_a_whole_doi_stays_out_of_it(text):
    assert [m.malformed for m in find_dois(text, in_entry=True)] == [False]


def test_residue_after_a_doi_is_not_part_of_it():
    [mention] = find_dois("https://doi.org/10.1000/xyz to an external site.", in_entry=True)
    assert mention.doi == "10.1000/xyz" and not mention.malformed


def test_the_word_doi_alone_is_no_doi():
    assert find_dois("I was doing it; the doi is below") == []
