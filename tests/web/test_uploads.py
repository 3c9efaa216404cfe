"""Uploads are checked by extension AND content, and kept under the size limit, with messages that say what to do."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

import docx
import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from forumgrader.web.uploads import UploadRejected, read_upload


@pytest.fixture
def context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def upload(name: str, content: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def word_document(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.usefixtures("context")
class TestReadUpload:
    def test_a_real_word_document_is_accepted(self) -> None:
        content = word_document("Walker, M. (2017). Why we sleep. Scribner.")
        assert read_upload(upload("C:\\Users\\ada\\draft.DOCX", content), allowed={"docx"}) == ("draft.DOCX", content)

    def test_json_and_csv_that_parse_are_accepted(self) -> None:
        assert (
            read_upload(upload("posts.json", json.dumps({"posts": []}).encode()), allowed={"json", "csv"})[0]
            == "posts.json"
        )
        csv = "id,author,message\n1,Ada,Hello\n".encode("utf-8-sig")
        assert read_upload(upload("posts.csv", csv), allowed={"json", "csv"})[1] == csv
        assert read_upload(upload("excel.csv", "name\nJosé\n".encode("cp1252")), allowed={"csv"})[0] == "excel.csv"

    @pytest.mark.parametrize(
        ("name", "content", "says"),
        [
            ("notes.pdf", b"%PDF-1.7", "upload a .csv, .docx, .json or .xlsx file"),
            ("renamed.docx", b"%PDF-1.7 not a zip", "is not a zip archive"),
            ("other.docx", zip_of({"content.xml": b"<x/>"}), "it is not a Word document"),
            ("forum.xlsx", zip_of({"content.xml": b"<x/>"}), "it is not an Excel workbook"),
            ("broken.json", b'{"posts": [1, 2,,]}', "it is not valid JSON (line 1, column 17)"),
            ("binary.csv", b"id,name\x00\x01\x02", "it holds binary data"),
            ("empty.csv", b"\n\n", "it is empty"),
            ("nothing.json", b"", "“nothing.json” is empty"),
        ],
    )
    def test_a_file_that_is_not_what_its_name_says_is_rejected(self, name: str, content: bytes, says: str) -> None:
        with pytest.raises(UploadRejected) as rejected:
            read_upload(upload(name, content), allowed={"docx", "json", "csv", "xlsx"})
        assert says in str(rejected.value)
        assert name in str(rejected.value)

    def test_no_file_chosen(self) -> None:
        with pytest.raises(UploadRejected, match="Choose a file"):
            read_upload(upload("", b""), allowed={"csv"})
        with pytest.raises(UploadRejected, match="Choose a file"):
            read_upload(None, allowed={"csv"})

    def test_a_file_over_the_limit_is_rejected_with_the_limit_named(self) -> None:
        with pytest.raises(UploadRejected, match="larger than the 1 KB limit"):
            read_upload(upload("big.csv", b"a,b\n" * 300), allowed={"csv"}, max_bytes=1024)
        assert read_upload(upload("fits.csv", b"a,b\n" * 256), allowed={"csv"}, max_bytes=1024)

    def test_the_configured_limit_applies_by_default(self, app: Flask) -> None:
        app.config["MAX_IMPORT_BYTES"] = 2048
        with pytest.raises(UploadRejected, match="2 KB"):
            read_upload(upload("big.json", b"[" + b"1," * 2000 + b"1]"), allowed={"json"})

    def test_a_zip_bomb_is_rejected(self, app: Flask) -> None:
        app.config["MAX_IMPORT_BYTES"] = 10_000
        bomb = zip_of({"word/document.xml": b"0" * 1_000_000})
        assert len(bomb) < 10_000
        with pytest.raises(UploadRejected, match="zip bomb"):
            read_upload(upload("bomb.docx", bomb), allowed={"docx"})

    def test_an_extension_without_a_content_check_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="no content check for exe"):
            read_upload(upload("x.exe", b"MZ"), allowed={"exe"})


def test_a_page_answers_413_with_the_limit(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = app.test_client().post("/login", data={"email": "x" * 10_000, "password": "y"})
    assert response.status_code == 413
    assert "larger than the 50 MB limit" in response.get_data(as_text=True)
