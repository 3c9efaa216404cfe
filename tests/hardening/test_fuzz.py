"""Fuzzing every public input: no 500, no traceback, and each example within bounded time and memory.

Four targets, each driven by hypothesis: the JSON API (schemathesis reads /api/v1/openapi.json and sends valid and
invalid requests to every operation, as every kind of user, at ids that exist and ids that do not); every form and
page (each route, with hostile values for every field the app reads and hostile files for every upload); every
importer (real Canvas, Moodle, CSV, .xlsx and .docx exports, each with one thing broken, read and stored as the web
and the CLI do); and rubric files (the shipped rubrics and their Canvas CSV, broken the same way, read as `rubrics
check` does). An exception escaping the app fails the test (TESTING propagates it), as does any 5xx.

tests/bench/bench_fuzz.py runs the same targets with many more examples and reports the figures.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy.orm import Session
from web.conftest import PASSWORD, World, sign_in
from web.sample_course import Sample, import_sample

from forumgrader.citations import analyse
from forumgrader.cli import cli
from forumgrader.discussions.documents import draft_text
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ExportError, ImportOptions
from forumgrader.grading import RubricError, parse_rubric, rubric_to_canvas_csv, rubric_to_toml
from forumgrader.grading.canvas_rubric import rubrics_from_canvas_csv
from forumgrader.store.imports import import_export

from . import bombs
from .fuzzing import EXAMPLES, TEXT, Bounds, mutate_archive, mutate_bytes, mutate_csv, mutate_json

SAMPLES = Path(__file__).resolve().parents[2] / "forumgrader" / "samples"
RUBRICS = Path(__file__).resolve().parents[2] / "forumgrader" / "rubrics"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # Bounds holds each example to its own limit, generously: the machine is shared
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
ACTORS = ("anonymous", "student", "ta", "instructor", "admin")
BOUNDS = Bounds()


@pytest.fixture(scope="module", autouse=True)
def _measured() -> Iterator[None]:
    """Trace memory while the fuzz tests run, and write their figures when asked to."""
    tracemalloc.start()
    yield
    tracemalloc.stop()
    BOUNDS.write()


@pytest.fixture
def sample(app: Flask, session: Session, world: World) -> Sample:
    """The world with the Canvas sample imported, checked and graded: posts with references, flags and grades."""
    return import_sample(app, session, world, SAMPLES)


def _ids(world: World, sample: Sample) -> dict[str, int]:
    return {
        "course_id": world.course_a,
        "topic_id": sample.topic,
        "post_id": next(iter(sample.posts.values())),
        "person_id": next(iter(sample.people.values())),
        "job_id": world.job_a,
        "draft_id": world.draft_a,
    }


# --- the JSON API, through its OpenAPI document ----------------------------------------------------------------


def test_fuzz_the_api(app: Flask, world: World, sample: Sample, token_for: Callable[[str], dict[str, str]]) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    cases = st.one_of([op.as_strategy(generation_mode=mode) for op in operations for mode in GenerationMode])
    tokens = {actor: token_for(actor) for actor in ACTORS}
    ids = _ids(world, sample)

    @FUZZ
    @given(case=cases, actor=st.sampled_from(ACTORS), real_ids=st.booleans())
    def request(case: Any, actor: str, real_ids: bool) -> None:
        if real_ids and case.path_parameters:
            case.path_parameters = {name: ids.get(name, value) for name, value in case.path_parameters.items()}
        with BOUNDS.example("api"):
            response = case.call(app=app, headers=tokens[actor])
        assert response.status_code < 500, f"{case.as_curl_command()} answered {response.status_code}"

    request()


# --- every form and page ----------------------------------------------------------------------------------------

FIELDS = (
    "name", "text", "title", "timezone", "rubric", "format", "columns", "criterion", "reason", "points", "action",
    "post_id", "reference_key", "decision", "note", "back", "next", "email", "password", "lms", "match_by", "item",
    "assignment_id", "status", "verdict", "topic", "student", "all", "job", "sort", "order", "filter", "page",
)  # fmt: skip
UPLOADS = ("export", "topic_json", "file")
UNFUZZED = {"static", "auth.logout"}  # files on disk; signing out, which takes nothing in


def _upload(draw: st.DrawFn) -> tuple[bytes, str]:
    """A file as an upload field gets it: a real export or draft, broken somewhere, under a fitting or odd name."""
    content, name = draw(st.sampled_from(_real_files()))
    broken = mutate_bytes(content, draw) if draw(st.booleans()) else content
    return broken, draw(st.sampled_from([name, "x.json", "x.csv", "x.xlsx", "x.docx", "x.txt", "x", "../x.exe"]))


@st.composite
def _form_requests(draw: st.DrawFn, app: Flask, ids: dict[str, int]) -> tuple[str, str, dict[str, Any]]:
    rules = [r for r in app.url_map.iter_rules() if not r.rule.startswith("/api/") and r.endpoint not in UNFUZZED]
    rule = draw(st.sampled_from(sorted(rules, key=lambda r: r.rule)))
    method = draw(st.sampled_from(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})))
    values = {
        name: ids[name] if draw(st.booleans()) and name in ids else draw(st.integers(min_value=0, max_value=10**12))
        for name in rule.arguments
    }
    path = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda found: str(values[found[1]]), rule.rule)
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=6))
    if method == "GET":
        return method, path, {"query_string": fields}
    files = {name: _upload(draw) for name in draw(st.lists(st.sampled_from(UPLOADS), max_size=2, unique=True))}
    data = {**fields, **{name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}}
    return method, path, {"data": data, "content_type": "multipart/form-data" if files else None}


def test_fuzz_every_form_and_page(app: Flask, world: World, sample: Sample) -> None:
    clients: dict[str, FlaskClient] = {}

    def client_of(actor: str) -> FlaskClient:
        if actor not in clients:
            clients[actor] = app.test_client()
            if actor != "anonymous":
                sign_in(clients[actor], world.emails[actor], PASSWORD)
        return clients[actor]

    @FUZZ
    @given(sent=_form_requests(app, _ids(world, sample)), actor=st.sampled_from(ACTORS))
    def request(sent: tuple[str, str, dict[str, Any]], actor: str) -> None:
        method, path, options = sent
        with BOUNDS.example("forms"):
            response = client_of(actor).open(path, method=method, **{k: v for k, v in options.items() if v})
        assert response.status_code < 500, f"{method} {path} {options} answered {response.status_code}"

    request()


# --- every importer, as the web and the CLI read and store a file ------------------------------------------------


def _real_files() -> list[tuple[bytes, str]]:
    """Real exports and drafts: the bundled Canvas view and topic, Moodle CSV (and as .xlsx), a .docx, a .txt."""
    if not _FILES:
        seed = (SAMPLES / "seeds" / "001_e57b5723c3460151.txt").read_bytes()
        _FILES.extend([
            ((SAMPLES / "canvas" / "psychotherapy-biological-basis.view.json").read_bytes(), "week.view.json"),
            ((SAMPLES / "canvas" / "psychotherapy-biological-basis.topic.json").read_bytes(), "week.topic.json"),
            ("\n".join(bombs.MOODLE.read_text(encoding="utf-8").splitlines()[:40]).encode(), "forum.csv"),
            (bombs.moodle_workbook("A first post, as Moodle exports it."), "forum.xlsx"),
            (bombs.word_document(seed.decode()[:3000]), "draft.docx"),
            (seed, "draft.txt"),
            (b"<p>As Engel (1977) argued.</p><p>References</p><p>Engel, G. L. (1977). Science, 196, 129.</p>",
             "draft.html"),
        ])  # fmt: skip
    return _FILES


_FILES: list[tuple[bytes, str]] = []


@st.composite
def _broken_files(draw: st.DrawFn) -> tuple[bytes, str]:
    content, name = draw(st.sampled_from(_real_files()))
    if name.endswith((".xlsx", ".docx")):
        return mutate_archive(content, draw), name
    if name.endswith(".json") and draw(st.booleans()):
        return mutate_json(content, draw), name
    if name.endswith(".csv") and draw(st.booleans()):
        return mutate_csv(content, draw), name
    return mutate_bytes(content, draw), name


def test_fuzz_every_importer(app: Flask, session: Session) -> None:
    topic = (SAMPLES / "canvas" / "psychotherapy-biological-basis.topic.json").read_bytes()

    @FUZZ
    @given(file=_broken_files(), with_topic=st.booleans(), format=st.sampled_from([None, None, "canvas", "csv"]))
    def read_and_store(file: tuple[bytes, str], with_topic: bool, format: str | None) -> None:
        data, name = file
        options = ImportOptions(topic_json=topic if with_topic else None)
        with BOUNDS.example("importers"):
            try:
                export = read_export(data, filename=name, format=format, options=options, max_bytes=10_000_000)
                import_export(session, export, file_name=name, sha256=hashlib.sha256(data).hexdigest())
                session.flush()
            except ExportError:
                pass  # refused, with a message: what a bad file should get
            finally:
                session.rollback()
            if name.startswith("draft"):
                with suppress(ExportError):
                    analyse(draft_text(data, name))  # the self-check's reading of a draft

    read_and_store()


# --- rubric files ------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
NUMBER_TOKENS = ["inf", "-inf", "nan", "1e308", "-1e308", "99999999999999999999999", "1_000_000_001", "0x10", "-0"]


@st.composite
def _broken_rubrics(draw: st.DrawFn) -> str | bytes:
    text = (RUBRICS / f"{draw(st.sampled_from(['graduate-discussion', 'canvas-discussion-60']))}.toml").read_text()
    action = draw(st.sampled_from(["number", "text", "nest", "bytes"]))
    if action == "number":
        numbers = list(_NUMBER.finditer(text))
        found = draw(st.sampled_from(numbers))
        return text[: found.start()] + draw(st.sampled_from(NUMBER_TOKENS)) + text[found.end() :]
    if action == "text":
        quoted = list(re.finditer(r'"[^"\n]*"', text))
        found = draw(st.sampled_from(quoted))
        value = draw(TEXT).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return text[: found.start()] + f'"{value}"' + text[found.end() :]
    if action == "nest":
        depth = draw(st.integers(min_value=1, max_value=5000))
        return text + f"\nextra = {'[' * depth}{']' * depth}\n"
    return mutate_bytes(text.encode(), draw)


def test_fuzz_rubric_files(app: Flask, tmp_path: Path) -> None:
    @FUZZ
    @given(rubric=_broken_rubrics(), through_the_cli=st.booleans(), data=st.data())
    def read(rubric: str | bytes, through_the_cli: bool, data: st.DataObject) -> None:
        with BOUNDS.example("rubrics"):
            path = tmp_path / "rubric.toml"
            path.write_bytes(rubric if isinstance(rubric, bytes) else rubric.encode("utf-8", errors="replace"))
            if through_the_cli:
                command = ["rubrics", "check", str(path)]
                result = CliRunner().invoke(cli, command, obj=ScriptInfo(create_app=lambda: app))
                assert result.exit_code in (0, 1) and isinstance(result.exception, SystemExit | None), result.output
                return
            try:
                parsed = parse_rubric(path.read_text(encoding="utf-8", errors="replace"), "rubric.toml")
            except RubricError:
                return
            assert math.isfinite(parsed.possible)
            canvas = rubric_to_canvas_csv(parsed)
            assert parse_rubric(rubric_to_toml(parsed), "again.toml").possible == parsed.possible
            with suppress(RubricError):
                rubrics_from_canvas_csv(mutate_csv(canvas.encode(), data.draw).decode(), "r.csv")

    read()
