"""The self-check, page and API: the CLI's report, words for learners, nothing kept for anonymous users, limits."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.store.db import Base
from forumgrader.store.models import CrossrefAnswer, Draft
from forumgrader.store.selfcheck import finish_background_lookups

from .conftest import World
from .test_api import assert_error

pytestmark = pytest.mark.local_crossref

BLOG = "seeds/001_e57b5723c3460151.txt"
DISCUSSION = "seeds/000_d55d0333e560cda0.txt"  # a Canvas discussion copied with its "to an external site." residue
# words that must never reach a student about their references
ACCUSATIONS = re.compile(r"fabricat|fake|hallucinat|invented|made[- ]up|bogus|fraud", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _lookups_finish(app: Flask) -> Iterator[None]:
    """Wait for lookups that outlived their check before the app's database is closed under them."""
    yield
    assert finish_background_lookups(timeout=30)


def seed(samples: Path, name: str) -> str:
    return (samples / name).read_text(encoding="utf-8")


def word_file(text: str) -> bytes:
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_text(page: str) -> str:
    """The words of a page without its tags, spaces collapsed (entities left as they are)."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def cli_json(app: Flask, *args: str, stdin: str | None = None) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(cli, ["check", *args, "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_api_answers_the_same_report_as_the_cli(app: Flask, samples: Path) -> None:
    text = seed(samples, BLOG)
    answer = app.test_client().post("/api/v1/self-check", json={"text": text})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == cli_json(app, "-", stdin=text)
    verdicts = [reference["verdict"] for reference in answer.get_json()["references"]]
    assert verdicts == ["not_found", "verified", "verified", "mismatch", "verified"]


def test_an_uploaded_word_draft_answers_the_same_report_as_the_cli(app: Flask, samples: Path, tmp_path: Path) -> None:
    content = word_file(seed(samples, BLOG))
    (tmp_path / "draft.docx").write_bytes(content)
    upload = {"file": (io.BytesIO(content), "draft.docx")}
    answer = app.test_client().post("/api/v1/self-check", data=upload, content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == cli_json(app, str(tmp_path / "draft.docx"))
    assert len(answer.get_json()["references"]) == 5


def test_residue_pasted_from_canvas_is_reported_by_the_page_the_api_and_the_cli(app: Flask, samples: Path) -> None:
    text = seed(samples, DISCUSSION)
    api = app.test_client().post("/api/v1/self-check", json={"text": text}).get_json()
    artifacts = [f for f in api["findings"] if f["code"] == "lms_artifact"]
    assert len(artifacts) == 2 and all("external site" in f["text"] for f in artifacts)
    assert [f["code"] for f in cli_json(app, "-", stdin=text)["findings"]].count("lms_artifact") == 2
    shown = page_text(app.test_client().post("/check", data={"text": text}).get_data(as_text=True))
    assert "Remove &#34;to an external site.&#34; from Jokinen and Hartshorne (2022)" in shown


def test_the_page_speaks_to_a_learner(app: Flask, samples: Path) -> None:
    response = app.test_client().post("/check", data={"text": seed(samples, BLOG)})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = page_text(page)
    assert "We checked 5 references. 2 need a look." in shown
    assert "We could not find this article" in shown  # the not_found label for learners
    assert "We could not find this article in Crossref: check the authors, year and title" in shown
    assert "Found, but some details differ" in shown
    assert "Pages: you wrote “581”, the record says “581-624”" in shown
    # the APA reference rebuilt from the record, with a button that copies it (shown by the page's script)
    suggestion = re.search(r'<p class="suggestion-text" id="([\w-]+)">([^<]+)</p>', page)
    assert suggestion is not None and suggestion[2].startswith("Gatchel, R. J., Peng, Y. B.")
    assert f'data-copy="{suggestion[1]}"' in page
    # an in-text finding, with its message and the words it is about highlighted
    assert "write Cohen et al. from the first citation on" in shown
    assert "<mark>Cohen, Janicki-Deverts &amp; Miller, 2007</mark>" in page
    assert "Nothing you check here is kept" in shown


def test_no_student_is_ever_told_a_reference_was_invented(app: Flask, samples: Path) -> None:
    client = app.test_client()
    for name in (BLOG, DISCUSSION):
        text = seed(samples, name)
        page = client.post("/check", data={"text": text}).get_data(as_text=True)
        api = client.post("/api/v1/self-check", json={"text": text}).get_data(as_text=True)
        assert "not_found" in api  # the drafts do hold references Crossref does not know
        assert not ACCUSATIONS.search(page), ACCUSATIONS.search(page)
        assert not ACCUSATIONS.search(api), ACCUSATIONS.search(api)
    assert not ACCUSATIONS.search(client.get("/check").get_data(as_text=True))


def row_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.tables.values()
    }


def test_nothing_is_kept_for_an_anonymous_student(app: Flask, samples: Path, session: Session) -> None:
    before = row_counts(session)
    client = app.test_client()
    text = seed(samples, BLOG)
    assert client.post("/check", data={"text": text}).status_code == 200
    assert client.post("/api/v1/self-check", json={"text": text}).status_code == 200
    upload = {"file": (io.BytesIO(word_file(text)), "draft.docx")}
    assert client.post("/check", data=upload, content_type="multipart/form-data").status_code == 200
    after = row_counts(session)
    assert after.pop("crossref_answer") > before.pop("crossref_answer")  # Crossref's answers are cached...
    assert after == before  # ...and nothing else: no draft, no post, no person
    # the cache holds what was sent to Crossref and what it answered: never the draft's prose
    queries = " ".join(session.scalars(select(CrossrefAnswer.query)))
    assert "psychoneuroimmunology" in queries.lower() and "Therapeutically" not in queries


def test_a_signed_in_student_saves_a_draft_only_they_can_see(
    app: Flask, world: World, samples: Path, session: Session, client_as: Callable[[str], FlaskClient]
) -> None:
    student = client_as("student")
    checked = student.post("/check", data={"text": seed(samples, BLOG)}).get_data(as_text=True)
    assert "Save this draft" in checked
    assert session.scalar(select(func.count()).select_from(Draft)) == 1  # the world's own; a check keeps nothing
    text = re.search(r'<input type="hidden" name="text" value="([^"]*)">', checked)
    assert text is not None
    saved = student.post("/drafts", data={"text": html.unescape(text[1]), "title": "Week 2 draft"})
    assert saved.status_code == 302
    draft = session.scalars(select(Draft).where(Draft.title == "Week 2 draft")).one()
    assert [r["verdict"] for r in draft.report["references"]] == ["not_found", "verified", "verified", "mismatch",
                                                                  "verified"]  # fmt: skip
    assert draft.text.startswith("top of page")
    shown = page_text(student.get(saved.headers["Location"]).get_data(as_text=True))
    assert "Week 2 draft" in shown and "We checked 5 references." in shown
    assert "Week 2 draft" in page_text(student.get("/drafts").get_data(as_text=True))
    for someone in ("other_student", "instructor", "admin"):
        assert client_as(someone).get(f"/drafts/{draft.id}").status_code == 404
        assert "Week 2 draft" not in client_as(someone).get("/drafts").get_data(as_text=True)
    assert client_as("other_student").post(f"/drafts/{draft.id}/delete").status_code == 404
    draft_id = draft.id
    assert student.post(f"/drafts/{draft_id}/delete").status_code == 302
    session.expire_all()
    assert session.get(Draft, draft_id) is None


def test_anonymous_users_cannot_save(app: Flask, world: World) -> None:
    response = app.test_client().post("/drafts", data={"text": "Sleep helps memory."})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_page_and_the_api_share_one_rate_limit_and_say_when_to_try_again(app: Flask, samples: Path) -> None:
    app.config["SELF_CHECK_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    text = "Sleep helps memory (Walker, 2017).\n\nReferences\n\nWalker, M. (2017). Why we sleep. Scribner."
    assert client.post("/check", data={"text": text}).status_code == 200
    assert client.post("/api/v1/self-check", json={"text": text}).status_code == 200
    page = client.post("/check", data={"text": text})
    assert page.status_code == 429
    assert re.search(r"at most 2 per 1 minute\): try again in \d+ seconds", page.get_data(as_text=True))
    api = client.post("/api/v1/self-check", json={"text": text})
    body = assert_error(api, 429, "rate_limited")
    assert re.search(r"try again in \d+ seconds\.$", body["message"])
    assert 0 < int(api.headers["Retry-After"]) <= 60
    assert client.get("/check").status_code == 200  # reading the page costs nothing


def test_bytes_that_are_not_word_named_docx_are_refused(app: Flask) -> None:
    client = app.test_client()
    fake = {"file": (io.BytesIO(b"%PDF-1.7 not a word document"), "draft.docx")}
    page = client.post("/check", data=fake, content_type="multipart/form-data")
    assert page.status_code == 400
    assert "“draft.docx” cannot be used: this .docx is not a zip archive" in page.get_data(as_text=True)
    fake = {"file": (io.BytesIO(b"%PDF-1.7 not a word document"), "draft.docx")}
    body = assert_error(client.post("/api/v1/self-check", data=fake), 400, "invalid_upload")
    assert "save it from Word" in body["message"] or "zip archive" in body["message"]
    pdf = {"file": (io.BytesIO(b"%PDF-1.7"), "draft.pdf")}
    body = assert_error(client.post("/api/v1/self-check", data=pdf), 400, "invalid_upload")
    assert ".docx, .html, .md or .txt" in body["message"]


def test_an_uploaded_word_draft_is_checked_on_the_page(app: Flask, samples: Path) -> None:
    upload = {"file": (io.BytesIO(word_file(seed(samples, BLOG))), "week2.docx"), "text": ""}
    response = app.test_client().post("/check", data=upload, content_type="multipart/form-data")
    assert response.status_code == 200
    shown = page_text(response.get_data(as_text=True))
    assert "What we found in week2.docx" in shown and "We checked 5 references." in shown


@pytest.mark.parametrize(
    ("sent", "code", "says"),
    [
        ({}, "bad_request", 'Send the draft as JSON, {"text": "..."}'),
        ({"text": "   "}, "bad_request", 'Send the draft as JSON, {"text": "..."}'),
        ({"text": 42}, "invalid_parameter", '`text` must be text. Send the draft as JSON, {"text": "..."}'),
        ({"text": "x" * 101}, "bad_request", "we check up to 100 at once"),
    ],
)
def test_what_the_api_cannot_check_is_explained(app: Flask, sent: dict[str, Any], code: str, says: str) -> None:
    app.config["SELF_CHECK_MAX_CHARACTERS"] = 100
    body = assert_error(app.test_client().post("/api/v1/self-check", json=sent), 400, code)
    assert says in body["message"]


def test_an_empty_page_form_asks_for_a_draft(app: Flask) -> None:
    response = app.test_client().post("/check", data={"text": "  "})
    assert response.status_code == 400
    assert "Paste your draft into the box, or choose a file to upload." in response.get_data(as_text=True)


def test_a_token_is_optional_but_must_be_valid(
    app: Flask, world: World, token_for: Callable[[str], dict[str, str]]
) -> None:
    client = app.test_client()
    text = {"text": "Sleep helps memory (Walker, 2017).\n\nReferences\n\nWalker, M. (2017). Why we sleep. Scribner."}
    assert client.post("/api/v1/self-check", json=text, headers=token_for("student")).status_code == 200
    wrong = client.post("/api/v1/self-check", json=text, headers={"Authorization": "Bearer fg_nope"})
    assert_error(wrong, 401, "invalid_token")


def test_when_crossref_is_slow_the_page_answers_in_time_and_says_to_try_again(
    app: Flask, samples: Path, crossref: LocalCrossref
) -> None:
    crossref.configure(latency=1.0)
    app.config["SELF_CHECK_SECONDS"] = 0.3
    response = app.test_client().post("/check", data={"text": seed(samples, BLOG)})
    assert response.status_code == 200
    shown = page_text(response.get_data(as_text=True))
    assert "5 could not be checked this time." in shown
    assert (
        shown.count("We could not check this one right now: Crossref is answering slowly. Try again in a minute.") == 5
    )
    assert "We could not find this article" not in shown  # not checked is never "not found"
