"""Which importer reads a file, told from its content; and the size limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forumgrader.discussions.formats import IMPORTERS, check_size, detect_format, read_export
from forumgrader.discussions.model import ExportError, ExportFormat
from forumgrader.discussions.moodle import COLUMNS


def test_the_bundled_samples_are_recognised(samples: Path) -> None:
    view = samples / "canvas" / "psychotherapy-biological-basis.view.json"
    assert detect_format(view.read_bytes(), view.name) == "canvas"
    moodle = samples / "moodle" / "discussion.csv"
    assert detect_format(moodle.read_bytes(), moodle.name) == "moodle"
    for seed in sorted((samples / "seeds").glob("*.txt")):
        assert detect_format(seed.read_bytes(), seed.name) == "document"


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b'{"participants": [], "view": [], "new_entries": []}', "export", "canvas"),
        (b'\xef\xbb\xbf{"view": []}', "view.json", "canvas"),
        (
            json.dumps(
                [
                    [
                        {
                            "id": 1,
                            "discussion": 2,
                            "parent": 0,
                            "userid": 3,
                            "userfullname": "A",
                            "messageformat": 1,
                            "created": 1,
                            "message": "",
                        }
                    ]
                ]
            ).encode(),
            "discussion.json",
            "moodle",
        ),
        (b"[[]]", "discussion.json", "moodle"),
        (",".join(COLUMNS).encode() + b"\n", "forum-export.txt", "moodle"),
        ((",".join(COLUMNS) + "\n").encode("utf-16"), "discussion.csv", "moodle"),
        (
            b"topic_id,topic_title,topic_message,topic_author_id,topic_author_name,topic_timestamp,post_author_id,"
            b"post_author_name,post_id,post_parent_id,post_message,post_likes,post_timestamp\n",
            "1547-discussion.csv",
            "csv",
        ),
        (b"post_id,post_author_name,post_message\n1,Ana,hi\n", "posts.csv", "csv"),
        (b"# Draft\n\nSome text, with commas, here.", "draft.md", "document"),
        (b"<p>pasted</p>", "", "document"),
        (b"PK\x03\x04rest", "draft", "document"),
    ],
)
def test_detection_from_content(content: bytes, filename: str, expected: str) -> None:
    assert detect_format(content, filename) == expected


def test_a_canvas_topic_alone_says_to_import_the_view_with_it() -> None:
    topic = json.dumps({"id": 1, "title": "Week 3", "message": "<p>prompt</p>", "discussion_type": "threaded"})
    with pytest.raises(ExportError, match="give this file with --topic-json"):
        detect_format(topic.encode(), "topic.json")


def test_an_unknown_csv_layout_asks_for_a_column_mapping() -> None:
    with pytest.raises(ExportError, match="--format csv and name the columns with --column"):
        detect_format(b"Entry,Who,Body\n1,Ana,text\n", "posts.csv")


def test_spreadsheets_and_broken_json_are_refused_with_what_to_do() -> None:
    with pytest.raises(ExportError, match=r"save it as \.xlsx or CSV, or export the forum as JSON"):
        detect_format(b"PK\x03\x04", "discussion.ods")
    with pytest.raises(ExportError, match="not an Excel workbook"):
        detect_format(b"PK\x03\x04", "discussion.xlsx")
    with pytest.raises(ExportError, match="may be cut short") as raised:
        detect_format(b'{"view": [\n{"id": 1,', "view.json")
    assert raised.value.line == 2


@pytest.mark.parametrize("filename", ["discussion.csv", "view.json", "draft.txt"])
def test_an_empty_file_is_called_empty(filename: str) -> None:
    with pytest.raises(ExportError, match=f"{filename} is empty: export it again"):
        read_export(b"\xef\xbb\xbf\r\n \n", filename=filename)


def test_a_json_file_that_is_a_bare_value_says_what_is_wrong() -> None:
    with pytest.raises(ExportError, match="neither a Canvas discussion view, a Moodle forum export nor"):
        detect_format(b"null", "view.json")


def test_replies_nested_deeper_than_json_can_be_read_are_refused_with_what_to_do() -> None:
    depth = 1500
    nested = "".join(f'{{"id": {level}, "user_id": 1, "replies": [' for level in range(depth)) + "]}" * depth
    view = f'{{"participants": [], "view": [{nested}]}}'.encode()
    for chosen in (None, "canvas"):
        with pytest.raises(ExportError, match=r"nests too deeply to read.*export the discussion as a CSV"):
            read_export(view, filename="view.json", format=chosen)


def test_a_binary_file_of_another_type_is_refused_by_its_type() -> None:
    with pytest.raises(ExportError, match=r"\.pdf files are not documents we read"):
        read_export(b"%PDF-1.7\n\x81\x8d\x8f binary", filename="draft.pdf")


def test_format_can_be_forced_and_every_format_has_an_importer() -> None:
    assert set(IMPORTERS) == {member.value for member in ExportFormat}
    moodle_header = ",".join(COLUMNS).encode() + b"\n"
    assert detect_format(moodle_header, "notes.txt") == "moodle"
    export = read_export(moodle_header, filename="notes.txt", format="document")
    assert export.format is ExportFormat.DOCUMENT


def test_the_size_limit_says_how_big_and_what_to_do() -> None:
    check_size(50 * 1024 * 1024, filename="discussion.csv", max_bytes=50 * 1024 * 1024)
    with pytest.raises(ExportError, match=r"discussion.csv is 60.0 MB, over the 50.0 MB import limit: export fewer"):
        check_size(60 * 1024 * 1024, filename="exports/discussion.csv", max_bytes=50 * 1024 * 1024)
    with pytest.raises(ExportError, match="MAX_IMPORT_BYTES"):
        read_export(b"x" * 2048, filename="draft.txt", max_bytes=1024)
