"""Plain words wherever a person reads: the demo's pages for every role, the flash messages of its forms, every
student's feedback and reasons, the self-check when Crossref cannot be reached, and the CLI's output for people.

No snake_case codes, no rubric syntax, no arrows, no exception class names; the JSON API keeps its codes, and
`--json`/`--csv` output is for machines. Text people typed themselves (posts, titles) is the demo's own, so it is
scanned too; only `<code>` holds syntax a user types (the CSV column mapping), and is left out.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.cli.demo import Login, prepare
from forumgrader.cli.demo_courses import demo_courses
from forumgrader.store.models import Course, Grade, Person, Post, Topic

from .conftest import sign_in

# What a person should never read
CODES = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # snake_case: main_post, malformed_doi
SYNTAX = re.compile(r"\[\[|\]\]|->|\bwhen = |\{ *[a-z_]+ = ")  # [[prompt]], an arrow, TOML tables
EXCEPTIONS = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\b[A-Z][a-z]+_[a-z]+\b|\bNone\b|Traceback")
PROMISE = re.compile(r"checked again later", re.IGNORECASE)
RULES = {"code": CODES, "syntax": SYNTAX, "exception": EXCEPTIONS, "promise": PROMISE}
PER_PATTERN = 3  # pages visited per kind of address and role: every kind of page, not every post


class _Text(HTMLParser):
    """The words of a page a person sees or hears: text, titles, labels, alternatives, but not `<code>`."""

    SKIPPED = frozenset({"script", "style", "code"})

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in self.SKIPPED:
            self._skipping += 1
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        self.words += [found[name] or "" for name in ("title", "aria-label", "alt", "placeholder") if found.get(name)]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.words.append(data)


def problems(where: str, text: str) -> list[str]:
    """Each forbidden pattern found in a text, with a little of what surrounds it."""
    found = []
    for name, rule in RULES.items():
        for match in rule.finditer(text):
            found.append(f"{where}: {name} {text[max(0, match.start() - 50) : match.end() + 30]!r}")
    return found


def _pattern(address: str) -> str:
    path, _, query = address.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def crawl(client: FlaskClient, who: str) -> Iterator[tuple[str, str]]:
    """Visit every kind of page a user can reach by following links; yield (address, its words)."""
    todo, seen, kinds = ["/", "/check", "/review", "/drafts", "/me/posts"], set(), Counter[str]()
    while todo:
        address = todo.pop(0).split("#")[0]
        if address in seen or kinds[_pattern(address)] >= PER_PATTERN:
            continue
        seen.add(address)
        kinds[_pattern(address)] += 1
        response = client.get(address)
        if response.status_code in (301, 302, 303):
            todo.append(response.headers["Location"])
            continue
        assert response.status_code in (200, 401), f"{who} {address}: {response.status_code}"
        if not response.mimetype.startswith("text/html"):
            continue
        parsed = _Text()
        parsed.feed(response.get_data(as_text=True))
        yield address, " ".join(" ".join(parsed.words).split())
        todo += [link for link in parsed.links if link.startswith("/") and not link.startswith(("/static", "/api"))]


@pytest.fixture
def demo(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[Login]:
    """The demo's three courses, rosters, checks and grades, on the test database, against the bundled snapshot."""
    monkeypatch.setitem(app.config, "METADATA_SOURCE", "snapshot")
    with app.app_context():
        return prepare(app, echo=False)


def test_every_page_of_the_demo_speaks_plainly_to_every_role(app: Flask, demo: list[Login], session: Session) -> None:
    found: list[str] = []
    visited = 0
    for login in [None, *demo]:
        client = app.test_client()
        if login is not None:
            sign_in(client, login.email, login.password)
        for address, words in crawl(client, login.email if login else "anonymous"):
            visited += 1
            found += problems(f"{login.role if login else 'anonymous'} {address}", words)
    assert visited > 100  # every role's pages: dashboards, rosters, settings, rubrics, posts, reviews, drafts
    assert found == []


def test_every_feedback_and_reason_is_plain(app: Flask, demo: list[Login], session: Session) -> None:
    found = []
    grades = session.scalars(select(Grade)).all()
    assert len(grades) >= 6 * 24
    for grade in grades:
        found += problems(f"grade {grade.id} feedback", grade.breakdown["feedback"])
        for criterion in grade.breakdown["criteria"]:
            found += problems(f"grade {grade.id} {criterion['criterion']}", criterion["reason"])
    assert found == []
    # and the rule is kept: a student who cited nothing gets nothing for their citations, and is told why
    uncited = [(g, c) for g in grades for c in g.breakdown["criteria"] if c["not_assessed"].startswith("nothing is")]
    assert len(uncited) > 10
    for grade, criterion in uncited:
        assert criterion["points"] == 0 and criterion["level"] is None
        assert f"“{criterion['name']}”" in grade.breakdown["feedback"]


