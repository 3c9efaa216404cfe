"""Which importer reads a file: the registry, detection from the content, and the size limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from forumgrader.discussions.canvas import read_canvas
from forumgrader.discussions.d2l import looks_like_d2l, read_d2l
from forumgrader.discussions.documents import READERS, read_document
from forumgrader.discussions.fields import csv_records, decode_text, load_json, table_records
from forumgrader.discussions.generic_csv import knows_columns, read_csv
from forumgrader.discussions.model import DiscussionExport, ExportError, ExportFormat, ImportOptions, Role, TopicExport
from forumgrader.discussions.moodle import looks_like_moodle, read_moodle
from forumgrader.discussions.sheets import is_workbook

Importer = Callable[..., DiscussionExport]

IMPORTERS: dict[str, Importer] = {
    ExportFormat.CANVAS.value: read_canvas,
    ExportFormat.MOODLE.value: read_moodle,
    ExportFormat.D2L.value: read_d2l,
    ExportFormat.CSV.value: read_csv,
    ExportFormat.DOCUMENT.value: read_document,
}
_KNOWN_SUFFIXES = (".view", ".json", ".csv", ".tsv", ".xlsx", ".txt", ".md", ".markdown", ".html", ".htm", ".docx")
_OTHER_SPREADSHEETS = (".xls", ".ods")
_CANVAS_KEYS = frozenset(("view", "participants", "new_entries", "unread_entries", "forced_entries"))


def check_size(size: int, *, filename: str, max_bytes: int) -> None:
    """Refuse a file over the import limit, saying how big it is and what to do."""
    if size > max_bytes:
        raise ExportError(
            f"{Path(filename).name} is {_size(size)}, over the {_size(max_bytes)} import limit: "
            "export fewer posts at a time (by date range or by discussion), or raise MAX_IMPORT_BYTES "
            "(FORUMGRADER_MAX_IMPORT_BYTES)"
        )


def _size(count: int) -> str:
    return f"{count / 1_048_576:.1f} MB" if count >= 1_048_576 else f"{count / 1024:.1f} KB"


def detect_format(data: bytes, filename: str) -> str:
    """Tell the format from the content: Canvas view JSON, Moodle CSV/JSON, a CSV preset, else a document."""
    suffix = Path(filename).suffix.lower()
    if suffix in _OTHER_SPREADSHEETS:
        raise ExportError(f"{suffix} spreadsheets are not read: save it as .xlsx or CSV, or export the forum as JSON")
    if is_workbook(data):
        return _table_format(table_records(data)[0], filename)
    if suffix == ".xlsx":
        raise ExportError("it is not an Excel workbook (no xl/workbook.xml inside): save it again as .xlsx, or as CSV")
    if data.startswith(b"PK\x03\x04") or suffix == ".docx":
        return ExportFormat.DOCUMENT
    try:
        text = decode_text(data)
    except ExportError:
        if suffix in (".csv", ".tsv", ".json", *READERS):
            raise
        return ExportFormat.DOCUMENT  # a binary file: the document reader names the types it takes
    if not text.strip():
        raise ExportError(f"{Path(filename).name or 'the file'} is empty: export it again")
    if text.lstrip().startswith(("{", "[")) or suffix == ".json":
        try:
            parsed = load_json(text)
        except ExportError:
            if suffix == ".json":
                raise
        else:
            return _json_format(parsed)
    header = _csv_header(text)
    if looks_like_moodle(header) or knows_columns(header) or suffix in (".csv", ".tsv"):
        return _table_format(header, filename)
    return ExportFormat.DOCUMENT


def _table_format(header: list[str], filename: str) -> str:
    """Tell a table of posts by its header: a Moodle forum export, or a CSV layout we know."""
    if looks_like_moodle(header):
        return ExportFormat.MOODLE
    if knows_columns(header):
        return ExportFormat.CSV
    raise ExportError(
        f"the columns of {Path(filename).name} are not a layout we know ({', '.join(header[:8])}...): "
        "import it with --format csv and name the columns with --column FIELD=HEADER",
        line=1,
    )


def _json_format(parsed: Any) -> str:
    if isinstance(parsed, dict):
        if _CANVAS_KEYS.intersection(parsed):
            return ExportFormat.CANVAS
        if "discussion_type" in parsed or ("title" in parsed and "message" in parsed):
            raise ExportError(
                "this is a Canvas discussion topic (the prompt), not its posts: import the topic's full view "
                "(/api/v1/courses/:course_id/discussion_topics/:topic_id/view) and give this file with --topic-json"
            )
    if looks_like_d2l(parsed):
        return ExportFormat.D2L
    if isinstance(parsed, list):
        rows = [row for sheet in parsed for row in sheet] if all(isinstance(s, list) for s in parsed) else parsed
        if not rows or (isinstance(rows[0], dict) and looks_like_moodle(list(rows[0]))):
            return ExportFormat.MOODLE
    raise ExportError("this JSON is neither a Canvas discussion view, a Moodle forum export nor Brightspace posts")


def _csv_header(text: str) -> list[str]:
    try:
        header, _records = csv_records(text)
    except ExportError:
        return []
    return header if len(header) > 2 else []  # a line of prose with a comma in it is not a header


def choose_format(data: bytes, filename: str, *, format: str | None, options: ImportOptions | None) -> str:
    """Return the format asked for; else a CSV of posts when its columns are named; else the one the content shows."""
    if format:
        return format
    if options is not None and options.columns:
        return ExportFormat.CSV
    return detect_format(data, filename)


def read_export(
    data: bytes,
    *,
    filename: str,
    format: str | None = None,
    options: ImportOptions | None = None,
    max_bytes: int | None = None,
) -> DiscussionExport:
    """Read a whole file into a DiscussionExport: check its size, detect or take its format, run the importer."""
    if max_bytes is not None:
        check_size(len(data), filename=filename, max_bytes=max_bytes)
    chosen = choose_format(data, filename, format=format, options=options)
    if chosen not in IMPORTERS:
        raise ExportError(f"unknown format {chosen!r}: use one of {', '.join(IMPORTERS)}")
    return IMPORTERS[chosen](data, filename=filename, options=options or ImportOptions())


def default_course_name(file_name: str) -> str:
    """Name a course after the file: its name without the extensions ("week3.view.json" -> "week3")."""
    name = Path(file_name).name
    while Path(name).suffix.lower() in _KNOWN_SUFFIXES:
        name = name[: -len(Path(name).suffix)]
    return name or "Imported discussions"


_GENERIC_NAMES = frozenset({"discussion", "view", "posts", "export", "topic", "forum"})  # what LMSs name every file


def untitled_topic(topic_export: TopicExport, export: DiscussionExport, file_name: str, today: datetime) -> str:
    """A title for a topic whose file names none: the thread an instructor started, else the file's own name unless
    it is the LMS's name for every export (Moodle's "discussion.csv"), else the day it came in."""
    if topic_export.info.title:
        return topic_export.info.title
    staff = {person.key for person in export.people if person.role is not Role.STUDENT}
    for thread in topic_export.threads:
        starter = thread.posts[0] if thread.posts else None
        if starter is not None and starter.author_key in staff and thread.title:
            return thread.title
    stem = default_course_name(file_name)
    if stem.lower() not in _GENERIC_NAMES and stem != "Imported discussions":
        return stem
    return f"Forum imported on {today:%d %b %Y}"
