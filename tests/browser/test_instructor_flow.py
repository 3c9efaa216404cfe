"""In a real browser: an instructor uploads the Canvas sample with the file picker, watches the progress bar move,
lands on the dashboard (students, plots), sorts and filters it, opens a post with its marked citations, and
overrides a criterion."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.store import accounts, student_rows
from forumgrader.store.models import Course, Person, Post, Thread, Topic

from .conftest import LiveServer
from .test_sign_in import PASSWORD, sign_in

Page = Any
SAMPLES = Path(__file__).resolve().parents[2] / "forumgrader" / "samples"
VIEW = SAMPLES / "canvas" / "psychotherapy-biological-basis.view.json"
TOPIC_JSON = SAMPLES / "canvas" / "psychotherapy-biological-basis.topic.json"


@pytest.fixture
def checking(
    live_server: LiveServer,
    crossref: LocalCrossref,
    crossref_settings: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> LocalCrossref:
    """Point the live app at the local Crossref, answering slowly enough for the progress bar to be seen moving."""
    for key, value in crossref_settings(crossref_concurrency=1).items():
        monkeypatch.setitem(live_server.app.config, key, value)
    crossref.configure(latency=0.25)
    return crossref


@pytest.fixture
def teacher(live_db: Session) -> dict[str, Any]:
    course = Course(name="PSY 5120 Biological Bases of Psychotherapy")
    live_db.add(course)
    live_db.flush()
    user = accounts.create_user(live_db, "linda@example.edu", PASSWORD, role="instructor", name="Linda Carver")
    accounts.enrol(live_db, user, course, "instructor")
    live_db.commit()
    return {"email": user.email, "course_id": course.id}


def student_names(page: Page) -> list[str]:
    return page.locator("table.students tbody tr:not([hidden]) th").all_inner_texts()


def test_upload_progress_dashboard_post_and_override(
    page: Page, teacher: dict[str, Any], checking: LocalCrossref
) -> None:
    sign_in(page, teacher["email"], PASSWORD)
    page.goto(f"/courses/{teacher['course_id']}/import")
    page.get_by_label("Discussion export").set_input_files(str(VIEW))
    assert (
        page.locator(".drop-zone-file").inner_text() == f"Chosen: {VIEW.name} ({round(VIEW.stat().st_size / 1024)} KB)"
    )
    page.get_by_label("Topic JSON (optional)").set_input_files(str(TOPIC_JSON))
    page.get_by_role("button", name="Import and check").click()

    # the checking page: a progress bar that moves, then the dashboard opens by itself
    page.wait_for_url(re.compile(r"/courses/\d+/progress\?job=\d+"))
    assert "Imported 5 posts (4 replies) by 4 people" in page.get_by_role("status").inner_text()
    bar = page.get_by_role("progressbar")
    bar.wait_for()
    page.wait_for_function(
        "() => { const bar = document.querySelector('progress'); "
        "return bar.hasAttribute('value') && bar.value > 0 && bar.value < 100; }",
        timeout=20_000,
    )
    assert re.fullmatch(
        r"Checked \d+ of \d+ references against Crossref", page.locator(".job-progress-text").inner_text()
    )
    page.wait_for_url(re.compile(r"/topics/\d+$"), timeout=30_000)

    # the dashboard: one row per student, three plots with words beside them
    assert page.get_by_role("heading", level=1).inner_text() == "Psychotherapy Biological Basis"
    assert student_names(page) == ["Danielle Okafor", "Marcus Bennett", "Priya Raman", "Tyler Hughes"]
    assert page.get_by_role("img", name=re.compile("^Score distribution")).count() == 1
    assert page.get_by_role("img", name=re.compile("^Verdicts per topic")).count() == 1
    assert page.get_by_role("img", name=re.compile("^Sources per post")).count() == 1
    assert "This topic: 10 references" in page.locator("#plot-verdicts figcaption").inner_text()

    # sorting by score, highest first, then lowest first; the heading says how it is sorted
    score = page.locator('th[data-sort-key="score"]')
    score.get_by_role("link").click()
    assert score.get_attribute("aria-sort") == "descending"
    values = [
        float(text.split("/")[0]) for text in page.locator("table.students tbody tr td:nth-child(2)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True)
    score.get_by_role("link").click()
    assert score.get_attribute("aria-sort") == "ascending"
    assert "sort=score&order=asc" in page.url  # the address keeps the table's state

    # filtering as one types, and the "only" boxes
    page.get_by_label("Find a student").fill("ty")
    assert student_names(page) == ["Tyler Hughes"]
    assert page.locator("[data-table-count]").inner_text() == "Showing 1 of 4 students."
    page.get_by_label("Find a student").fill("")
    page.get_by_label("provisional grades").check()
    provisional = student_names(page)
    assert 0 < len(provisional) < 4
    page.get_by_label("provisional grades").uncheck()

    # a post: citations marked by verdict with a sign and words, each reference beside its record
    page.get_by_role("link", name="Danielle Okafor").click()
    page.wait_for_url(re.compile(r"/posts/\d+$"))
    jokinen = page.locator("mark.cited", has_text="Jokinen & Hartshorne (2022)")
    assert "verdict-not-found" in (jokinen.get_attribute("class") or "")
    assert jokinen.get_by_role("link").inner_text().strip().startswith("?2")
    assert jokinen.get_by_role("link").get_attribute("href") == "#ref-2"
    legend = page.get_by_role("list", name="What the signs mean")
    assert legend.get_by_text("Not found in Crossref").is_visible()
    jokinen.get_by_role("link").click()
    card = page.locator("#ref-2")
    assert card.get_by_text("Not found in Crossref").first.is_visible()
    assert card.get_by_role("link", name=re.compile("Search Crossref for this reference")).is_visible()

    # overriding a criterion, with the reason
    row = page.locator("#criterion-main-posting")
    row.get_by_text("Override").first.click()
    row.get_by_label("Points for Main posting").fill("30")
    row.get_by_label("Reason for Main posting").fill("Two of the sources are not peer-reviewed")
    row.get_by_role("button", name="Override").click()
    assert "Set 30 points with your reason; the grade is updated." in page.get_by_role("status").inner_text()
    row = page.locator("#criterion-main-posting")
    assert "30/45" in row.inner_text() and "overridden" in row.inner_text()
    assert "Two of the sources are not peer-reviewed" in row.inner_text()


def test_a_file_dropped_on_the_zone_is_chosen(page: Page, teacher: dict[str, Any]) -> None:
    sign_in(page, teacher["email"], PASSWORD)
    page.goto(f"/courses/{teacher['course_id']}/import")
    page.evaluate(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "week1.view.json", { type: "application/json" }));
            document.querySelector("[data-drop-zone]").dispatchEvent(
                new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        VIEW.read_text(encoding="utf-8"),
    )
    assert (
        page.locator(".drop-zone-file").inner_text()
        == f"Chosen: week1.view.json ({round(VIEW.stat().st_size / 1024)} KB)"
    )
    assert page.evaluate("document.getElementById('export').files[0].name") == "week1.view.json"


def test_a_table_of_several_pages_filters_as_one_types_by_asking_the_server(
    page: Page, teacher: dict[str, Any], live_db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(student_rows, "PER_PAGE", 2)
    topic = Topic(course_id=teacher["course_id"], title="Week 2")
    live_db.add(topic)
    live_db.flush()
    for number, name in enumerate(["Carla Diaz", "Ben Ode", "Camila Ruiz", "Dana Lee", "Eli Cohen"]):
        person = Person(course_id=teacher["course_id"], key=str(number), display_name=name)
        thread = Thread(topic_id=topic.id, lms_thread_id=str(number))
        live_db.add_all([person, thread])
        live_db.flush()
        live_db.add(Post(topic_id=topic.id, thread_id=thread.id, lms_post_id=str(number), author_id=person.id,
                         body_text=f"{name} writes about sleep."))  # fmt: skip
    live_db.commit()
    sign_in(page, teacher["email"], PASSWORD)
    page.goto(f"/topics/{topic.id}")
    assert student_names(page) == ["Ben Ode", "Camila Ruiz"]
    assert page.locator("[data-table-count]").inner_text() == "Showing 1–2 of 5 students."
    page.get_by_label("Find a student").fill("ca")  # on other pages too: the server answers
    page.wait_for_function(
        "() => document.querySelector('[data-table-count]').innerText === 'Showing 2 of 5 students.'"
    )
    assert student_names(page) == ["Camila Ruiz", "Carla Diaz"]
    assert "q=ca" in page.url
    page.get_by_role("link", name="Student", exact=True).click()  # a heading is a link to the server's order
    page.wait_for_url(re.compile(r"sort=name&order=desc"))
    assert student_names(page) == ["Carla Diaz", "Camila Ruiz"]
