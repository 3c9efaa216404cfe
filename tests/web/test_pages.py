"""The pages: home by role, a course's topics, a job's progress, error pages, security headers, markup CSP allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from forumgrader.store.models import Job

from .conftest import ACTORS, World

Client = Callable[[str], FlaskClient]


def text_of(response: object) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))  # type: ignore[attr-defined]


def test_anonymous_visitors_are_invited_to_check_a_draft_or_sign_in(client_as: Client) -> None:
    page = client_as("anonymous").get("/").get_data(as_text=True)
    assert "Check your references before you post" in page
    assert 'href="/login"' in page
    assert "My courses" not in page


def test_home_lists_each_users_courses_under_their_role(client_as: Client) -> None:
    teacher = text_of(client_as("instructor").get("/"))
    assert "Courses you teach PSY 101 Introduction to Psychology" in teacher
    assert "HIS 200" not in teacher
    assert "Courses you assist PSY 101" in text_of(client_as("ta").get("/"))
    assert "Courses you take PSY 101" in text_of(client_as("student").get("/"))
    admin = text_of(client_as("admin").get("/"))
    assert "Other courses (you see them as an administrator) HIS 200 Modern History PSY 101" in admin


def test_the_nav_names_who_is_signed_in_and_offers_sign_out(client_as: Client) -> None:
    page = text_of(client_as("ta").get("/"))
    assert "Ta (Teaching assistant)" in page
    assert "Sign out" in page


def test_a_course_page_lists_topics_with_due_dates_and_posts(client_as: Client, world: World) -> None:
    staff = text_of(client_as("ta").get(f"/courses/{world.course_a}"))
    assert "Week 1: Memory and sleep Wed 05 Feb 2025, 23:59 UTC Sat 08 Feb 2025, 23:59 UTC 2" in staff
    student = text_of(client_as("student").get(f"/courses/{world.course_a}"))
    assert "Your posts" in student
    assert "Week 1: Memory and sleep Wed 05 Feb 2025, 23:59 UTC Sat 08 Feb 2025, 23:59 UTC 1" in student


def test_a_job_page_shows_a_progress_bar_that_screen_readers_hear(
    client_as: Client, world: World, session: Session
) -> None:
    job = session.get(Job, world.job_a)
    assert job is not None
    job.status, job.done, job.total, job.message = "running", 12, 40, "12 of 40 posts checked"
    session.commit()
    page = client_as("instructor").get(f"/jobs/{world.job_a}").get_data(as_text=True)
    assert re.search(r'<progress id="job-\d+-bar" max="100" value="30">30%</progress>', page)
    assert '<p class="job-progress-text" aria-live="polite">12 of 40 posts checked</p>' in page
    assert f'data-job-status-url="/jobs/{world.job_a}/status"' in page
    status = client_as("ta").get(f"/jobs/{world.job_a}/status").get_json()
    assert (status["done"], status["total"], status["percent"]) == (12, 40, 30)


def test_a_failed_job_says_why(client_as: Client, world: World, session: Session) -> None:
    job = session.get(Job, world.job_a)
    assert job is not None
    job.status, job.error = "failed", "The export has no posts: export the discussion again with replies."
    session.commit()
    page = client_as("instructor").get(f"/jobs/{world.job_a}").get_data(as_text=True)
    assert '<p class="job-progress-error" role="alert">The export has no posts' in page


def test_error_pages_are_pages(client_as: Client) -> None:
    response = client_as("student").get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is nothing here" in response.get_data(as_text=True)


class Markup(HTMLParser):
    """Collects what a strict Content-Security-Policy would block, and what accessibility needs."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.landmarks: set[str] = set()
        self.first_link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.blocked.append("inline <script>")
        if tag == "link" and names.get("rel") == "stylesheet" and not (names.get("href") or "").startswith("/static/"):
            self.blocked.append(f"stylesheet from {names.get('href')}")
        if tag == "script" and not (names.get("src") or "").startswith("/static/"):
            self.blocked.append(f"script from {names.get('src')}")
        self.blocked += [f"{tag} {name}=" for name in names if name.startswith("on") or name == "style"]
        if tag == "style":
            self.blocked.append("<style>")
        self.landmarks.update({tag} & {"header", "nav", "main", "footer"})
        if tag == "a" and self.first_link is None:
            self.first_link = names.get("href")


