"""Acceptance on the bundled seed documents; the discussion 000 is split into its four posts here."""

from __future__ import annotations

from pathlib import Path

import pytest

from forumgrader.citations import analyse
from forumgrader.citations.model import CitationReport

SEEDS = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "seeds"


def _posts() -> dict[str, str]:
    text = (SEEDS / "000_d55d0333e560cda0.txt").read_text(encoding="utf-8")
    initial, rest = text.split("\nresponse 1\n", 1)
    reply1, rest = rest.split("\nresponse 2\n", 1)
    third = rest.index("I really enjoyed reading what you wrote.")
    return {"initial": initial, "response 1": reply1, "response 2": rest[:third], "third": rest[third:]}


@pytest.fixture(scope="module")
def posts() -> dict[str, CitationReport]:
    return {name: analyse(text) for name, text in _posts().items()}


def _firsts(report: CitationReport) -> list[tuple[str, int | None]]:
    return [(r.fields.authors[0].family, r.fields.year) for r in report.references]


def _codes(report: CitationReport, code: str) -> list[str]:
    return [f.text for f in report.findings if f.code == code]


def _all_cited(report: CitationReport) -> bool:
    linked = {c.reference for c in report.citations}
    return all(r.index in linked for r in report.references)


def test_initial_post_references_are_found_and_each_is_cited(posts):
    report = posts["initial"]
    assert _firsts(report) == [("Avasthi", 2022), ("Jokinen", 2022), ("Moreira", 2022), ("Smid", 2018)]
    assert [a.family for a in report.references[1].fields.authors] == ["Jokinen", "Hartshorne"]
    assert _all_cited(report)
    assert report.reference_list is not None
    assert not _codes(report, "reference_not_cited")
    assert not _codes(report, "citation_without_reference")


def test_initial_post_findings(posts):
    report = posts["initial"]
    mismatch = [f for f in report.findings if f.code == "year_mismatch"]
    assert len(mismatch) == 1 and "Moreira" in mismatch[0].text
    assert "2020" in mismatch[0].message and "2022" in mismatch[0].message
    assert mismatch[0].reference == 2
    malformed = _codes(report, "malformed_doi")
    assert malformed == ["DOI: 10.4103/Indian psychiatry. indianjpsychiatry_50_21"]
    residue = [f.reference for f in report.findings if f.code == "lms_artifact"]
    assert residue == [1, 3]  # Jokinen and Smid end with "to an external site."
    glued = _codes(report, "glued_text")
    assert any("Psychology78(2)" in g for g in glued)
    assert any("69(10)" in g for g in glued)


def test_initial_post_style_slips_are_notes_only(posts):
    """Three authors named in full and "&" in running text are APA slips: info, on those citations only."""
    report = posts["initial"]
    et_al = _codes(report, "et_al_misuse")
    assert sorted(et_al) == ["Avasthi, Grover, & Nischal’s article (2022)", "Moreira, Inman, & Cloninger, 2020"]
    ampersand = _codes(report, "ampersand_misuse")
    assert sorted(ampersand) == ["Avasthi, Grover, & Nischal’s article (2022)", "Jokinen & Hartshorne (2022)"]
    assert {f.severity.value for f in report.findings if f.code in ("et_al_misuse", "ampersand_misuse")} == {"info"}
    smid = [f for f in report.findings if "Smid" in f.text]
    assert smid == []  # "Smid et al.'s article (2018)" is correct


def test_response_1(posts):
    report = posts["response 1"]
    assert _firsts(report) == [("Jesus", 2022), ("Malhotra", 2017)]
    assert _all_cited(report)
    assert len(report.citations) == 3
    assert _codes(report, "broken_url") == ["Http://"]
    assert not [f for f in report.findings if f.start < report.reference_list[0]]  # the citations are all correct


def test_response_2_joins_entries_across_blank_lines(posts):
    report = posts["response 2"]
    assert _firsts(report) == [("Marwood", 2018), ("Leppänen", 2022)]
    marwood = report.references[0]
    assert marwood.fields.title.startswith("Meta-analyses of the neural mechanisms and predictors")
    assert marwood.fields.container == "Neuroscience and Biobehavioral Reviews"
    assert len(report.references[1].fields.authors) == 7
    assert _all_cited(report)
    assert not [f for f in report.findings if f.start < report.reference_list[0]]


def test_third_reply(posts):
    report = posts["third"]
    assert _firsts(report) == [("Jokinen", 2022), ("Sunderani", 2020)]
    assert _all_cited(report)
    assert not [f for f in report.findings if f.start < report.reference_list[0]]


def test_blog_post_001():
    report = analyse((SEEDS / "001_e57b5723c3460151.txt").read_text(encoding="utf-8"))
    assert _firsts(report) == [
        ("Ader", 1995),
        ("Cohen", 2007),
        ("Engel", 1977),
        ("Gatchel", 2007),
        ("Kiecolt-Glaser", 2002),
    ]
    assert _all_cited(report)
    assert "Recent Posts" not in " ".join(r.text for r in report.references)
    assert report.references[-1].text.endswith("537-547.")
    # APA 7: three or more authors take "et al." from the first citation, so all four full listings are slips.
    et_al = sorted(_codes(report, "et_al_misuse"))
    assert et_al == [
        "Ader, Cohen & Felten, 1995",
        "Cohen, Janicki-Deverts & Miller, 2007",
        "Gatchel, Peng, Peters, Fuchs & Turk, 2007",
        "Kiecolt-Glaser, McGuire, Robles & Glaser, 2002",
    ]
    assert {f.code for f in report.findings} <= {"et_al_misuse", "page_prefix"}
    assert all(f.severity.value == "info" for f in report.findings)
    engel = [c for c in report.citations if c.authors == ("Engel",)]
    assert engel and not [f for f in report.findings if f.start == engel[0].start]


def test_plain_article_002_has_nothing():
    report = analyse((SEEDS / "002_b3eb8ec8c5be9529.txt").read_text(encoding="utf-8"))
    assert report == CitationReport()
