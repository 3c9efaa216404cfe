"""Checking a draft now: read as the student wrote it, verified within a time budget, the cache warmed for next time."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from flask import Flask

from forumgrader import store
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.discussions.documents import document_text, draft_text
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.selfcheck import (
    SLOW_MESSAGE,
    DraftTooLong,
    check_draft,
    check_report,
    finish_background_lookups,
    read_draft,
)

pytestmark = pytest.mark.local_crossref

BLOG = "seeds/001_e57b5723c3460151.txt"
CANVAS_REFERENCE = (
    "Engel, G. L. (1977). The need for a new medical model: A challenge for biomedicine. Science, 196(4286), "
    "129–136. https://doi.org/10.1126/science.847460"
)
HTML_DRAFT = f"<p>Illness (Engel, 1977).</p><p>References</p><p>{CANVAS_REFERENCE} (Links to an external site.)</p>"
DRAFT = f"Illness has social causes too (Engel, 1977).\n\nReferences\n\n{CANVAS_REFERENCE}Links to an external site.\n"


@pytest.fixture(autouse=True)
def _lookups_finish(app: Flask) -> Iterator[None]:
    """Wait for lookups that outlived their check before the app's database is closed under them."""
    yield
    assert finish_background_lookups(timeout=30), "a self-check's background lookups did not finish"


def word_file(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (DRAFT.encode(), ""),
        (DRAFT.encode("cp1252"), "draft.txt"),
        (HTML_DRAFT.encode(), "draft.html"),
        (word_file("Illness (Engel, 1977).", "References", CANVAS_REFERENCE + " Links to an external site."), "d.docx"),
    ],
)
def test_a_draft_keeps_the_residue_its_student_pasted_so_the_check_reports_it(data: bytes, filename: str) -> None:
    assert "external site" in draft_text(data, filename)
    assert "external site" not in document_text(data, filename)  # an imported post is cleaned: the LMS added it
    read = read_draft(data, filename)
    (artifact,) = [f for f in read.report.findings if f.code == "lms_artifact"]
    assert "external site" in artifact.text
    assert read.text[artifact.start : artifact.end] == artifact.text  # spans point into the text kept beside
    (reference,) = read.report.references
    assert reference.fields.doi == "10.1126/science.847460"  # the residue did not swallow into the DOI


def test_a_draft_longer_than_the_limit_is_refused_with_its_length() -> None:
    with pytest.raises(DraftTooLong, match="12,000 characters long; we check up to 10,000"):
        read_draft(b"x" * 12_000, "", max_characters=10_000)


def test_a_check_within_its_budget_answers_every_verdict(app: Flask, samples: Path) -> None:
    with app.app_context():
        checked = check_draft((samples / BLOG).read_bytes(), "blog.txt", config=app.config, database=store.database())
    assert checked.checks is not None
    assert [check.verdict.value for check in checked.checks] == [
        "not_found", "verified", "verified", "mismatch", "verified",
    ]  # fmt: skip
    assert checked.to_json()["references"][3]["differences"][0]["field"] == "pages"


def test_when_crossref_is_slow_the_check_answers_in_time_and_warms_the_cache(
    app: Flask, samples: Path, crossref: LocalCrossref
) -> None:
    crossref.configure(latency=1.0)
    app.config["SELF_CHECK_SECONDS"] = 0.4
    data = (samples / BLOG).read_bytes()
    with app.app_context():
        started = time.monotonic()
        slow = check_draft(data, "blog.txt", config=app.config, database=store.database())
        took = time.monotonic() - started
    assert took < 0.9, f"the check took {took:.2f}s with a budget of 0.4s"
    assert slow.checks is not None
    assert {(check.verdict.value, check.message) for check in slow.checks} == {("unchecked", SLOW_MESSAGE)}
    assert finish_background_lookups(timeout=30)  # the lookups went on after the answer, into the cache
    asked = crossref.stats()["total"]
    app.config["SELF_CHECK_SECONDS"] = 5.0
    with app.app_context():
        warm = check_draft(data, "blog.txt", config=app.config, database=store.database())
    assert warm.checks is not None
    assert [check.verdict.value for check in warm.checks].count("verified") == 3
    assert crossref.stats()["total"] == asked  # answered from the cache alone


def test_no_lookup_starts_once_the_budget_is_spent(app: Flask, samples: Path, crossref: LocalCrossref) -> None:
    crossref.configure(latency=0.5)
    app.config["CROSSREF_CONCURRENCY"] = 1  # one reference at a time: four wait when the budget runs out
    with app.app_context():
        read = read_draft((samples / BLOG).read_bytes(), "blog.txt")
        source = metadata_source(app.config, store.database())
        checked = check_report(read, source, workers=1, budget=0.2)
    assert finish_background_lookups(timeout=30)
    assert checked.checks is not None and {check.verdict.value for check in checked.checks} == {"unchecked"}
    targets = {target for _at, _kind, target, _status in crossref.log()}
    assert len(targets) <= 3, f"lookups for more than the first reference went out: {targets}"
