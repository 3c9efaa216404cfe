"""The seed discussion and blog post, end to end: analysed, then verified through habanero against the local server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forumgrader.citations import analyse
from forumgrader.crossref.batch import verify_references
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, MetadataSource

DISCUSSION = "seeds/000_d55d0333e560cda0.txt"
BLOG = "seeds/001_e57b5723c3460151.txt"


def posts(samples: Path) -> list[str]:
    """Split the seed discussion into its initial post and three replies."""
    text = (samples / DISCUSSION).read_text(encoding="utf-8")
    return re.split(r"\n(?=response 1\n|response 2\n|I really enjoyed reading)", text)


def checked(text: str, source: MetadataSource) -> dict[str, Check]:
    """Return each reference's check, keyed by its first author's family name and year."""
    report = analyse(text)
    checks = verify_references(report.references, source, verify=verify, workers=3)
    return {f"{r.fields.authors[0].family} {r.fields.year}": c for r, c in zip(report.references, checks, strict=True)}


def summary(check: Check) -> tuple[str, str, list[tuple[str, str, str]]]:
    return check.verdict.value, check.matched_doi, [(d.field, d.cited, d.record) for d in check.differences]


@pytest.fixture
def discussion(samples: Path, source: MetadataSource) -> dict[str, Check]:
    found: dict[str, Check] = {}
    for post in posts(samples):
        found.update(checked(post, source))
    return found


def test_the_discussion_splits_into_four_posts(samples: Path) -> None:
    assert [len(analyse(post).references) for post in posts(samples)] == [4, 2, 2, 2]


def test_seed_discussion_verdicts(discussion: dict[str, Check]) -> None:
    assert summary(discussion["Smid 2018"]) == ("verified", "10.1176/appi.ps.201700422", [])
    assert summary(discussion["Malhotra 2017"]) == (
        "mismatch",
        "10.4103/0019-5545.217299",
        [("authors", "Sahoo, A.", "Sahoo, Swapnajeet")],
    )
    assert summary(discussion["Marwood 2018"]) == (
        "mismatch",
        "10.1016/j.neubiorev.2018.09.022",
        [("pages", "61-", "61-72")],
    )
    assert summary(discussion["Leppänen 2022"]) == (
        "verified",
        "10.1186/s12913-022-08389-1",
        [],
    )  # 983: an article number
    assert discussion["Avasthi 2022"].verdict.value == "broken_doi"


def test_smid_is_matched_without_a_doi_and_asked_for_one(discussion: dict[str, Check]) -> None:
    smid = discussion["Smid 2018"]
    assert smid.doi == "" and "https://doi.org/10.1176/appi.ps.201700422" in smid.message


def test_references_crossref_does_not_hold_are_never_verified(discussion: dict[str, Check]) -> None:
    # Jokinen & Hartshorne, Jesus et al. and Sunderani & Moodley are journal articles missing from the records
    assert {discussion[key].verdict.value for key in ("Jokinen 2022", "Jesus 2022", "Sunderani 2020")} == {"not_found"}


def test_seed_blog_post_verdicts(samples: Path, source: MetadataSource) -> None:
    blog = checked((samples / BLOG).read_text(encoding="utf-8"), source)
    assert summary(blog["Cohen 2007"]) == ("verified", "10.1001/jama.298.14.1685", [])
    assert summary(blog["Engel 1977"]) == ("verified", "10.1126/science.847460", [])
    assert summary(blog["Kiecolt-Glaser 2002"]) == ("verified", "10.1037/0022-006x.70.3.537", [])
    assert summary(blog["Gatchel 2007"]) == ("mismatch", "10.1037/0033-2909.133.4.581", [("pages", "581", "581-624")])


@pytest.mark.parametrize("fault", [{"fail": 503}, {"fail": 429}])
def test_an_unavailable_crossref_leaves_every_reference_unchecked(
    samples: Path, crossref: LocalCrossref, source: MetadataSource, fault: dict[str, int]
) -> None:
    crossref.configure(**fault)
    blog = checked((samples / BLOG).read_text(encoding="utf-8"), source)
    assert {check.verdict.value for check in blog.values()} == {"unchecked"}
    assert all(check.record is None and not check.matched_doi for check in blog.values())
