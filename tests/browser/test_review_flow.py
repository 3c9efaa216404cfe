"""In a real browser: a TA triages the review queue by keyboard (j, a note, d, c); the decisions persist after a
reload and after the topic is checked again, and the student's grade is no longer provisional."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions
from forumgrader.store import accounts
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Review, Topic
from forumgrader.store.topics import submit_check

from .conftest import LiveServer
from .screens import violations
from .test_sign_in import PASSWORD, sign_in

Page = Any
SAMPLES = Path(__file__).resolve().parents[2] / "forumgrader" / "samples"


def check_now(live_server: LiveServer, session: Session, topic: Topic) -> None:
    """Run the topic's check job here, to the end (the embedded worker would run it too, a little later)."""
    with live_server.app.app_context():
        job = submit_check(session, topic, None)
        session.commit()
        jobs.execute(job.id)


@pytest.fixture
def course(
    live_server: LiveServer,
    live_db: Session,
    crossref_settings: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """The Canvas sample in a course, checked against the local Crossref and graded; a TA to review it."""
    for key, value in crossref_settings().items():
        monkeypatch.setitem(live_server.app.config, key, value)
    found = Course(name="PSY 5120 Biological Bases of Psychotherapy")
    live_db.add(found)
    live_db.flush()
    data = (SAMPLES / "canvas/psychotherapy-biological-basis.view.json").read_bytes()
    topic_json = (SAMPLES / "canvas/psychotherapy-biological-basis.topic.json").read_bytes()
    export = read_export(data, filename="sample.view.json", options=ImportOptions(topic_json=topic_json))
    summary = import_export(
        live_db, export, file_name="sample.view.json", sha256=hashlib.sha256(data).hexdigest(), course_name=found.name
    )
    ta = accounts.create_user(live_db, "sam@example.edu", PASSWORD, role="ta", name="Sam Reviewer")
    accounts.enrol(live_db, ta, found, "ta")
    live_db.commit()
    topic = live_db.get_one(Topic, summary.topics[0][0])
    check_now(live_server, live_db, topic)
    return {"id": found.id, "topic": topic, "ta": ta.email}


TITLE = "row => `${row.querySelector('.flag-kind').textContent}: ${row.querySelector('.flag-student').textContent}`"


def flag_titles(page: Page) -> list[str]:
    return page.locator("[data-flag]").evaluate_all(f"rows => rows.map({TITLE})")


def focused_title(page: Page) -> str:
    return page.evaluate(f"({TITLE})(document.activeElement.closest('[data-flag]'))")


def test_keyboard_triage_persists_and_settles_the_grade(
    page: Page, course: dict[str, Any], live_server: LiveServer, live_db: Session
) -> None:
    sign_in(page, course["ta"], PASSWORD)
    page.get_by_role("link", name="Review queue").first.click()
    page.get_by_role("link", name="PSY 5120 Biological Bases of Psychotherapy").click()
    page.wait_for_load_state()  # the page's script listens for keys from then on
    assert flag_titles(page)[:2] == ["Broken DOI: Danielle Okafor", "Not found: Danielle Okafor"]
    kinds = page.get_by_label("Flag", exact=True).locator("option")
    assert kinds.all_inner_texts() == [
        "Every kind (7)",
        "Broken DOI (1)",
        "DOI of another work (0)",
        "Not found (4)",
        "Retracted (0)",
        "Details differ (2)",
    ]
    page.evaluate("window.notReloaded = true")
    shortcuts = page.locator("#shortcuts")
    assert not shortcuts.get_by_text("confirm: the problem is real, and counts in the grade").is_visible()

    page.keyboard.press("j")
    assert focused_title(page) == "Broken DOI: Danielle Okafor"
    page.keyboard.press("j")
    assert focused_title(page) == "Not found: Danielle Okafor"
    page.keyboard.press("k")
    assert focused_title(page) == "Broken DOI: Danielle Okafor"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is visible

    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("The DOI is mistyped, but the article is real")
    page.keyboard.press("Escape")
    assert focused_title(page) == "Broken DOI: Danielle Okafor"
    page.keyboard.press("d")
    first = page.locator("[data-flag]").nth(0)
    status = first.locator("[data-flag-status]")
    status.get_by_text("Dismissed").wait_for()
    assert status.inner_text() == "Dismissed by Sam Reviewer just now: “The DOI is mistyped, but the article is real”"
    assert focused_title(page) == "Not found: Danielle Okafor"  # on to the next flag awaiting review
    page.keyboard.press("c")
    second = page.locator("[data-flag]").nth(1).locator("[data-flag-status]")
    second.get_by_text("Confirmed").wait_for()
    announced = page.locator("[data-announce]").inner_text()
    assert re.search(
        r"Confirmed\. The student's grade is [\d.]+/100\. 5 flags awaiting review under these filters\.", announced
    )
    assert page.get_by_label("Status").locator("option").all_inner_texts()[:3] == [
        "Awaiting review (5)",
        "Confirmed (1)",
        "Dismissed (1)",
    ]
    # the other menus follow too, counted under the filters (awaiting review), on the same page
    assert kinds.all_inner_texts() == [
        "Every kind (5)",
        "Broken DOI (0)",
        "DOI of another work (0)",
        "Not found (3)",
        "Retracted (0)",
        "Details differ (2)",
    ]
    assert "Danielle Okafor (0)" in page.get_by_label("Student", exact=True).locator("option").all_inner_texts()
    assert page.evaluate("window.notReloaded") is True
    assert violations(page) == []  # the menus as the script rewrote them

    page.keyboard.press("?")
    assert shortcuts.get_attribute("open") == ""
    assert shortcuts.get_by_text("confirm: the problem is real, and counts in the grade").is_visible()
    page.keyboard.press("?")
    assert shortcuts.get_attribute("open") is None

    # after a reload, the awaiting queue no longer holds them; "all" shows what was decided
    page.reload()
    assert "Danielle Okafor" not in " ".join(flag_titles(page)[:1])
    page.get_by_label("Status").select_option("all")
    page.get_by_role("button", name="Show").click()
    statuses = page.locator("[data-flag] [data-flag-status]").all_inner_texts()
    assert statuses[0].startswith("Dismissed by Sam Reviewer") and statuses[1].startswith("Confirmed by Sam Reviewer")

    # checking the topic again keeps the decisions
    check_now(live_server, live_db, course["topic"])
    page.reload()
    statuses = page.locator("[data-flag] [data-flag-status]").all_inner_texts()
    assert statuses[0].startswith("Dismissed by Sam Reviewer") and statuses[1].startswith("Confirmed by Sam Reviewer")
    live_db.rollback()
    assert len(live_db.scalars(select(Review)).all()) == 2

    # Danielle's grade waited on those two flags only
    page.goto(f"/topics/{course['topic'].id}")
    danielle = page.locator("table.students tbody tr", has=page.get_by_role("rowheader", name="Danielle Okafor"))
    assert "provisional" not in danielle.locator("td").nth(0).inner_text()
    assert danielle.locator("td").nth(4).inner_text() == "1 confirmed"