def _flashes(client: FlaskClient, response: Any) -> str:
    parsed = _Text()
    parsed.feed(client.get(response.headers["Location"]).get_data(as_text=True))
    return " ".join(" ".join(parsed.words).split())


def test_what_the_forms_answer_is_plain(app: Flask, demo: list[Login], session: Session) -> None:
    instructor = next(login for login in demo if login.role == "instructor")
    client = app.test_client()
    sign_in(client, instructor.email, instructor.password)
    topic = session.scalars(select(Topic).order_by(Topic.id)).first()
    assert topic is not None
    post = session.scalars(select(Post).where(Post.topic_id == topic.id, Post.parent_id.is_(None))).first()
    assert post is not None
    answers = [
        client.post(
            f"/posts/{post.id}/override", data={"criterion": "main-posting", "points": "40", "reason": "Good."}
        ),
        client.post(f"/posts/{post.id}/override", data={"criterion": "main-posting", "points": "40", "reason": ""}),
        client.post(f"/posts/{post.id}/override", data={"criterion": "main-posting", "points": "99", "reason": "x"}),
        client.post(f"/topics/{topic.id}/rubric", data={"rubric": "engagement-points"}),
        client.post(
            f"/topics/{topic.id}/settings",
            data={"title": topic.title, "timezone": "", "rubric": "", "absent_grade": "blank"},
        ),
    ]
    course = demo_courses()[0]
    data = course.roster.read_bytes()
    answers.append(client.post(f"/courses/{topic.course_id}/roster", data={"roster": (io.BytesIO(data),
                               course.roster.name)}, content_type="multipart/form-data"))  # fmt: skip
    found = []
    for response in answers:
        assert response.status_code == 302
        found += problems("flash", _flashes(client, response))
    assert found == []


def test_an_anonymous_self_check_while_crossref_is_unreachable_promises_nothing(app: Flask, demo: list[Login]) -> None:
    for key, value in {"METADATA_SOURCE": "crossref", "CROSSREF_URL": "http://127.0.0.1:9", "CROSSREF_RETRIES": 0,
                       "SELF_CHECK_SECONDS": 3}.items():  # fmt: skip
        app.config[key] = value
    draft = (
        "Fish are hard to count (Thanopoulou et al., 2018).\n\nReferences\nThanopoulou, Z., Sini, M., & "
        "Katsanevakis, S. (2018). How many fish? PeerJ, 6, e5066. https://doi.org/10.7717/peerj.5066\n"
    )
    response = app.test_client().post("/check", data={"text": draft})
    parsed = _Text()
    parsed.feed(response.get_data(as_text=True))
    words = " ".join(" ".join(parsed.words).split())
    assert "We could not check this reference against Crossref this time" in words
    assert problems("self-check", words) == []


def test_the_command_line_speaks_plainly(
    app: Flask, demo: list[Login], session: Session, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("files")  # a folder whose name the output may print
    course = demo_courses()[2]  # the D2L course
    topic = session.scalars(select(Topic).join(Course).where(Course.lms == "d2l").order_by(Topic.id)).first()
    assert topic is not None
    student = session.scalars(select(Person.display_name).where(Person.course_id == topic.course_id)).first()
    commands = [
        ["grade", topic.id],
        ["export", topic.id, "--to", "d2l", "-o", folder / "grades.csv"],
        ["export", topic.id, "--to", "canvas"],  # refused: no Canvas assignment id
        ["override", topic.id, student, "content", "12", "--reason", "Good use of the readings."],
        ["roster", "show", "--course", course.name],
        ["roster", "import", course.roster, "--course", course.name],
        ["topic", "set", topic.id, "--absent", "blank"],
        ["topic", "set", topic.id, "--timezone", "Mars/Olympus"],
        ["rubrics", "list"],
        ["rubrics", "check", *sorted((Path(__file__).parents[2] / "rubrics").glob("*.toml"))],
    ]
    found = []
    for args in commands:
        result = CliRunner().invoke(cli, [str(a) for a in args], obj=ScriptInfo(create_app=lambda: app))
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.output)
        found += problems(" ".join(str(a) for a in args[:2]), result.output)
    assert found == []
