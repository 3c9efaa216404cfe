"""Moodle forum export: CSV and JSON sheets, epoch and human dates, private replies, deleted posts, formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from forumgrader.discussions.model import ExportError, ImportOptions, PostRecord, Role
from forumgrader.discussions.moodle import COLUMNS, read_moodle


def row(post_id: int, discussion: int, parent: int, user: int, name: str, message: str, **cells: Any) -> dict[str, Any]:
    found = dict.fromkeys(COLUMNS, "")
    found |= {
        "id": post_id,
        "discussion": discussion,
        "parent": parent,
        "userid": user,
        "userfullname": name,
        "created": 1716933420 + post_id * 60,
        "modified": 1716933420 + post_id * 60,
        "mailed": 1,
        "subject": "Re: Week 3" if parent else "Week 3",
        "message": message,
        "messageformat": 1,
        "messagetrust": 0,
        "totalscore": 0,
        "mailnow": 0,
        "deleted": 0,
        "privatereplyto": 0,
    }
    return found | cells


def as_csv(*rows: dict[str, Any], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read(data: str | bytes, **options: Any) -> dict[str, PostRecord]:
    raw = data.encode() if isinstance(data, str) else data
    export = read_moodle(raw, filename="discussion.csv", options=ImportOptions(**options))
    return {post.lms_post_id: post for post in export.topics[0].posts()}


FORUM = (
    row(1, 100, 0, 57, "Hannah Whitfield", "<p>Thread one, by Hannah.</p>"),
    row(2, 200, 0, 63, "Omar Haddad", "<p>Thread two, by Omar.</p>"),
    row(3, 100, 1, 63, "Omar Haddad", "<p>Omar replies to Hannah.</p>"),
    row(
        4,
        200,
        2,
        12,
        "Alan Brooks",
        "<p>Please add sources.</p>",
        privatereplyto=63,
        privatereplytofullname="Omar Haddad",
    ),
    row(5, 100, 3, 57, "Hannah Whitfield", "", deleted=1, subject=""),
    row(6, 100, 5, 63, "Omar Haddad", "<p>Reply under a deleted post.</p>"),
)


def test_threads_replies_private_and_deleted_posts() -> None:
    export = read_moodle(as_csv(*FORUM).encode(), filename="discussion.csv")
    threads = {thread.lms_thread_id: thread for thread in export.topics[0].threads}
    assert [post.lms_post_id for post in threads["100"].posts] == ["1", "3", "5", "6"]
    assert threads["100"].title == "Week 3"
    posts = {post.lms_post_id: post for post in export.topics[0].posts()}
    assert posts["1"].lms_parent_id is None and posts["3"].lms_parent_id == "1"
    assert posts["4"].private and not posts["3"].private
    assert posts["5"].deleted and posts["5"].word_count == 0
    assert posts["6"].lms_parent_id == "5"  # the placeholder keeps its reply's parent
    people = {person.key: person for person in export.people}
    assert people["12"].role is Role.INSTRUCTOR  # only teachers may reply privately
    assert people["63"].role is Role.STUDENT and people["63"].display_name == "Omar Haddad"


def test_epoch_dates_are_utc_and_modified_marks_an_edit() -> None:
    posts = read(as_csv(row(1, 100, 0, 57, "H", "<p>a</p>", created=1717406100, modified=1717409700)))
    assert posts["1"].created_at == datetime(2024, 6, 3, 9, 15, tzinfo=UTC)
    assert posts["1"].edited_at == datetime(2024, 6, 3, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "written",
    ["Monday, 3 June 2024, 9:15 AM", "Monday, June 3, 2024, 9:15 AM", "3 June 2024, 09:15", "Mon, 3 Jun 2024 9:15 am"],
)
def test_human_dates_are_read_in_the_given_timezone(written: str) -> None:
    posts = read(
        as_csv(row(1, 100, 0, 57, "H", "<p>a</p>", created=written, modified=written)),
        timezone=ZoneInfo("America/Denver"),
    )
    assert posts["1"].created_at == datetime(2024, 6, 3, 15, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("03/06/2024 09:15", "could be 3 June or 6 March"),
        ("yesterday", "not a date we can read"),
        ("Tuesday, 3 June 2024, 9:15 AM", "is a Monday"),
    ],
)
def test_a_bad_date_late_in_the_file_names_its_line_and_field(written: str, reason: str) -> None:
    rows = [row(n, 100, 0 if n == 1 else 1, 57, "H", f"<p>post {n}</p>") for n in range(1, 6)]
    rows.append(row(6, 100, 1, 57, "H", "<p>multi\nline message</p>", created=written))
    with pytest.raises(ExportError) as raised:
        read(as_csv(*rows))
    assert (raised.value.line, raised.value.field) == (7, "created")  # the header is line 1
    assert reason in str(raised.value) and str(raised.value).startswith("line 7, field `created`: ")


def test_line_numbers_count_newlines_inside_messages() -> None:
    rows = [
        row(1, 100, 0, 57, "H", "<p>one</p>\n<p>two</p>\n<p>three</p>"),
        row(2, 100, 1, 57, "H", "x", messageformat=7),
    ]
    with pytest.raises(ExportError) as raised:
        read(as_csv(*rows))
    assert (raised.value.line, raised.value.field) == (5, "messageformat")


def test_message_formats_are_honoured() -> None:
    posts = read(
        as_csv(
            row(1, 100, 0, 57, "H", "Plain <b>text</b>\nsecond line", messageformat=2),
            row(2, 100, 1, 57, "H", "**Bold** and\nSmith, J. (2020). Title.", messageformat=4),
            row(3, 100, 1, 57, "H", "auto\nformat <i>text</i>", messageformat=0),
            row(4, 100, 1, 57, "H", '<p>html <img src="@@PLUGINFILE@@/chart.png"> with an image</p>', messageformat=1),
        )
    )
    assert posts["1"].body_text == "Plain <b>text</b>\nsecond line"
    assert posts["2"].body_text == "Bold and\nSmith, J. (2020). Title."
    assert posts["3"].body_text == "auto\nformat text"
    assert posts["4"].body_text == "html with an image"
    assert "@@PLUGINFILE@@" in posts["4"].body_html  # the original HTML is kept


def test_json_export_is_an_array_of_sheets() -> None:
    sheets = [[row(1, 100, 0, 57, "Hannah Whitfield", "<p>a</p>"), row(2, 100, 1, 63, "Omar Haddad", "<p>b</p>")]]
    export = read_moodle(json.dumps(sheets).encode(), filename="discussion.json")
    posts = {post.lms_post_id: post for post in export.topics[0].posts()}
    assert posts["2"].lms_parent_id == "1" and posts["2"].author_key == "63"
    sheets[0][1]["created"] = "soon"
    with pytest.raises(ExportError) as raised:
        read_moodle(json.dumps(sheets).encode(), filename="discussion.json")
    assert (raised.value.entry, raised.value.field) == ("2", "created")
    sheets[0][1] |= {"created": 1716933420, "message": {"text": "<p>b</p>"}}
    with pytest.raises(ExportError) as raised:
        read_moodle(json.dumps(sheets).encode(), filename="discussion.json")
    assert (raised.value.entry, raised.value.field) == ("2", "message")


def test_byte_order_mark_and_windows_1252_text() -> None:
    text = as_csv(row(1, 100, 0, 57, "Zoë Müller", "<p>Leppänen et al. (2022) – “quoted”</p>"))
    assert read("\ufeff" + text)["1"].body_text == "Leppänen et al. (2022) – “quoted”"
    assert read(text.encode("cp1252"))["1"].body_text == "Leppänen et al. (2022) – “quoted”"


def test_a_csv_saved_again_by_excel_with_semicolons() -> None:
    text = as_csv(row(1, 100, 0, 57, "Hannah", "<p>a; b</p>"), row(2, 100, 1, 63, "Omar", "<p>c</p>"))
    semicolons = text.replace(",", ";").replace("<p>a; b</p>", '"<p>a; b</p>"')
    assert read(semicolons.encode("cp1252"))["2"].lms_parent_id == "1"


def test_excels_separator_line_and_pipes_are_read_and_lines_still_count_from_the_top() -> None:
    text = as_csv(row(1, 100, 0, 57, "Hannah", "<p>a; b</p>"), row(2, 100, 1, 63, "Omar", "<p>c</p>"))
    semicolons = "sep=;\r\n" + text.replace(",", ";").replace("<p>a; b</p>", '"<p>a; b</p>"')
    assert read(semicolons)["2"].lms_parent_id == "1"
    assert read(text.replace(",", "|"))["2"].body_text == "c"
    with pytest.raises(ExportError) as raised:
        read(semicolons.replace(";1716933540;", ";soon;", 1))  # post 2's creation time
    assert (raised.value.line, raised.value.field) == (4, "created")  # sep= is line 1, the header line 2


def test_a_quote_left_open_is_named_at_its_line_not_read_as_the_rest_of_the_file() -> None:
    rows = [row(n, 100, 0 if n == 1 else 1, 57, "H", f"<p>post {n}</p>") for n in range(1, 5)]
    text = as_csv(*rows).replace("<p>post 2</p>", '"<p>post 2</p>')
    with pytest.raises(ExportError, match="never closed") as raised:
        read(text)
    assert raised.value.line == 3


def test_a_file_without_the_parent_column_says_to_export_all_columns() -> None:
    columns = tuple(column for column in COLUMNS if column != "parent")
    with pytest.raises(ExportError, match="Moodle export without the `parent` column: export the forum again"):
        read(as_csv(row(1, 100, 0, 57, "H", "<p>a</p>"), columns=columns))


def test_a_post_listed_twice_is_refused() -> None:
    with pytest.raises(ExportError, match="appears twice") as raised:
        read(as_csv(row(1, 100, 0, 57, "H", "<p>a</p>"), row(1, 100, 0, 57, "H", "<p>a</p>")))
    assert raised.value.line == 3


def test_a_private_reply_to_someone_named_instead_of_numbered_adds_no_second_person() -> None:
    export = read_moodle(
        as_csv(
            row(1, 100, 0, 57, "Hannah Whitfield", "<p>a</p>"),
            row(2, 100, 1, 12, "Alan Brooks", "<p>b</p>", privatereplyto="Hannah Whitfield"),
            row(3, 100, 1, 12, "Alan Brooks", "<p>c</p>", privatereplyto=63, privatereplytofullname="Omar Haddad"),
        ).encode(),
        filename="discussion.csv",
    )
    assert [post.private for post in export.topics[0].posts()] == [False, True, True]
    people = {person.key: person.display_name for person in export.people}
    assert people == {"57": "Hannah Whitfield", "12": "Alan Brooks", "63": "Omar Haddad"}


def test_older_sites_without_word_counts_or_ids_of_private_recipients() -> None:
    columns = tuple(column for column in COLUMNS if column not in ("wordcount", "charcount", "privatereplyto"))
    posts = read(as_csv(row(1, 100, 0, 57, "H", "<p>four words right here</p>"), columns=columns))
    assert posts["1"].word_count == 4 and not posts["1"].private


def test_the_bundled_sample(samples: Path) -> None:
    export = read_moodle((samples / "moodle" / "discussion.csv").read_bytes(), filename="discussion.csv")
    posts = {post.lms_post_id: post for post in export.topics[0].posts()}
    assert sorted(posts) == ["3101", "3107", "3112", "3115", "3118"]
    blog = posts["3101"].body_text
    assert blog.startswith("top of page\nResidential Bookcase")  # the pasted page chrome is kept: a finding
    assert "Ader, R., Cohen, N. & Felten, D. (1995). Psychoneuroimmunology" in blog
    encyclopedia = posts["3107"].body_text
    assert encyclopedia.startswith("Psychotherapy\nPsychotherapy refers to a broad category encompassing therapeutic\n")
    assert posts["3115"].private and posts["3115"].lms_parent_id == "3107"
    assert "@@PLUGINFILE@@" not in posts["3112"].body_text
