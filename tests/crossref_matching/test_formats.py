"""What verification hands on: APA suggestions, BibTeX both ways, and the report with verdicts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import bibtexparser
import pytest

from forumgrader.citations import analyse
from forumgrader.citations.model import SourceType
from forumgrader.crossref.apa import apa_reference, format_reference
from forumgrader.crossref.batch import verify_references
from forumgrader.crossref.bibtex import references_from_bibtex, to_bibtex
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, MetadataSource, Notice, Verdict, Work
from forumgrader.crossref.report import checks_to_text, report_with_checks

GATCHEL = (
    "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007). The biopsychosocial approach to "
    "chronic pain. Psychological Bulletin, 133(4), 581."
)
ZOTERO_EXPORT = r"""
@article{gatchel_biopsychosocial_2007,
  title = {The {Biopsychosocial} Approach to Chronic Pain: Scientific Advances and Future Directions},
  volume = {133}, number = {4}, pages = {581--624}, journal = {Psychological Bulletin},
  author = {Gatchel, Robert J. and Peng, Yuan Bo and Peters, Madelon L. and Fuchs, Perry N. and Turk, Dennis C.},
  year = {2007}, doi = {10.1037/0033-2909.133.4.581},
}
@article{leppanen_2022,
  author = {Lepp{\"a}nen, Helena and Kampman, Olli and Autio, Reija and Karolaakso, Tino and N{\"a}ppil{\"a}, Turkka
            and Rissanen, P{\"a}ivi and Pirkola, Sami},
  title = {Socioeconomic factors and use of psychotherapy in common mental disorders predisposing to disability
           pension},
  journal = {BMC Health Services Research}, year = {2022}, volume = {22}, number = {1}, pages = {983},
}
@misc{who_depression_2023,
  author = {{World Health Organization}}, title = {Depression}, year = {2023},
  url = {https://www.who.int/news-room/fact-sheets/detail/depression},
}
"""


def test_apa_suggestion_of_a_journal_article(work: Callable[[str], Work]) -> None:
    assert apa_reference(work("10.1037/0033-2909.133.4.581")) == (
        "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007). The biopsychosocial approach "
        "to chronic pain: scientific advances and future directions. Psychological Bulletin, 133(4), 581–624. "
        "https://doi.org/10.1037/0033-2909.133.4.581"
    )


def test_apa_suggestion_of_a_chapter_and_a_preprint(work: Callable[[str], Work]) -> None:
    assert apa_reference(work("10.1007/978-1-137-40325-4_12")) == (
        "Helyer, R., & Price, A. (2016). Learning to learn. In Facilitating Work-based Learning (pp. 207–226). "
        "Macmillan Education UK. https://doi.org/10.1007/978-1-137-40325-4_12"
    )
    assert "[Preprint]" in apa_reference(work("10.1101/014852"))


def test_a_record_changed_under_the_same_doi_is_rendered_anew(work: Callable[[str], Work]) -> None:
    gatchel = work("10.1037/0033-2909.133.4.581")
    assert "133(4), 581–624" in apa_reference(gatchel)  # rendered once, then remembered
    corrected = dataclasses.replace(gatchel, volume="134", pages="1–44")
    assert "134(4), 1–44" in apa_reference(corrected)  # what is remembered is the record, not its DOI
    assert "133(4), 581–624" in apa_reference(gatchel)


def test_other_citation_styles_render_too(work: Callable[[str], Work]) -> None:
    engel = work("10.1126/science.847460")
    assert format_reference(engel, "chicago-author-date").startswith("Engel, G. L. 1977.")
    assert format_reference(engel, "harvard-cite-them-right").startswith("Engel, G.L. (1977)")


def test_bibtex_from_matched_records(work: Callable[[str], Work]) -> None:
    reference = analyse(f"References\n\n{GATCHEL}\n").references[0]
    matched = Check(Verdict.VERIFIED, record=work("10.1037/0033-2909.133.4.581"))
    library = bibtexparser.parse_string(to_bibtex([reference], [matched]))
    (entry,) = library.entries
    assert (entry.entry_type, entry.key) == ("article", "gatchel2007biopsychosoc")
    assert entry["author"].startswith("Gatchel, Robert J. and Peng, Yuan Bo")
    assert (entry["pages"], entry["doi"], entry["journal"]) == (
        "581--624",
        "10.1037/0033-2909.133.4.581",
        "Psychological Bulletin",
    )


def test_bibtex_of_an_unmatched_reference_keeps_what_it_says() -> None:
    reference = analyse(
        "References\n\nYalom, I. D. (2005). The theory and practice of group psychotherapy. Basic Books.\n"
    )
    text = to_bibtex(reference.references, [Check(Verdict.NOT_INDEXED)])
    (entry,) = bibtexparser.parse_string(text).entries
    assert (entry.entry_type, entry["author"], entry["year"], entry["publisher"]) == (
        "book",
        "Yalom, I. D.",
        "2005",
        "Basic Books",
    )


def test_a_reference_manager_export_is_read_as_references() -> None:
    gatchel, leppanen, who = references_from_bibtex(ZOTERO_EXPORT)
    assert gatchel.type is SourceType.JOURNAL_ARTICLE and gatchel.fields.doi == "10.1037/0033-2909.133.4.581"
    assert gatchel.fields.title.startswith("The Biopsychosocial Approach")  # braces kept case, then went
    assert [(a.family, a.initials) for a in leppanen.fields.authors[:2]] == [("Leppänen", "H."), ("Kampman", "O.")]
    assert leppanen.text.startswith("Leppänen, H., Kampman, O., Autio, R.")
    assert (who.type, who.fields.authors[0].group) == (SourceType.WEB_PAGE, True)
    assert gatchel.end < leppanen.start < leppanen.end < who.start


def test_a_reference_manager_export_is_verified(source: MetadataSource) -> None:
    references = references_from_bibtex(ZOTERO_EXPORT)
    checks = verify_references(references, source, verify=verify, workers=2)
    assert [(c.verdict.value, c.matched_doi) for c in checks] == [
        ("verified", "10.1037/0033-2909.133.4.581"),
        ("verified", "10.1186/s12913-022-08389-1"),
        ("not_indexed", ""),
    ]


@pytest.fixture
def blog(samples: Path, source: MetadataSource) -> tuple[object, list[Check]]:
    report = analyse((samples / "seeds/001_e57b5723c3460151.txt").read_text(encoding="utf-8"))
    return report, verify_references(report.references, source, verify=verify, workers=2)


def test_the_report_gains_verdict_keys_beside_the_analysis(blog: tuple) -> None:
    report, checks = blog
    data = report_with_checks(report, checks)
    gatchel = next(r for r in data["references"] if r["text"].startswith("Gatchel"))
    assert gatchel["confidence"] == 1.0  # the parser's confidence is left as the analysis gave it
    assert {key: gatchel[key] for key in ("verdict", "doi", "matched_doi", "retracted", "notices")} == {
        "verdict": "mismatch",
        "doi": "",
        "matched_doi": "10.1037/0033-2909.133.4.581",
        "retracted": False,
        "notices": [],
    }
    assert gatchel["differences"] == [{"field": "pages", "cited": "581", "record": "581-624", "severity": "info"}]
    assert gatchel["record"] == {
        "doi": "10.1037/0033-2909.133.4.581",
        "title": "The biopsychosocial approach to chronic pain: scientific advances and future directions",
        "authors": ["Gatchel, Robert J.", "Peng, Yuan Bo", "Peters, Madelon L.", "Fuchs, Perry N.", "Turk, Dennis C."],
        "journal": "Psychological Bulletin",
        "year": 2007,
        "volume": "133",
        "issue": "4",
        "pages": "581-624",
        "type": "journal-article",
    }
    assert gatchel["suggestion"].endswith("581–624. https://doi.org/10.1037/0033-2909.133.4.581")
    assert data["citations"] and data["findings"]


def test_matched_references_cited_without_a_doi_get_a_missing_doi_finding(blog: tuple) -> None:
    report, checks = blog
    data = report_with_checks(report, checks)
    missing = [f for f in data["findings"] if f["code"] == "missing_doi"]
    assert len(missing) == 4  # Cohen, Engel, Gatchel, Kiecolt-Glaser; Ader et al. is not in Crossref
    assert "https://doi.org/10.1126/science.847460" in next(
        f["message"] for f in missing if f["text"].startswith("Engel")
    )
    assert [f["start"] for f in data["findings"]] == sorted(f["start"] for f in data["findings"])


def test_a_retracted_work_adds_a_finding_and_the_text_report_says_so(blog: tuple, work: Callable[[str], Work]) -> None:
    report, checks = blog
    retracted = Work(
        **{**_fields(work("10.1126/science.847460")), "notices": (Notice("retraction", "Retraction", "10.1/r"),)}
    )
    checks = [
        Check(c.verdict, matched_doi=c.matched_doi, record=retracted) if c.matched_doi.endswith("847460") else c
        for c in checks
    ]
    data = report_with_checks(report, checks)
    assert [f["code"] for f in data["findings"] if f["code"] == "retracted"] == ["retracted"]
    assert "(RETRACTED)" in checks_to_text(report, checks)


def _fields(record: Work) -> dict[str, object]:
    return {name: getattr(record, name) for name in record.__slots__ if name != "notices"}


def test_the_text_report_explains_each_difference(blog: tuple) -> None:
    report, checks = blog
    text = checks_to_text(report, checks)
    assert "pages: you wrote “581”, the record says “581-624”" in text
    assert "Suggested: Gatchel, R. J." in text
