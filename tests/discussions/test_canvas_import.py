"""Canvas full-view JSON: nesting to any depth, new_entries, deleted placeholders, string ids, the topic beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from forumgrader.discussions.canvas import read_canvas
from forumgrader.discussions.model import ExportError, ImportOptions, PostRecord, Role


def entry(
    entry_id: Any, user: Any, parent: Any, message: str, *replies: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    found = {
        "id": entry_id,
        "user_id": user,
        "parent_id": parent,
        "message": message,
        "created_at": "2024-05-29T02:41:17Z",
        "updated_at": "2024-05-29T02:41:17Z",
        "rating_count": None,
        "rating_sum": None,
    }
    if replies:
        found["replies"] = list(replies)
    return found | extra


def view(*entries: dict[str, Any], new: tuple[dict[str, Any], ...] = (), ids_as: type = int) -> bytes:
    participants = [
        {"id": ids_as(10), "display_name": "Ana Rivera", "html_url": "https://canvas.example.edu/courses/77/users/10"},
        {"id": ids_as(11), "display_name": "Ben Osei", "html_url": "https://canvas.example.edu/courses/77/users/11"},
        {"id": ids_as(12), "display_name": "Chloe Park", "html_url": "https://canvas.example.edu/courses/77/users/12"},
    ]
    document = {
        "unread_entries": [],
        "forced_entries": [],
        "entry_ratings": {},
        "participants": participants,
        "view": list(entries),
        "new_entries": list(new),
    }
    return json.dumps(document).encode()


def posts_by_id(data: bytes, **options: Any) -> dict[str, PostRecord]:
    export = read_canvas(data, filename="view.json", options=ImportOptions(**options))
    return {post.lms_post_id: post for post in export.topics[0].posts()}


def test_replies_nest_to_any_depth_and_keep_their_thread() -> None:
    deep = entry(5, 10, 4, "<p>level five</p>")
    data = view(
        entry(
            1,
            10,
            None,
            "<p>Initial post</p>",
            entry(
                2, 11, 1, "<p>reply</p>", entry(3, 12, 2, "<p>reply to reply</p>", entry(4, 11, 3, "<p>4</p>", deep))
            ),
        ),
        entry(6, 12, None, "<p>Another thread</p>"),
    )
    export = read_canvas(data, filename="view.json")
    threads = export.topics[0].threads
    assert [thread.lms_thread_id for thread in threads] == ["1", "6"]
    assert [(post.lms_post_id, post.lms_parent_id) for post in threads[0].posts] == [
        ("1", None),
        ("2", "1"),
        ("3", "2"),
        ("4", "3"),
        ("5", "4"),
    ]
    assert {post.lms_thread_id for post in threads[0].posts} == {"1"}
    assert threads[0].posts[4].body_text == "level five"


def test_string_ids_read_like_integer_ids() -> None:
    as_int = posts_by_id(view(entry(1, 10, None, "<p>a</p>", entry(2, 11, 1, "<p>b</p>"))))
    as_str = posts_by_id(view(entry("1", "10", None, "<p>a</p>", entry("2", "11", "1", "<p>b</p>")), ids_as=str))
    assert as_int == as_str
    assert as_str["2"].lms_parent_id == "1" and as_str["2"].author_key == "11"


def test_new_entries_are_merged_where_they_belong() -> None:
    data = view(
        entry(1, 10, None, "<p>Initial</p>", entry(2, 11, 1, "<p>cached reply</p>")),
        new=(
            entry(2, 11, 1, "<p>cached reply, edited since</p>", updated_at="2024-05-30T08:00:00Z"),
            entry(3, 12, 1, "<p>posted after the cache was built</p>"),
            entry(4, 10, 3, "<p>and a reply to it</p>"),
        ),
    )
    export = read_canvas(data, filename="view.json")
    (thread,) = export.topics[0].threads
    assert [(post.lms_post_id, post.lms_parent_id) for post in thread.posts] == [
        ("1", None),
        ("2", "1"),
        ("3", "1"),
        ("4", "3"),
    ]
    assert thread.posts[1].body_text == "cached reply, edited since"
    assert thread.posts[1].edited_at == datetime(2024, 5, 30, 8, tzinfo=UTC)


def test_deleted_entries_stay_as_placeholders_holding_their_replies() -> None:
    deleted = {
        "id": 7,
        "parent_id": None,
        "deleted": True,
        "editor_id": 11,
        "created_at": "2024-05-29T16:10:00Z",
        "updated_at": "2024-05-30T01:12:09Z",
        "replies": [entry(8, 12, 7, "<p>I could not open your link.</p>")],
    }
    posts = posts_by_id(view(entry(1, 10, None, "<p>Initial</p>"), deleted))
    assert posts["7"].deleted and posts["7"].author_key is None and posts["7"].body_text == ""
    assert posts["8"].lms_parent_id == "7" and posts["8"].lms_thread_id == "7" and not posts["8"].deleted
    assert "replies" not in posts["7"].raw  # the raw record is the entry, not its whole subtree


def test_names_come_from_participants_and_strangers_are_noted() -> None:
    export = read_canvas(view(entry(1, 10, None, "<p>a</p>"), entry(2, 99, None, "<p>b</p>")), filename="v.json")
    names = {person.key: person.display_name for person in export.people}
    assert names["10"] == "Ana Rivera" and names["99"] == ""
    assert export.warnings == ("entry 2: user 99 is not among the participants",)
    assert export.course_hint == "Canvas course 77"


def test_times_are_aware_utc_and_edits_are_told_apart() -> None:
    posts = posts_by_id(
        view(
            entry(
                1, 10, None, "<p>a</p>", created_at="2024-05-28T20:41:17-06:00", updated_at="2024-05-28T20:41:17-06:00"
            )
        )
    )
    assert posts["1"].created_at == datetime(2024, 5, 29, 2, 41, 17, tzinfo=UTC)
    assert posts["1"].edited_at is None


def test_the_topic_json_gives_title_prompt_due_dates_and_the_instructor() -> None:
    topic = {
        "id": 88412,
        "title": "Week 3",
        "message": "<p>Explain <b>why</b>.</p>",
        "assignment_id": 48213,
        "html_url": "https://canvas.example.edu/courses/77/discussion_topics/88412",
        "reply_to_entry_required_count": 2,
        "author": {"id": 5, "display_name": "Dr. Linda Carver"},
        "assignment": {
            "id": 48213,
            "points_possible": 100.0,
            "due_at": None,
            "checkpoints": [
                {"tag": "reply_to_topic", "due_at": "2024-05-30T05:59:59Z", "points_possible": 70},
                {"tag": "reply_to_entry", "due_at": "2024-06-03T05:59:59Z", "points_possible": 30},
            ],
        },
    }
    export = read_canvas(view(), filename="view.json", options=ImportOptions(topic_json=json.dumps(topic).encode()))
    info = export.topics[0].info
    assert (info.lms_topic_id, info.title, info.prompt_text) == ("88412", "Week 3", "Explain why.")
    assert info.due_initial_at == datetime(2024, 5, 30, 5, 59, 59, tzinfo=UTC)
    assert info.due_replies_at == datetime(2024, 6, 3, 5, 59, 59, tzinfo=UTC)
    assert (info.points_possible, info.required_replies, info.lms_assignment_id) == (100.0, 2, "48213")
    instructor = next(person for person in export.people if person.key == "5")
    assert instructor.role is Role.INSTRUCTOR and instructor.display_name == "Dr. Linda Carver"


def test_a_topic_without_checkpoints_takes_the_assignment_due_date() -> None:
    topic = {"id": 3, "title": "T", "assignment": {"points_possible": 10, "due_at": "2024-06-05T05:59:00Z"}}
    info = read_canvas(view(), filename="v.json", options=ImportOptions(topic_json=json.dumps(topic).encode())).topics[
        0
    ]
    assert info.info.due_initial_at == datetime(2024, 6, 5, 5, 59, tzinfo=UTC)
    assert info.info.due_replies_at is None


@pytest.mark.parametrize("checkpoints", [None, 5, "reply_to_entry", {"tag": "reply_to_entry"}])
def test_checkpoints_of_another_shape_leave_the_assignment_due_date(checkpoints: Any) -> None:
    topic = {"id": 3, "assignment": {"due_at": "2024-06-05T05:59:00Z", "checkpoints": checkpoints}}
    options = ImportOptions(topic_json=json.dumps(topic).encode())
    info = read_canvas(view(), filename="v.json", options=options).topics[0].info
    assert (info.due_initial_at, info.due_replies_at) == (datetime(2024, 6, 5, 5, 59, tzinfo=UTC), None)


@pytest.mark.parametrize(
    ("broken", "entry_id", "field"),
    [
        (entry(41, None, None, "<p>who wrote this?</p>"), "41", "user_id"),
        (entry(42, 10, None, "<p>a</p>", created_at="last Tuesday"), "42", "created_at"),
        (entry(43, 10, None, {"html": "<p>a</p>"}), "43", "message"),
        (entry(None, 10, None, "<p>a</p>"), "(no id, replying to 1)", "id"),
    ],
)
def test_a_malformed_entry_is_named_with_its_field(broken: dict[str, Any], entry_id: str, field: str) -> None:
    with pytest.raises(ExportError) as raised:
        read_canvas(view(entry(1, 10, None, "<p>fine</p>", broken)), filename="view.json")
    assert (raised.value.entry, raised.value.field) == (entry_id, field)
    assert f"entry {entry_id}, field `{field}`" in str(raised.value)


def test_a_file_that_is_not_a_view_says_how_to_get_one() -> None:
    with pytest.raises(ExportError, match="include_new_entries=1"):
        read_canvas(b'{"entries": []}', filename="view.json")
    with pytest.raises(ExportError, match="line 1") as raised:
        read_canvas(b'{"view": [', filename="view.json")
    assert raised.value.line == 1


def test_the_bundled_sample(samples: Path) -> None:
    folder = samples / "canvas"
    export = read_canvas(
        (folder / "psychotherapy-biological-basis.view.json").read_bytes(),
        filename="psychotherapy-biological-basis.view.json",
        options=ImportOptions(topic_json=(folder / "psychotherapy-biological-basis.topic.json").read_bytes()),
    )
    posts = {post.lms_post_id: post for post in export.topics[0].posts()}
    assert sorted(posts) == ["7001", "7004", "7006", "7009", "7014", "7020"]
    assert posts["7020"].lms_parent_id == "7001"  # the third reply came in new_entries
    assert posts["7001"].body_text.startswith("Psychotherapy Biological Basis\n\nPeer-reviewed articles")
    # the glued heading stays glued, the residue is gone from the text but kept in the HTML
    assert "\n\nReferencesAvasthi A, Grover S, Nischal A." in posts["7001"].body_text
    assert "Journal of Individual Psychology78(2), 155–174.\n\nMoreira" in posts["7001"].body_text
    assert "to an external site" not in posts["7001"].body_text and "to an external site" in posts["7001"].body_html
    assert posts["7014"].body_text.endswith("BMC health services research22(1), 983.")
    assert export.topics[0].info.title == "Psychotherapy Biological Basis"
