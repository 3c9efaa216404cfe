"""In a real browser: a student pastes or uploads a draft, reads the verdicts, copies a suggestion, by keyboard too."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store.models import Draft
from forumgrader.store.selfcheck import finish_background_lookups

from .conftest import LiveServer

Page = Any
BLOG = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "seeds" / "001_e57b5723c3460151.txt"
GATCHEL = "Gatchel, R. J., Peng, Y. B., Peters, M. L., Fuchs, P. N., & Turk, D. C. (2007)."


@pytest.fixture
def checks_crossref(
    live_server: LiveServer, crossref_settings: Callable[..., dict[str, Any]], live_db: Session
) -> Iterator[None]:
    """Point the live server at the local Crossref (unpaced) for this test."""
    settings = crossref_settings()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.items():
            patch.setitem(live_server.app.config, key, value)
        yield
        assert finish_background_lookups(timeout=30)


def results(page: Page) -> Any:
    return page.get_by_role("region", name="What we found")


def test_a_pasted_draft_shows_verdicts_findings_and_a_suggestion_to_copy(
    page: Page, checks_crossref: None, live_db: Session
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Check a draft").first.click()
    page.get_by_label("Your draft").fill(BLOG.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Check my references").click()
    found = results(page)
    found.wait_for()
    assert found.get_by_text("We checked 5 references. 2 need a look.").is_visible()
    references = found.get_by_role("list").filter(has_text="Psychoneuroimmunology").first
    labels = references.locator(".reference-verdict .verdict-label").all_inner_texts()
    assert labels == [
        "We could not find this article",
        "Found, and the details match",
        "Found, and the details match",
        "Found, but some details differ",
        "Found, and the details match",
    ]
    assert found.get_by_text("Pages: you wrote “581”, the record says “581-624”").is_visible()
    assert found.get_by_text("write Cohen et al. from the first citation on", exact=False).is_visible()
    assert found.locator("mark").filter(has_text="Cohen, Janicki-Deverts & Miller, 2007").is_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = found.get_by_role("button", name="Copy the suggested reference 4")
    assert copy.is_visible()  # hidden until the script runs: without it, the text is there to select
    copy.click()
    found.locator(".copy-status").filter(has_text="Copied.").wait_for()  # announced to screen readers too
    assert page.evaluate("navigator.clipboard.readText()").startswith(GATCHEL)
    assert page.get_by_text("Nothing you check here is kept.").is_visible()
    assert live_db.scalar(select(func.count()).select_from(Draft)) == 0


def word_file(text: str) -> bytes:
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_uploaded_word_draft_is_checked(page: Page, checks_crossref: None) -> None:
    page.goto("/check")
    content = word_file(BLOG.read_text(encoding="utf-8"))
    page.get_by_label("Or upload it").set_input_files(
        {"name": "week2-draft.docx", "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_role("button", name="Check my references").click()
    found = page.get_by_role("region", name="What we found in week2-draft.docx")
    found.wait_for()
    assert found.get_by_text("We checked 5 references. 2 need a look.").is_visible()
    assert found.locator(".verdict-label").filter(has_text="We could not find this article").count() >= 1


def test_a_file_that_is_not_a_word_document_is_explained(page: Page, checks_crossref: None) -> None:
    page.goto("/check")
    page.get_by_label("Or upload it").set_input_files(
        {"name": "draft.docx", "mimeType": "application/octet-stream", "buffer": b"%PDF-1.7 scanned pages"}
    )
    page.get_by_role("button", name="Check my references").click()
    alert = page.get_by_role("alert")
    assert "“draft.docx” cannot be used: this .docx is not a zip archive" in alert.inner_text()
    assert page.get_by_label("Your draft").get_attribute("aria-describedby") == "draft-text-hint check-error"


def test_the_whole_check_works_from_the_keyboard(page: Page, checks_crossref: None) -> None:
    page.goto("/check")
    for _ in range(20):  # from the top of the page, Tab reaches the draft box past the navigation
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "draft-text":
            break
    assert page.evaluate("document.activeElement.id") == "draft-text"
    page.keyboard.insert_text(BLOG.read_text(encoding="utf-8"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "draft-file"
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Check my references"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    results(page).wait_for()
    assert page.evaluate("document.activeElement.id") == "results-heading"  # a screen reader starts at the results
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('copy-button')"):
            break
    assert page.locator(":focus").inner_text().startswith("Copy")
