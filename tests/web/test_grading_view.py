"""The grading view: a student's posts with marked citations beside the class list and their rubric, next and
previous in the dashboard's order (its filters kept), overrides that come back to it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.models import GradeOverride

from .conftest import World
from .sample_course import Sample, import_sample

pytestmark = pytest.mark.local_crossref

Client = Callable[[str], FlaskClient]
# the sample's students by name: Danielle wrote the main post, the others replied
ORDER = ["Danielle Okafor", "Marcus Bennett", "Priya Raman", "Tyler Hughes"]


@pytest.fixture
def sample(app: Flask, session: Session, world: World, samples: Path) -> Sample:
    return import_sample(app, session, world, samples)


def words(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"\s*rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_first_student_opens_and_next_walks_the_class_in_order(client_as: Client, sample: Sample) -> None:
    client = client_as("instructor")
    page = client.get(f"/topics/{sample.topic}/grading").get_data(as_text=True)
    seen = []
    while True:
        seen.append(re.search(r"<h1>.*?</span>\s*(.*?)</h1>", page, re.S).group(1).strip())  # type: ignore[union-attr]
        following = link(page, "next")
        if following is None:
            break
        assert 'aria-keyshortcuts="j"' in page
        page = client.get(following).get_data(as_text=True)
    assert sorted(seen) == sorted(ORDER) and len(seen) == 4
    assert "Student 4 of 4" in words(page)
    back = link(page, "prev")
    assert back is not None and seen[-2] in words(client.get(back).get_data(as_text=True))


def test_the_view_shows_marked_citations_references_and_the_rubric(client_as: Client, sample: Sample) -> None:
    danielle = sample.people["Danielle Okafor"]
    page = client_as("instructor").get(f"/topics/{sample.topic}/grading/{danielle}").get_data(as_text=True)
    text = words(page)
    assert "Danielle Okafor's posts (1)" in text
    assert '<mark class="cited cited-citation verdict-broken-doi">' in page
    assert f'href="#post-{sample.posts["Danielle Okafor"]}-ref-1"' in page
    assert "DOI does not resolve" in text
    assert "Danielle Okafor's grade for this topic" in text
    assert 'name="back" value="/topics/' in page  # the override comes back here
    assert 'aria-current="page"' in page and "Students (4)" in text


def test_the_dashboard_order_and_filters_are_kept_from_student_to_student(client_as: Client, sample: Sample) -> None:
    client = client_as("ta")
    page = client.get(f"/topics/{sample.topic}/grading?sort=name&order=desc&only=flags").get_data(as_text=True)
    listed = page[page.index('<ol class="grader-list">') : page.index("</ol>")]
    names = re.findall(r'<span class="grader-name">(.*?)</span>', listed)
    assert names == sorted(ORDER, reverse=True)  # every sample student has a flag
    following = link(page, "next")
    assert following is not None and "order=desc" in following and "only=flags" in following
    assert "Override" not in words(page)  # a TA reads the grade; only graders override


def test_an_override_from_the_grading_view_returns_to_it(client_as: Client, sample: Sample, session: Session) -> None:
    client = client_as("instructor")
    danielle = sample.people["Danielle Okafor"]
    here = f"/topics/{sample.topic}/grading/{danielle}?sort=name&order=asc"
    response = client.post(
        f"/posts/{sample.posts['Danielle Okafor']}/override",
        data={"criterion": "main-posting", "points": "40", "reason": "Strong analysis", "back": here},
    )
    assert response.status_code == 302 and response.location == here
    session.rollback()
    assert session.scalars(select(GradeOverride)).one().points == 40
    elsewhere = client.post(
        f"/posts/{sample.posts['Danielle Okafor']}/override",
        data={"criterion": "main-posting", "points": "41", "reason": "x", "back": "https://example.org/"},
    )
    assert elsewhere.location.endswith(f"/posts/{sample.posts['Danielle Okafor']}#rubric")


def test_a_student_who_wrote_nothing_or_is_elsewhere_has_no_grading_page(
    client_as: Client, sample: Sample, world: World
) -> None:
    client = client_as("instructor")
    assert client.get(f"/topics/{world.topic_a}/grading/{world.person_a}").status_code == 200
    nothing = client.get(f"/topics/{sample.topic}/grading/{world.person_a}")  # Ada wrote nothing in the sample
    assert nothing.status_code == 404 and "Ada Lovelace wrote nothing in this topic" in words(
        nothing.get_data(as_text=True)
    )
    assert client.get(f"/topics/{sample.topic}/grading/999999").status_code == 404
