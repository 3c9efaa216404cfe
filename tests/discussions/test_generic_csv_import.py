"""Generic CSV: the ubc/canvas-discussion preset, and any layout through a column mapping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from forumgrader.discussions.formats import read_export
from forumgrader.discussions.generic_csv import preset_for, read_csv
from forumgrader.discussions.model import ExportError, ImportOptions, Role

UBC = (
    "topic_id",
    "topic_title",
    "topic_message",
    "topic_author_id",
    "topic_author_name",
    "topic_timestamp",
    "post_author_id",
    "post_author_name",
    "post_id",
    "post_parent_id",
    "post_message",
    "post_likes",
    "post_timestamp",
)


def as_csv(header: tuple[str, ...], rows: list[tuple[Any, ...]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def topic_row(topic: int, title: str) -> tuple[Any, ...]:
    return (topic, title, f"<p>Prompt of {title}</p>", 5, "Linda Carver", "2024-05-27T13:00:00Z")


UBC_FILE = as_csv(
    UBC,
    [
        (
            *topic_row(1, "Week 3"),
            10,
            "Ana Rivera",
            101,
            "",
            "<p>Initial post</p><p>Refs</p>",
            2,
            "2024-05-29T02:41:17Z",
        ),
        (*topic_row(1, "Week 3"), 11, "Ben Osei", 102, 101, "<p>Reply</p>", 0, "2024-05-30T10:00:00Z"),
        (*topic_row(1, "Week 3"), 10, "Ana Rivera", 103, 102, "<p>Reply to reply</p>", 0, "2024-05-31T10:00:00Z"),
        (*topic_row(2, "Week 4"), 11, "Ben Osei", 201, "", "<p>Week 4 post</p>", 1, "2024-06-05T10:00:00Z"),
        (*topic_row(3, "Week 5"), "", "", "", "", "", "", ""),
    ],
)


def test_the_ubc_canvas_discussion_layout_is_a_preset() -> None:
    assert preset_for(list(UBC)) == "canvas-discussion"
    export = read_csv(UBC_FILE, filename="1547-discussion.csv")
    assert export.course_hint == "Canvas course 1547"
    topics = {topic.info.lms_topic_id: topic for topic in export.topics}
    assert [topics[key].info.title for key in ("1", "2", "3")] == ["Week 3", "Week 4", "Week 5"]
    assert topics["3"].threads == ()  # a topic with no posts is one row with empty post columns
    (thread,) = topics["1"].threads
    assert thread.lms_thread_id == "101"  # each top-level post starts a thread
    assert [(post.lms_post_id, post.lms_parent_id) for post in thread.posts] == [
        ("101", None),
        ("102", "101"),
        ("103", "102"),
    ]
    assert thread.posts[0].body_text == "Initial post\n\nRefs"
    assert thread.posts[0].created_at == datetime(2024, 5, 29, 2, 41, 17, tzinfo=UTC)
    assert thread.posts[0].raw["post_likes"] == "2"
    people = {person.key: person for person in export.people}
    assert people["5"].role is Role.INSTRUCTOR and people["10"].display_name == "Ana Rivera"
    assert topics["1"].info.prompt_text == "Prompt of Week 3"


def test_any_layout_through_a_column_mapping() -> None:
    header = ("Entry ID", "Reply To", "Student", "Email", "Posted", "Text", "Thread")
    data = as_csv(
        header,
        [
            (
                "e1",
                "",
                "Ana Rivera",
                "ana@example.edu",
                "Monday, 3 June 2024, 9:15 AM",
                "Plain text\nsecond line",
                "t1",
            ),
            ("e2", "e1", "Ben Osei", "ben@example.edu", "2024-06-04 10:00", "<p>html reply</p>", "t1"),
        ],
        delimiter=";",
    )
    mapping = {
        "post_id": "Entry ID",
        "post_parent_id": "Reply To",
        "post_author_name": "Student",
        "post_author_email": "Email",
        "post_timestamp": "Posted",
        "post_message": "Text",
        "thread_id": "thread",
    }
    export = read_csv(data, filename="posts.csv", options=ImportOptions(columns=mapping))
    posts = {post.lms_post_id: post for post in export.topics[0].posts()}
    assert posts["e1"].body_text == "Plain text\nsecond line"  # text cells keep their line breaks
    assert posts["e2"].body_text == "html reply" and posts["e2"].lms_thread_id == "t1"
    assert posts["e1"].author_key == "Ana Rivera"  # no id column: the name is the key
    assert posts["e1"].created_at == datetime(2024, 6, 3, 9, 15, tzinfo=UTC)
    assert {person.email for person in export.people} == {"ana@example.edu", "ben@example.edu"}


def test_a_pipe_separated_file_is_told_and_read() -> None:
    data = as_csv(("post_id", "post_author_name", "post_message"), [("1", "Ana", "a, b; c"), ("2", "Ben", "d")], "|")
    export = read_export(data, filename="posts.csv")
    assert [post.body_text for post in export.topics[0].posts()] == ["a, b; c", "d"]


def test_a_post_listed_twice_in_a_topic_is_refused_at_its_second_line() -> None:
    rows = [
        (*topic_row(1, "W"), 10, "Ana", 101, "", "<p>first</p>", 0, "2024-05-29T02:41:17Z"),
        (*topic_row(2, "X"), 10, "Ana", 101, "", "<p>another topic</p>", 0, "2024-05-29T02:41:17Z"),
        (*topic_row(1, "W"), 11, "Ben", 101, "", "<p>second</p>", 0, "2024-05-30T02:41:17Z"),
    ]
    with pytest.raises(ExportError, match=r"post 101 appears twice \(first at line 2\)") as raised:
        read_csv(as_csv(UBC, rows), filename="1-discussion.csv")
    assert (raised.value.line, raised.value.field) == (4, "post_id")


def test_without_a_preset_or_mapping_it_says_which_field_to_map() -> None:
    data = as_csv(("Entry", "Who", "Body"), [("1", "Ana", "text")])
    with pytest.raises(ExportError, match="--column FIELD=HEADER") as raised:
        read_csv(data, filename="posts.csv")
    assert (raised.value.line, raised.value.field) == (1, "post_id")


def test_a_mapping_to_a_missing_column_or_an_unknown_field_is_named() -> None:
    data = as_csv(("Entry", "Who", "Body"), [("1", "Ana", "text")])
    with pytest.raises(ExportError, match="no column 'Message'"):
        read_csv(data, filename="p.csv", options=ImportOptions(columns={"post_id": "Entry", "post_message": "Message"}))
    with pytest.raises(ExportError, match="unknown field `body`"):
        read_csv(data, filename="p.csv", options=ImportOptions(columns={"body": "Body"}))


def test_a_bad_cell_late_in_the_file_names_its_line() -> None:
    rows = [(*topic_row(1, "W"), 10, "Ana", 100 + n, "", f"<p>{n}</p>", 0, "2024-05-29T02:41:17Z") for n in range(8)]
    rows.append((*topic_row(1, "W"), 10, "Ana", 200, "", "<p>late</p>", 0, "the day before yesterday"))
    with pytest.raises(ExportError) as raised:
        read_csv(as_csv(UBC, rows), filename="1-discussion.csv")
    assert (raised.value.line, raised.value.field) == (10, "post_timestamp")


def test_unescaped_commas_are_caught_as_extra_cells() -> None:
    data = b"post_id,post_author_name,post_message\n1,Ana,fine\n2,Ben,not quoted, with a comma\n"
    with pytest.raises(ExportError, match="was not escaped") as raised:
        read_csv(data, filename="p.csv")
    assert raised.value.line == 3