@pytest.mark.parametrize("actor", ACTORS)
def test_pages_need_no_inline_script_or_style_and_have_landmarks(
    app: Flask, client_as: Client, world: World, actor: str, session: Session
) -> None:
    client = client_as(actor)
    pages = ["/", "/login", f"/courses/{world.course_a}", f"/jobs/{world.job_a}", "/no-such-page"]
    for url in pages:
        response = client.get(url)
        if response.status_code == 302:
            continue  # the sign-in redirect: checked as /login
        markup = Markup()
        markup.feed(response.get_data(as_text=True))
        assert markup.blocked == [], url
        assert markup.landmarks == {"header", "nav", "main", "footer"}, url
        assert markup.first_link == "#main", f"{url}: the skip link comes first"


def test_every_response_carries_the_security_headers(client_as: Client, world: World) -> None:
    client = client_as("instructor")
    for url in (
        "/",
        f"/courses/{world.course_a}",
        "/api/v1/openapi.json",
        "/no-such-page",
        "/static/css/forumgrader.css",
    ):
        with client.get(url) as response:
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy
            assert "frame-ancestors 'none'" in policy
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"
            assert response.headers["X-Frame-Options"] == "DENY"
    assert client.get(f"/courses/{world.course_a}").headers["Cache-Control"] == "no-store"


def test_verdict_badges_carry_an_icon_and_words_not_only_colour(app: Flask) -> None:
    with app.test_request_context():
        staff = render_template_string('{% from "_macros.html" import verdict_badge %}{{ verdict_badge("not_found") }}')
        learner = render_template_string(
            '{% from "_macros.html" import verdict_badge %}{{ verdict_badge("not_found", learner=true) }}'
        )
    assert 'class="verdict verdict-not-found"' in staff
    assert '<span class="verdict-icon" aria-hidden="true">?</span>' in staff
    assert "Not found in Crossref" in staff
    assert "We could not find this article" in learner
    assert "fabricat" not in (staff + learner).lower()


def test_every_verdict_has_a_badge_style() -> None:
    from forumgrader.crossref.model import Verdict
    from forumgrader.web.verdicts import VERDICTS

    stylesheet = (Path(__file__).parents[2] / "forumgrader/web/static/css/forumgrader.css").read_text()
    for verdict in Verdict:
        look = VERDICTS[verdict]
        assert look.label and look.learner_label and look.icon
        assert f".verdict-{verdict.value.replace('_', '-')}" in stylesheet


def test_static_files_are_kept_by_browsers_until_they_change(client_as: Client, app: Flask) -> None:
    page = client_as("anonymous").get("/check").get_data(as_text=True)
    script = re.search(r'<script type="module" src="(/static/([0-9a-f]{12})/js/main\.js)"', page)
    assert script is not None, "pages name the version of their static files"
    address, version = script.groups()
    client = app.test_client()
    with client.get(address) as cached:
        assert cached.status_code == 200
        assert "max-age=31536000" in cached.headers["Cache-Control"]
        assert "immutable" in cached.headers["Cache-Control"]
    # main.js imports its modules by relative address: they are fetched under the same version
    with client.get(address.replace("main.js", "progress.js")) as imported:
        assert "max-age=31536000" in imported.headers["Cache-Control"]
    # an address without the version (or with another one, from a page cached before an upgrade) is checked each time
    for plain in ("/static/js/main.js", "/static/000000000000/js/main.js"):
        with client.get(plain) as response:
            assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache", plain
    assert f'href="/static/{version}/css/forumgrader.css"' in page
