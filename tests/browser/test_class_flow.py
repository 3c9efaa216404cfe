"""In a real browser, a class of 120 with 400 flags: an instructor walks the whole class in the grading view by
keyboard, a TA decides a flag by keyboard (the counts follow) and then more than 100 flags at once with one note,
and on a touch screen the keyboard shortcuts make no room for themselves."""

from __future__ import annotations

from typing import Any

import pytest
from classroom import PASSWORD, Classroom, build_class
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.store.models import AuditEntry, Review

from .screens import PHONE
from .test_sign_in import sign_in

Page = Any


@pytest.fixture
def room(live_db: Session) -> Classroom:
    return build_class(live_db, students=120, flags=400)


def student_shown(page: Page) -> str:
    return str(page.locator("h1").inner_text()).removeprefix("Grading").strip()


def test_the_grading_view_walks_a_class_of_120_by_keyboard(page: Page, room: Classroom) -> None:
    sign_in(page, room.instructor, PASSWORD)
    page.goto(f"/topics/{room.topic_ids[0]}")
    page.get_by_role("link", name="Grade student by student").click()
    page.wait_for_load_state()  # the page's script listens for keys from then on
    listed = page.locator(".grader-list .grader-name").all_inner_texts()
    assert len(listed) == 120
    # on one screen at 1280 px: the class, the post with its marked citations, and the rubric with its overrides
    for part in (".grader-list a[aria-current=page]", ".grader-posts mark.cited", "#rubric .grade-total",
                 "#rubric details.override"):  # fmt: skip
        box = page.locator(part).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, part
    seen = [student_shown(page)]
    for _ in range(119):
        with page.expect_navigation():
            page.keyboard.press("j")
        seen.append(student_shown(page))
    assert seen == listed  # every student once, in the list's order
    assert page.locator("a[rel=next]").count() == 0  # the last one
    assert page.get_by_text("Student 120 of 120").is_visible()
    for _ in range(2):
        with page.expect_navigation():
            page.keyboard.press("k")
    assert student_shown(page) == listed[-3]
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "rubric"


def test_a_ta_decides_by_keyboard_then_over_100_flags_at_once(page: Page, room: Classroom, live_db: Session) -> None:
    sign_in(page, room.ta, PASSWORD)
    page.goto(f"/courses/{room.course_id}/review")
    status = page.get_by_label("Status")
    assert status.locator("option").first.inner_text() == "Awaiting review (400)"
    assert page.locator("[data-flag]").count() == 100  # a page of the table
    page.keyboard.press("j")
    page.keyboard.press("Enter")  # the evidence opens in the row
    assert page.locator("[data-flag]").first.locator(".evidence").is_visible()
    page.keyboard.press("c")
    page.locator("[data-flag]").first.locator("[data-flag-status]").get_by_text("Confirmed").wait_for()
    assert status.locator("option").first.inner_text() == "Awaiting review (399)"  # the count follows
    assert "399 flags awaiting review" in page.locator("[data-announce]").inner_text()

    # every "details differ" flag still awaiting review, on every page, with one note
    page.get_by_label("Flag", exact=True).select_option("mismatch")
    page.get_by_role("button", name="Show").click()
    waiting = int(status.locator("option").first.inner_text().removeprefix("Awaiting review (").rstrip(")"))
    assert waiting > 100
    page.get_by_label(f"all {waiting} flags these filters show").check()
    page.get_by_label("Note for each of them (optional)").fill("Year typos: the works are right")
    page.get_by_role("button", name="Dismiss them").click()
    assert f"Dismissed: {waiting} flags, with your note." in page.get_by_role("status").first.inner_text()
    assert status.locator("option").all_inner_texts()[:3] == [
        "Awaiting review (0)",
        "Confirmed (0)",
        f"Dismissed ({waiting})",
    ]
    live_db.rollback()
    assert live_db.scalar(select(func.count()).select_from(Review).where(Review.decision == "dismissed")) == waiting
    notes = live_db.scalars(select(AuditEntry.note).where(AuditEntry.action == "review.dismissed")).all()
    assert notes == ["Year typos: the works are right"] * waiting

    # ticked rows: the whole page of 100, confirmed together
    page.get_by_label("Flag", exact=True).select_option("")
    page.get_by_role("button", name="Show").click()
    page.get_by_label("Tick every flag on this page").check()
    assert page.locator("[data-selected-count]").inner_text() == "100"
    page.get_by_role("button", name="Confirm them").click()
    assert "Confirmed: 100 flags. The grades are updated." in page.get_by_role("status").first.inner_text()
    live_db.rollback()
    assert live_db.scalar(select(func.count()).select_from(Review)) == waiting + 101


def test_the_shortcuts_panel_shows_with_a_keyboard_and_not_on_a_touch_screen(
    browser: Any, live_server: Any, room: Classroom
) -> None:
    for touch, shown in ((False, True), (True, False)):
        context = browser.new_context(base_url=live_server.url, viewport={"width": PHONE, "height": 844},
                                      has_touch=touch, is_mobile=touch)  # fmt: skip
        page = context.new_page()
        sign_in(page, room.ta, PASSWORD)
        for address in (f"/courses/{room.course_id}/review", f"/topics/{room.topic_ids[0]}/grading"):
            page.goto(address)
            assert page.get_by_text("Keyboard shortcuts").is_visible() is shown, (address, touch)
        context.close()
