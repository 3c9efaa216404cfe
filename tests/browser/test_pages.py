"""Every page, as each role sees it, at a laptop's width (1280 px) and a phone's (390 px, and 360 px): nothing scrolls
sideways, and axe-core (pinned through axe-playwright-python) finds no accessibility violation. A page added to the app
fails test_every_page_is_visited until it has a visit here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from classroom import PASSWORD, build_class
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions
from forumgrader.store import accounts
from forumgrader.store.checks import analyse_topic
from forumgrader.store.db import utcnow
from forumgrader.store.drafts import save_draft
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Job, Person, Post, Topic

from .conftest import LiveServer
from .screens import LAPTOP, PHONE, SMALL_PHONE, problems_at
from .test_sign_in import sign_in

Page = Any
SAMPLES = Path(__file__).resolve().parents[2] / "forumgrader" / "samples"
STUDENT = "amara@example.edu"
ADMIN = "root@example.edu"
DRAFT = (
    "Sleep loss harms memory (Walker, 2017), though the effect varies (Smith & Jones, 2019).\n\nReferences\n\n"
    "Walker, M. (2017). Why we sleep. Scribner.\n"
)
# GET routes that answer JSON or files, not pages
# GET routes that answer JSON, files or redirects, not pages; the deep-linking page opens only from an LMS launch
# (tests/browser/test_lti_launch.py looks at it)
NOT_PAGES = {"static", "jobs.status", "lti.login", "lti.jwks", "lti.deep_link"}


@dataclass(frozen=True)
class Visit:
    """A page to look at: who opens it, where, and what they do there first (open a row, send a form)."""

    endpoint: str
    path: str  # with {course}, {topic}, {post}, {person}, {draft}, {job}, {own_post}
    then: Callable[[Page], None] = field(default=lambda page: None)


def fail_sign_in(page: Page) -> None:
    page.get_by_label("Email").fill("nobody@example.edu")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()


def check_a_draft(page: Page) -> None:
    page.get_by_label("Your draft").fill(DRAFT)
    page.get_by_role("button", name="Check my references").click()
    page.locator("#results-heading").wait_for()


def open_first_flag(page: Page) -> None:
    page.locator("[data-flag-details] > summary").first.click()


def refuse_a_roster(page: Page) -> None:
    page.get_by_role("button", name="Upload the roster").click()
    page.locator(".field-error, .alert-error").first.wait_for()


def refuse_settings(page: Page) -> None:
    page.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save and grade again").click()
    page.locator(".field-error, .alert-error").first.wait_for()


def refuse_an_import(page: Page) -> None:
    page.get_by_role("button", name="Import and check").click()
    page.locator(".field-error, .alert-error").first.wait_for()


VISITS: dict[str, list[Visit]] = {
    "anonymous": [
        Visit("courses.home", "/"),
        Visit("auth.login", "/login", fail_sign_in),
        Visit("selfcheck.page", "/check"),
        Visit("selfcheck.page", "/check", check_a_draft),
        Visit("api.docs", "/api/v1/", lambda page: page.locator(".opblock").first.wait_for()),
    ],
    "student": [
        Visit("courses.home", "/"),
        Visit("courses.course", "/courses/{course}"),
        Visit("topics.topic", "/topics/{topic}"),
        Visit("posts.post", "/posts/{own_post}"),
        Visit("student.posts", "/me/posts"),
        Visit("drafts.drafts", "/drafts"),
        Visit("drafts.draft", "/drafts/{draft}"),
    ],
    "instructor": [
        Visit("courses.home", "/"),
        Visit("instructor.new_course", "/courses/new"),
        Visit("courses.course", "/courses/{course}"),
        Visit("instructor.import_export", "/courses/{course}/import", refuse_an_import),
        Visit("instructor.progress", "/courses/{course}/progress?job={job}"),
        Visit("jobs.job", "/jobs/{job}"),
        Visit("topics.topic", "/topics/{topic}"),
        Visit("topics.export", "/topics/{topic}/export"),
        Visit("posts.post", "/posts/{post}"),
        Visit("posts.post", "/posts/{sample_post}"),
        Visit("topics.topic", "/topics/{sample}"),
        Visit("grading.first", "/topics/{topic}/grading"),
        Visit("grading.student", "/topics/{topic}/grading/{person}"),
        Visit("review.queue", "/review"),
        Visit("review.course", "/courses/{course}/review", open_first_flag),
        Visit("rosters.roster", "/courses/{course}/roster"),
        Visit("rosters.roster", "/courses/{course}/roster", refuse_a_roster),
        Visit("settings.topic_settings", "/topics/{topic}/settings"),
        Visit("settings.topic_settings", "/topics/{topic}/settings", refuse_settings),
        Visit("settings.rubric", "/topics/{topic}/rubric"),
        Visit("lms.course", "/courses/{course}/lms"),
        Visit("lms.topic", "/topics/{topic}/passback"),
    ],
    "admin": [
        Visit("courses.home", "/"),
        Visit("lti_admin.page", "/admin/lti"),
    ],
    "ta": [
        Visit("review.course", "/courses/{course}/review?status=all&verdict=mismatch"),
        Visit("grading.student", "/topics/{topic}/grading/{person}"),
    ],
}


@pytest.fixture
def site(live_db: Session) -> dict[str, Any]:
    """A class of 12 with 20 flags, and the Canvas sample as its second topic (real posts, as exported); a student
    of the class with a saved draft; a check under way."""
    room = build_class(live_db, students=12, flags=20)
    course = live_db.get_one(Course, room.course_id)
    data = (SAMPLES / "canvas/psychotherapy-biological-basis.view.json").read_bytes()
    topic_json = (SAMPLES / "canvas/psychotherapy-biological-basis.topic.json").read_bytes()
    export = read_export(data, filename="sample.view.json", options=ImportOptions(topic_json=topic_json))
    sample = import_export(live_db, export, file_name="sample.view.json", sha256=hashlib.sha256(data).hexdigest(),
                           course_name=course.name).topics[0][0]  # fmt: skip
    analyse_topic(live_db, sample)
    person = live_db.scalars(select(Person).where(Person.course_id == course.id).order_by(Person.id)).first()
    assert person is not None
    student = accounts.create_user(live_db, STUDENT, PASSWORD, role="student", name=person.display_name)
    accounts.link_person(live_db, accounts.enrol(live_db, student, course, "student"), person)
    draft = save_draft(live_db, student, DRAFT, report_to_json(analyse(DRAFT)))
    accounts.create_user(live_db, ADMIN, PASSWORD, role="admin", name="Site Admin")
    topic = live_db.get_one(Topic, room.topic_ids[0])
    job = Job(kind="check_topic", status="running", course_id=course.id, topic_id=topic.id, done=3, total=10,
              message="Checked 3 of 10 references", started_at=utcnow() - timedelta(seconds=5))  # fmt: skip
    live_db.add(job)
    live_db.commit()
    posts = live_db.scalars(select(Post.id).where(Post.topic_id == topic.id).order_by(Post.id)).all()
    own = live_db.scalar(select(Post.id).where(Post.author_id == person.id).order_by(Post.id))
    sample_post = live_db.scalar(select(Post.id).where(Post.topic_id == sample).order_by(Post.id))
    values = {"course": course.id, "topic": topic.id, "post": posts[1], "person": person.id, "draft": draft.id,
              "job": job.id, "own_post": own, "sample": sample, "sample_post": sample_post}  # fmt: skip
    return {
        "values": values,
        "emails": {"student": STUDENT, "instructor": room.instructor, "ta": room.ta, "admin": ADMIN},
    }


@pytest.mark.parametrize("actor", VISITS)
def test_every_page_fits_a_phone_and_passes_axe(page: Page, site: dict[str, Any], actor: str) -> None:
    if actor != "anonymous":
        sign_in(page, site["emails"][actor], PASSWORD)
    wrong = []
    for visit in VISITS[actor]:
        page.set_viewport_size({"width": LAPTOP, "height": 800})
        response = page.goto(visit.path.format(**site["values"]))
        assert response is not None and response.status == 200, f"{visit.path}: {response and response.status}"
        visit.then(page)
        for width in (LAPTOP, PHONE, SMALL_PHONE):
            wrong.extend(f"{visit.path} at {width} px: {problem}" for problem in problems_at(page, width))
    assert not wrong, f"as {actor}:\n" + "\n".join(wrong)


def test_the_error_page_fits_a_phone_and_passes_axe(page: Page) -> None:
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    for width in (LAPTOP, PHONE, SMALL_PHONE):
        assert problems_at(page, width) == []


def test_every_page_is_visited(live_server: LiveServer) -> None:
    pages = {
        rule.endpoint
        for rule in live_server.app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and rule.endpoint not in NOT_PAGES
        and (not rule.endpoint.startswith("api.") or rule.endpoint == "api.docs")
    }
    visited = {visit.endpoint for visits in VISITS.values() for visit in visits}
    assert pages - visited == set(), "add a Visit for these pages to VISITS in tests/browser/test_pages.py"


def test_a_phone_reads_the_verdicts_as_counts_not_as_a_shrunken_plot(page: Page, site: dict[str, Any]) -> None:
    sign_in(page, site["emails"]["instructor"], PASSWORD)
    page.goto(f"/topics/{site['values']['topic']}")
    summary = page.get_by_role("list", name="This topic's references by verdict")
    plot = page.locator("#plot-verdicts svg")
    assert plot.is_visible() and summary.is_visible()  # the plot with its counts beside it
    page.set_viewport_size({"width": PHONE, "height": 844})
    assert plot.is_hidden()
    items = summary.get_by_role("listitem")
    assert items.count() == 8  # seven verdicts, and retracted records
    first = items.first
    assert first.inner_text().split() == ["✓", "Verified", str(first.locator(".verdict-count").inner_text())]
    assert int(first.locator(".verdict-count").inner_text()) > 0
    size = first.locator(".verdict-label").evaluate("label => parseFloat(getComputedStyle(label).fontSize)")
    assert size >= 14  # readable, where the plot's words were a few pixels high
