"""No 500s and no tracebacks: each input that used to break something deep inside now gets a 400 (or a 404, or a
clear refusal on the command line) saying what is wrong, at the edge, before anything is stored.

Written as the attacks the issue lists: a lone surrogate and 100,000-deep JSON to the anonymous self-check, page
numbers of 20 digits, `reference_index: 10**30`, `points_possible: 10**400`, overrides of nan and inf, huge ids and
page numbers in addresses, a NUL in a form, and on the command line a broken workbook, huge points, and rubric files
that are deeply nested, binary, or hold inf or 1e308.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web.conftest import World
from web.sample_course import TOPIC_JSON, VIEW, Sample, import_sample

from forumgrader.cli import cli
from forumgrader.store.models import GradeOverride, Post, ReferenceCheck, Topic

from . import bombs

Client = Callable[[str], FlaskClient]
TWENTY_DIGITS = "12345678901234567890"


def _self_check(app: Flask, raw_body: str) -> Any:
    return app.test_client().post("/api/v1/self-check", data=raw_body, content_type="application/json")


def _refused(response: Any, status: int = 400) -> dict[str, str]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error", "message"} and body["message"]
    return dict(body)


@pytest.mark.parametrize(
    ("raw_body", "says"),
    [
        ('{"text": "\\ud800"}', "lone surrogate"),
        ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests"),
        ('{"text": NaN}', "NaN"),
        ('{"text": "Sleep (Walker, 2017).\\u0000"}', "NUL"),
        ('{"text": 1' + "0" * 400 + "}", "too large"),
    ],
)
def test_the_self_check_refuses_json_nothing_after_it_could_use(app: Flask, raw_body: str, says: str) -> None:
    assert says in _refused(_self_check(app, raw_body))["message"]


@pytest.mark.local_crossref
def test_a_reference_of_twenty_digit_numbers_is_checked_stored_and_shown(
    app: Flask, session: Session, client_as: Client, world: World, token_for: Callable[[str], dict[str, str]]
) -> None:
    reference = (
        "Hamlin, A., Liu, Y., Nguyen, D. V., Tassone, F., Zhang, L., & Hagerman, R. J. (2011). Sleep apnea in fragile "
        "X premutation carriers with and without FXTAS. American Journal of Medical Genetics Part B, "
        f"{TWENTY_DIGITS}({TWENTY_DIGITS}), {TWENTY_DIGITS}-{TWENTY_DIGITS}9. https://doi.org/10.1002/ajmg.b.31237"
    )
    draft = f"As Hamlin et al. (2011, p. {TWENTY_DIGITS}) found.\n\nReferences\n\n{reference}\n"
    assert _self_check(app, json.dumps({"text": draft})).status_code == 200
    assert app.test_client().post("/check", data={"text": draft}).status_code == 200
    post = "".join(f"<p>{paragraph}</p>" for paragraph in draft.split("\n\n"))
    posted = client_as("instructor").post(
        f"/courses/{world.course_a}/import",
        data={"export": (io.BytesIO(_canvas_view(post)), "week1.view.json")},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302
    post = session.scalars(select(Post).where(Post.lms_post_id == "90001")).one()
    assert session.scalars(select(ReferenceCheck.verdict).where(ReferenceCheck.post_id == post.id)).all()
    pages = (f"/posts/{post.id}", f"/topics/{post.topic_id}", f"/courses/{world.course_a}/review?status=all")
    for page in pages:
        assert client_as("instructor").get(page).status_code == 200, page
    api = (
        f"/api/v1/posts/{post.id}/report",
        f"/api/v1/courses/{world.course_a}/reviews",
        f"/api/v1/topics/{post.topic_id}/grades",
    )
    for address in api:
        assert app.test_client().get(address, headers=token_for("instructor")).status_code == 200, address


def _canvas_view(message: str) -> bytes:
    entry = {"id": 90001, "user_id": 1001, "message": message, "created_at": "2025-02-03T15:00:00Z", "replies": []}
    return json.dumps({"participants": [{"id": 1001, "display_name": "Ada Lovelace"}], "view": [entry]}).encode()


def test_a_reference_index_of_ten_to_the_thirty_is_refused(
    app: Flask, world: World, token_for: Callable[[str], dict[str, str]]
) -> None:
    response = app.test_client().post(
        f"/api/v1/posts/{world.post_a}/reviews",
        data='{"reference_index": 1' + "0" * 30 + ', "decision": "confirmed"}',
        content_type="application/json",
        headers=token_for("ta"),
    )
    assert "too large" in _refused(response)["message"]


def test_points_possible_of_ten_to_the_four_hundred_is_refused(
    client_as: Client, world: World, samples: Path, session: Session
) -> None:
    topic = json.loads((samples / TOPIC_JSON).read_text(encoding="utf-8"))
    topic["assignment"]["points_possible"] = 10**400
    for points in (json.dumps(topic), json.dumps(topic).replace("1" + "0" * 400, "1e400")):
        response = client_as("instructor").post(
            f"/courses/{world.course_a}/import",
            data={
                "export": (io.BytesIO((samples / VIEW).read_bytes()), "week.view.json"),
                "topic_json": (io.BytesIO(points.encode()), "week.topic.json"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert "too large" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Topic)) == 2  # the world's two, nothing more


@pytest.mark.local_crossref
@pytest.mark.parametrize("points", ["nan", "NaN", "inf", "-inf", "1e400", "1" + "0" * 400])
def test_an_override_of_nan_or_inf_is_refused(
    app: Flask, session: Session, world: World, samples: Path, client_as: Client, points: str
) -> None:
    sample: Sample = import_sample(app, session, world, samples)
    post_id = sample.posts["Danielle Okafor"]
    response = client_as("instructor").post(
        f"/posts/{post_id}/override",
        data={"criterion": "main-posting", "points": points, "reason": "generous"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "give the points as a number" in response.get_data(as_text=True).lower()
    assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/courses/99999999999999999999999", 404),
        ("/courses/99999999999999999999999", 404),
        ("/api/v1/courses?page=" + TWENTY_DIGITS, 400),  # "page numbers of 20 digits"
        ("/api/v1/courses/{course}/reviews?page=" + "9" * 30, 400),
        ("/api/v1/courses/{course}/reviews?topic_id=" + "9" * 30, 400),
        ("/api/v1/courses/{course}/reviews?topic_id=\u00b2", 400),
        ("/courses/{course}/review?topic=" + "9" * 30, 200),
        ("/courses/{course}/progress?job=" + "9" * 30 + "&job=\u00b2", 200),
    ],
)
def test_huge_or_odd_numbers_in_addresses_are_not_found_or_refused(
    app: Flask, world: World, client_as: Client, token_for: Callable[[str], dict[str, str]], path: str, status: int
) -> None:
    address = path.format(course=world.course_a)
    client = client_as("instructor")
    response = client.get(address, headers=token_for("instructor") if address.startswith("/api/") else {})
    assert response.status_code == status


def test_a_nul_in_a_form_is_refused(client_as: Client) -> None:
    response = client_as("instructor").post("/courses/new", data={"name": "PSY 101\x00"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


def _run(app: Flask, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], obj=ScriptInfo(create_app=lambda: app))


def _without_traceback(result: Result, says: str) -> None:
    assert result.exit_code == 1, result.output
    assert says in result.stderr, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, AssertionError)


def test_the_command_line_explains_a_broken_workbook(app: Flask, tmp_path: Path) -> None:
    whole = bombs.moodle_workbook("a short post")
    (tmp_path / "cut.xlsx").write_bytes(whole[: len(whole) // 2])
    _without_traceback(_run(app, "import", tmp_path / "cut.xlsx"), "save it again")
    (tmp_path / "damaged.xlsx").write_bytes(_with_part(whole, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><ro"))
    _without_traceback(_run(app, "import", tmp_path / "damaged.xlsx"), "cannot be read")


def _with_part(archive: bytes, name: str, content: bytes) -> bytes:
    """Return a zip archive with one part's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.namelist():
            target.writestr(entry, content if entry == name else source.read(entry))
    return out.getvalue()


