"""Excel workbooks: Moodle's "Download table data as Microsoft Excel (.xlsx)" and CSV layouts saved from Excel."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from test_moodle_import import FORUM, as_csv, row

from forumgrader.discussions.formats import detect_format, read_export
from forumgrader.discussions.model import ExportError, ImportOptions
from forumgrader.discussions.moodle import COLUMNS


def workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def moodle_rows(*records: dict[str, Any]) -> list[list[Any]]:
    return [list(COLUMNS), *([record[column] for column in COLUMNS] for record in records)]


def summary(data: bytes, filename: str, **options: Any) -> list[tuple[Any, ...]]:
    export = read_export(data, filename=filename, options=ImportOptions(**options))
    return [
        (post.lms_post_id, post.lms_parent_id, post.author_key, post.created_at, post.body_text, post.private)
        for post in export.topics[0].posts()
    ]


def test_a_moodle_forum_saved_as_excel_reads_like_its_csv() -> None:
    data = workbook(moodle_rows(*FORUM))
    assert detect_format(data, "forum.xlsx") == "moodle"
    from_csv = summary(as_csv(*FORUM).encode(), "forum.csv")
    assert summary(data, "forum.xlsx") == from_csv
    assert len(from_csv) == 6


def test_excel_dates_numbers_and_empty_cells_are_read_as_moodle_writes_them() -> None:
    first = row(1, 100, 0, 57, "Hannah Whitfield", "<p>one</p>", created=datetime(2024, 6, 3, 9, 15))
    second = row(2, 100, 1.0, 63, "Omar Haddad", "<p>two</p>", privatereplyto=None, wordcount=None)
    posts = summary(workbook(moodle_rows(first, second)), "forum.xlsx", timezone=ZoneInfo("Europe/Paris"))
    assert posts[0][3] == datetime.fromisoformat("2024-06-03T07:15:00+00:00")  # a date cell, read in the zone given
    assert posts[1][1] == "1" and not posts[1][5]  # 1.0 is post 1; an empty recipient is no private reply


def test_an_error_names_the_row_excel_shows() -> None:
    rows = moodle_rows(*FORUM[:3], row(9, 100, 1, 57, "H", "<p>multi\nline</p>", created="yesterday"))
    with pytest.raises(ExportError) as raised:
        read_export(workbook(rows), filename="forum.xlsx")
    assert (raised.value.line, raised.value.field) == (5, "created")  # header row 1, then rows 2-4


def test_a_csv_preset_saved_from_excel(samples: Path) -> None:
    text = (samples / "moodle" / "discussion.csv").read_text(encoding="utf-8")
    rows = [list(cells) for cells in csv.reader(io.StringIO(text))]
    data = workbook(rows)
    assert summary(data, "forum.xlsx") == summary(text.encode(), "forum.csv")
    preset = [
        ["topic_id", "topic_title", "post_id", "post_parent_id", "post_author_id", "post_author_name", "post_message"],
        [7, "Week 1", 1, None, 57, "Ana Rivera", "First post"],
        [7, "Week 1", 2, 1, 63, "Ben Osei", "A reply"],
    ]
    posts = summary(workbook(preset), "export.xlsx")
    assert [(p[0], p[1], p[4]) for p in posts] == [("1", None, "First post"), ("2", "1", "A reply")]


def test_unreadable_or_unknown_workbooks_say_what_to_do() -> None:
    with pytest.raises(ExportError, match="not a layout we know"):
        read_export(workbook([["Entry", "Who", "Body"], [1, "Ana", "text"]]), filename="posts.xlsx")
    with pytest.raises(ExportError, match="first sheet is empty"):
        read_export(workbook([]), filename="posts.xlsx", format="moodle")
    rows = [["post_id", "post_author_name", "post_message"], [1, "Ana", "a"], [2, "Ben", "b", "stray"]]
    with pytest.raises(ExportError, match="4 cells under 3 columns") as raised:
        read_export(workbook(rows), filename="posts.xlsx", format="csv")
    assert raised.value.line == 3
