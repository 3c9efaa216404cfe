"""Decompression: zip bombs and XML entity bombs, as .xlsx and .docx, are refused before they are unpacked.

On the web (the import page, the self-check page and its API) and on the command line (`import`, `check`), each
attack gets a clear refusal, never a traceback or a 500, and reading it costs a few megabytes, not the forty it
unpacks to (or the gigabytes its entities would expand to).
"""

from __future__ import annotations

import io
import tracemalloc
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

from forumgrader.cli import cli
from forumgrader.discussions.documents import draft_text
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ExportError
from forumgrader.store.models import Post

from . import bombs

WORKBOOKS = {"zip bomb": bombs.workbook_bomb, "entity bomb": bombs.workbook_laughs}
DOCUMENTS = {"zip bomb": bombs.document_bomb, "entity bomb": bombs.document_laughs}
REFUSALS = ("zip bomb", "declares a DTD")


def _peak_megabytes(action: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1024 / 1024


@pytest.mark.parametrize("kind", sorted(WORKBOOKS))
def test_a_workbook_bomb_is_refused_unread(kind: str) -> None:
    bomb = WORKBOOKS[kind]()

    def read() -> None:
        with pytest.raises(ExportError, match="|".join(REFUSALS)):
            read_export(bomb, filename="forum.xlsx")

    assert _peak_megabytes(read) < 8


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_a_document_bomb_is_refused_unread(kind: str) -> None:
    bomb = DOCUMENTS[kind]()

    def read() -> None:
        with pytest.raises(ExportError, match="|".join(REFUSALS)):
            draft_text(bomb, "draft.docx")
        with pytest.raises(ExportError, match="|".join(REFUSALS)):
            read_export(bomb, filename="draft.docx")

    assert _peak_megabytes(read) < 8


@pytest.mark.parametrize("kind", sorted(WORKBOOKS))
def test_the_import_page_refuses_a_workbook_bomb(
    client_as: Callable[[str], FlaskClient], world: World, session: Session, kind: str
) -> None:
    data = {"export": (io.BytesIO(WORKBOOKS[kind]()), "forum.xlsx")}
    response = client_as("instructor").post(
        f"/courses/{world.course_a}/import", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert any(words in response.get_data(as_text=True) for words in REFUSALS)
    assert session.scalar(select(func.count()).select_from(Post)) == 2  # the world's two posts, nothing more


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_the_self_check_refuses_a_document_bomb(app: Flask, kind: str) -> None:
    client = app.test_client()
    page = client.post("/check", data={"file": (io.BytesIO(DOCUMENTS[kind]()), "draft.docx")})
    assert page.status_code == 400
    assert any(words in page.get_data(as_text=True) for words in REFUSALS)
    api = client.post("/api/v1/self-check", data={"file": (io.BytesIO(DOCUMENTS[kind]()), "draft.docx")})
    assert api.status_code == 400 and api.get_json()["error"] == "invalid_upload"


def _run(app: Flask, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], obj=ScriptInfo(create_app=lambda: app))


@pytest.mark.parametrize("kind", sorted(WORKBOOKS))
def test_the_command_line_refuses_bombs_without_a_traceback(app: Flask, tmp_path: Path, kind: str) -> None:
    (tmp_path / "forum.xlsx").write_bytes(WORKBOOKS[kind]())
    (tmp_path / "draft.docx").write_bytes(DOCUMENTS[kind]())
    for result in (_run(app, "import", tmp_path / "forum.xlsx"), _run(app, "check", tmp_path / "draft.docx")):
        assert result.exit_code == 1, result.output
        assert any(words in result.stderr for words in REFUSALS)
        assert "Traceback" not in result.output