@pytest.mark.parametrize("points", ["nan", "inf", "1e400"])
def test_the_command_line_refuses_points_that_are_no_number(
    app: Flask, samples: Path, session: Session, points: str
) -> None:
    assert _run(app, "import", samples / "canvas" / Path(VIEW).name).exit_code == 0
    topic = session.scalars(select(Topic.id)).one()
    result = _run(app, "override", topic, "Danielle Okafor", "main-posting", points, "--reason", "x")
    _without_traceback(result, "points")
    assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0


@pytest.mark.parametrize(
    "command",
    [
        ["grade", TWENTY_DIGITS],
        ["export", TWENTY_DIGITS, "--to", "moodle"],
        ["verify", "--topic", TWENTY_DIGITS],
        ["override", TWENTY_DIGITS, "Ada", "main-posting", "1", "--reason", "x"],
        ["check", "post:" + TWENTY_DIGITS],
        ["check", "post:\u00b2"],
    ],
)
def test_the_command_line_refuses_ids_of_twenty_digits(app: Flask, command: list[str]) -> None:
    result = _run(app, *command)
    assert result.exit_code in (1, 2) and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("a = " + "[" * 100_000 + "]" * 100_000, "nest"),
        ("a = " + "{b = " * 3000 + "1" + "}" * 3000, "nest"),
        (bytes(range(256)) * 4, "UTF-8"),
        ("points = [15, inf]", "finite"),
        ("points = [15, 1e308]", "finite"),
        ("points = nan", "finite"),
    ],
)
def test_rubrics_check_refuses_files_that_are_no_rubric(
    app: Flask, tmp_path: Path, content: str | bytes, says: str
) -> None:
    shipped = (Path(__file__).resolve().parents[2] / "forumgrader/rubrics/canvas-discussion-60.toml").read_text()
    path = tmp_path / "rubric.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content.startswith("points"):
        path.write_text(shipped.replace("points = [15, 20]", content, 1), encoding="utf-8")
    else:
        path.write_text(content, encoding="utf-8")
    _without_traceback(_run(app, "rubrics", "check", path), says)
    if isinstance(content, bytes):
        _without_traceback(_run(app, "rubrics", "from-canvas", path, "-o", tmp_path / "out.toml"), says)
