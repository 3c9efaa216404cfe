"""In a real browser: signing in, a failed sign-in, keyboard-only navigation, and a job's progress bar."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.store import accounts
from forumgrader.store.db import utcnow
from forumgrader.store.models import Course, Job, Topic

from .conftest import LiveServer

PASSWORD = "correct horse battery"
Page = Any


@pytest.fixture
def instructor(live_db: Session) -> dict[str, Any]:
    """An instructor teaching one course with one topic, and a course they do not teach."""
    mine, theirs = Course(name="PSY 101 Introduction to Psychology"), Course(name="HIS 200 Modern History")
    live_db.add_all([mine, theirs])
    live_db.flush()
    live_db.add(Topic(course_id=mine.id, title="Week 1: Memory and sleep", due_initial_at=utcnow()))
    user = accounts.create_user(live_db, "grace@example.edu", PASSWORD, role="instructor", name="Grace Hopper")
    accounts.enrol(live_db, user, mine, "instructor")
    live_db.commit()
    return {"email": user.email, "user_id": user.id, "course_id": mine.id}


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_an_instructor_signs_in_and_opens_their_course(page: Page, instructor: dict[str, Any]) -> None:
    sign_in(page, instructor["email"], PASSWORD)
    assert page.get_by_role("status").inner_text() == "Signed in as Grace Hopper."
    section = page.get_by_role("region", name="Courses you teach")
    assert section.get_by_role("link").all_inner_texts() == ["PSY 101 Introduction to Psychology"]
    assert page.get_by_text("HIS 200").count() == 0
    section.get_by_role("link", name="PSY 101 Introduction to Psychology").click()
    assert page.get_by_role("heading", level=1).inner_text() == "PSY 101 Introduction to Psychology"
    table = page.get_by_role("table", name="Discussion topics")
    assert table.get_by_role("rowheader").all_inner_texts() == ["Week 1: Memory and sleep"]
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("status").inner_text() == "You are signed out."


def test_a_wrong_password_is_explained_on_the_form(page: Page, instructor: dict[str, Any]) -> None:
    sign_in(page, instructor["email"], "not my password")
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "That email and password do not match an account. Check both and try again."
    assert page.get_by_label("Email").input_value() == instructor["email"]  # kept, so only the password is retyped
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"


def test_the_keyboard_reaches_the_main_content_through_the_skip_link(page: Page, instructor: dict[str, Any]) -> None:
    sign_in(page, instructor["email"], PASSWORD)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0  # visible while focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is visible
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the main content, past the navigation
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.locator(":focus").inner_text() == "Start a course"  # the first link of the page itself


@pytest.fixture
def slow_job_kind(monkeypatch: pytest.MonkeyPatch) -> str:
    def check(session: Session, job: Job, progress: jobs.Progress) -> None:
        for done in range(1, 6):
            time.sleep(0.4)
            progress(done, 5, f"{done} of 5 posts checked")

    monkeypatch.setitem(jobs.KINDS, "browser-check", check)
    return "browser-check"


def test_a_job_page_follows_the_job_to_the_end(
    page: Page, instructor: dict[str, Any], live_server: LiveServer, live_db: Session, slow_job_kind: str
) -> None:
    sign_in(page, instructor["email"], PASSWORD)
    job = jobs.submit(live_db, slow_job_kind, course_id=instructor["course_id"], user_id=instructor["user_id"])
    live_db.commit()
    page.goto(f"/jobs/{job.id}")
    with live_server.app.app_context():
        jobs.enqueue(job)
    text = page.locator(".job-progress-text")
    assert text.get_attribute("aria-live") == "polite"
    text.get_by_text("5 of 5 posts checked").wait_for(timeout=20_000)
    assert page.get_by_role("progressbar").evaluate("bar => bar.value") == 100
    assert page.get_by_role("alert").is_hidden()
