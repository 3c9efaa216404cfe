"""Uploaded files: checked by extension AND by content, and kept under the size limit, before anyone reads them."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from flask import current_app
from werkzeug.datastructures import FileStorage

from forumgrader import strict_json
from forumgrader.discussions.archives import open_archive
from forumgrader.discussions.model import ExportError
from forumgrader.web.errors import human_size

CHUNK = 64 * 1024


class UploadRejected(ValueError):
    """An upload we will not read; the message tells the user why and what to upload instead."""


def _text(content: bytes) -> str:
    if b"\x00" in content:
        raise UploadRejected("it holds binary data, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return codecs.decode(content, encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejected("its text is neither UTF-8 nor Windows-1252: save it again as UTF-8")


def _zip(content: bytes, what: str = "zip archive") -> zipfile.ZipFile:
    """Open an archive once the checks every reader of archives makes pass (forumgrader.discussions.archives)."""
    try:
        return open_archive(content, what=what)
    except ExportError as error:
        raise UploadRejected(error.message) from error


def _docx(content: bytes) -> None:
    names = set(_zip(content, ".docx").namelist())
    if "word/document.xml" not in names:
        raise UploadRejected(
            "it is not a Word document (there is no word/document.xml inside): save it from Word as .docx"
        )


def _xlsx(content: bytes) -> None:
    if "xl/workbook.xml" not in set(_zip(content, "workbook").namelist()):
        raise UploadRejected("it is not an Excel workbook (there is no xl/workbook.xml inside): save it as .xlsx")


def _json(content: bytes) -> None:
    try:
        strict_json.loads(content)
    except strict_json.TooDeep:
        pass  # the importer says what to do about JSON nested that deep
    except ValueError as error:
        where = f"line {error.lineno}, column {error.colno}" if isinstance(error, json.JSONDecodeError) else str(error)
        raise UploadRejected(f"it is not valid JSON ({where}): export it again") from error


def _csv(content: bytes) -> None:
    text = _text(content)
    try:
        rows = list(csv.reader(io.StringIO(text[:CHUNK])))
    except csv.Error as error:
        raise UploadRejected(f"it is not readable as CSV ({error})") from error
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise UploadRejected("it is empty")


def _plain_text(content: bytes) -> None:
    if not _text(content).strip():
        raise UploadRejected("it is empty")


# what each extension must look like inside
SNIFFERS: dict[str, Callable[[bytes], object]] = {
    "docx": _docx,
    "xlsx": _xlsx,
    "json": _json,
    "csv": _csv,
    "txt": _plain_text,
    "md": _plain_text,
    "html": _plain_text,
    "zip": _zip,
}


def read_upload(file: FileStorage | None, *, allowed: set[str], max_bytes: int | None = None) -> tuple[str, bytes]:
    """Return an upload's file name and content once its extension, its content and its size are acceptable."""
    unknown = set(allowed) - set(SNIFFERS)
    if unknown:
        raise ValueError(f"no content check for {', '.join(sorted(unknown))}: add one to SNIFFERS")
    limit = max_bytes if max_bytes is not None else current_app.config["MAX_IMPORT_BYTES"]
    if file is None or not file.filename:
        raise UploadRejected("Choose a file to upload.")
    name = PurePosixPath(file.filename.replace("\\", "/")).name
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    extensions = [f".{kind}" for kind in sorted(allowed)]
    kinds = ", ".join(extensions[:-1]) + " or " + extensions[-1] if len(extensions) > 1 else extensions[0]
    if extension not in allowed:
        raise UploadRejected(f"“{name}” is not a file we can read here: upload a {kinds} file.")
    content = file.stream.read(limit + 1)
    if len(content) > limit:
        raise UploadRejected(f"“{name}” is larger than the {human_size(limit)} limit for uploads.")
    if not content:
        raise UploadRejected(f"“{name}” is empty.")
    try:
        SNIFFERS[extension](content)
    except UploadRejected as error:
        raise UploadRejected(f"“{name}” cannot be used: {error}.") from error
    return name, content
