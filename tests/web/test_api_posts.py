"""API: a topic's posts, one post, its citation report (the shape of `check --json`), and a topic's findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.store.models import Post, PostAnalysis

from .checked import BLOG_VERDICTS, check_topic_a
from .conftest import World
from .test_api import assert_error
from .test_openapi import fits

pytestmark = pytest.mark.local_crossref

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def checked(app: Flask, session: Session, world: World, samples: Path) -> World:
    check_topic_a(app, session, world, samples)
    return world


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def get(app: Flask, url: str, headers: dict[str, str]) -> Any:
    return app.test_client().get(f"/api/v1{url}", headers=headers)


def test_staff_list_every_post_of_a_topic_and_a_student_only_their_own(
    app: Flask, checked: World, token_for: Headers, document: dict[str, Any]
) -> None:
    url = f"/topics/{checked.topic_a}/posts"
    staff = get(app, url, token_for("ta")).get_json()
    assert [(p["id"], p["author"]["name"], p["parent_id"]) for p in staff["items"]] == [
        (checked.post_a, "Ada Lovelace", None),
        (checked.other_post_a, "Ben Okafor", checked.post_a),
    ]
    schema = document["paths"]["/topics/{topic_id}/posts"]["get"]["responses"]["200"]["content"]["application/json"]
    assert fits(staff, schema["schema"], document) == []
    own = get(app, url, token_for("student")).get_json()
    assert [p["id"] for p in own["items"]] == [checked.post_a] and own["total"] == 1
    page = get(app, f"{url}?per_page=1&page=2", token_for("instructor")).get_json()
    assert (page["total"], page["pages"], [p["id"] for p in page["items"]]) == (2, 2, [checked.other_post_a])


def test_a_post_with_its_clean_text_author_parent_and_times(app: Flask, checked: World, token_for: Headers) -> None:
    post = get(app, f"/posts/{checked.other_post_a}", token_for("other_student")).get_json()
    assert post["author"] == {"person_id": post["author"]["person_id"], "name": "Ben Okafor"}
    assert post["parent_id"] == checked.post_a
    assert post["text"].startswith("Ada, the biopsychosocial model goes back to Engel (1977)")
    assert post["created_at"] == "2025-02-03T15:00:00+00:00" and post["deleted"] is False
    assert_error(get(app, f"/posts/{checked.other_post_a}", token_for("student")), 404, "not_found")


def test_a_post_report_is_the_cli_report_with_the_stored_verdicts(
    app: Flask, checked: World, token_for: Headers, document: dict[str, Any]
) -> None:
    report = get(app, f"/posts/{checked.post_a}/report", token_for("student")).get_json()
    assert [reference["verdict"] for reference in report["references"]] == BLOG_VERDICTS
    assert fits(report, {"$ref": "#/components/schemas/CitationReport"}, document) == []
    result = app.test_cli_runner().invoke(cli, ["check", f"post:{checked.post_a}", "--json"])
    assert result.exit_code == 0, result.output
    live = json.loads(result.stdout)
    assert report == live  # every key, the retraction notices and the match's confidence included


def test_an_unchecked_or_edited_post_answers_unchecked_verdicts_never_stale_ones(
    app: Flask, checked: World, token_for: Headers, session: Session
) -> None:
    post = session.get_one(Post, checked.post_a)
    added = "Kiecolt-Glaser, J. K. (2020). A paper nobody has checked yet. Health Psychology, 39(1), 1-5."
    post.body_text = post.body_text.replace("70(3), 537-547.", f"70(3), 537-547.\n\n{added}")
    session.commit()
    report = get(app, f"/posts/{checked.post_a}/report", token_for("instructor")).get_json()
    assert [reference["verdict"] for reference in report["references"]] == [*BLOG_VERDICTS, "unchecked"]
    assert report["references"][-1]["text"] == added
    assert report["references"][-1]["message"] == "This reference has not been checked against Crossref yet."
    # the edited text was analysed in memory: the stored analysis is the check's own until the next check
    session.expire_all()
    assert len(session.get_one(PostAnalysis, checked.post_a).report["references"]) == 5


def test_a_topics_findings_filtered_by_code_and_severity(app: Flask, checked: World, token_for: Headers) -> None:
    url = f"/topics/{checked.topic_a}/findings"
    every = get(app, url, token_for("ta")).get_json()
    codes = {(f["post_id"], f["code"]) for f in every["items"]}
    assert (checked.post_a, "missing_doi") in codes and (checked.post_a, "page_prefix") in codes
    assert every["total"] == len(every["items"])
    dois = get(app, f"{url}?code=missing_doi", token_for("ta")).get_json()["items"]
    assert len(dois) == 4 and {f["code"] for f in dois} == {"missing_doi"}
    both = get(app, f"{url}?code=missing_doi,page_prefix&severity=info", token_for("ta")).get_json()["items"]
    assert {f["code"] for f in both} == {"missing_doi", "page_prefix"}
    assert get(app, f"{url}?severity=error", token_for("ta")).get_json()["items"] == []
    assert get(app, url, token_for("other_student")).get_json()["items"] == []  # Ben's reply has none; Ada's are hers
    own = get(app, url, token_for("student")).get_json()["items"]
    assert {f["post_id"] for f in own} == {checked.post_a}  # a student sees the findings of their own posts only
    body = assert_error(get(app, f"{url}?severity=fatal", token_for("ta")), 400, "invalid_parameter")
    assert "fatal" in body["message"] and "warning" in body["message"]
    assert_error(get(app, f"{url}?code=fabricated", token_for("ta")), 400, "invalid_parameter")


def test_posts_need_a_token_and_hide_other_courses(app: Flask, checked: World, token_for: Headers) -> None:
    assert_error(get(app, f"/posts/{checked.post_a}/report", {}), 401, "unauthorized")
    hidden = get(app, f"/topics/{checked.topic_a}/posts", token_for("other_instructor"))
    assert_error(hidden, 404, "not_found")
    assert hidden.get_json() == get(app, "/topics/999/posts", token_for("other_instructor")).get_json()
