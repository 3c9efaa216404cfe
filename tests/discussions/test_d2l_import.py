"""D2L Brightspace: a topic's posts as the Valence API lists them, with the topic object beside them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from forumgrader.discussions.formats import detect_format, read_export
from forumgrader.discussions.model import ExportError, ImportOptions


def post(post_id: int, thread: int, parent: int | None, user: int | None, name: str, html: str, **fields):
    return {
        "ForumId": 31, "TopicId": 507, "PostId": post_id, "ThreadId": thread, "ParentPostId": parent,
        "PostingUserId": user, "PostingUserDisplayName": name, "Subject": fields.pop("Subject", "Re: Week 5"),
        "Message": {"Text": "", "Html": html}, "DatePosted": fields.pop("DatePosted", "2024-10-02T18:20:00.000Z"),
        "LastEditedDate": None, "IsAnonymous": False, "IsDeleted": False, "WordCount": 3, "AttachmentCount": 0,
        "ReplyPostIds": [], "ThreadIsPinned": False, **fields,
    }  # fmt: skip


POSTS = [
    post(9001, 9001, None, 612, "Megan Stokes", "<p>Tsunami debris loads columns.</p>", Subject="Debris damming"),
    post(9004, 9001, 9001, 618, "Mariah Boatwright", "<p>And bridges too (Links to an external site.)</p>"),
    post(9007, 9007, None, 618, "Mariah Boatwright", "", IsDeleted=True, PostingUserId=None, Message={"Text": ""}),
]
TOPIC = {"ForumId": 31, "TopicId": 507, "Name": "Week 5: Designing for coastal hazards",
         "Description": {"Text": "", "Html": "<p>Which loads matter most?</p>"},
         "DueDate": "2024-10-07T05:59:00.000Z", "EndDate": None}  # fmt: skip


def test_brightspace_posts_import_with_their_topic():
    data = json.dumps(POSTS).encode()
    assert detect_format(data, "week5.posts.json") == "d2l"
    export = read_export(
        data, filename="week5.posts.json", options=ImportOptions(topic_json=json.dumps(TOPIC).encode())
    )
    info = export.topics[0].info
    assert (info.lms_topic_id, info.title, info.prompt_text) == ("507", "Week 5: Designing for coastal hazards",
                                                                  "Which loads matter most?")  # fmt: skip
    assert info.due_replies_at == datetime(2024, 10, 7, 5, 59, tzinfo=UTC)
    posts = list(export.topics[0].posts())
    assert [(p.lms_post_id, p.lms_thread_id, p.lms_parent_id, p.author_key, p.deleted) for p in posts] == [
        ("9001", "9001", None, "612", False),
        ("9004", "9001", "9001", "618", False),
        ("9007", "9007", None, None, True),
    ]
    assert posts[1].body_text == "And bridges too"  # the LMS's residue is removed
    assert [(p.key, p.display_name) for p in export.people] == [("612", "Megan Stokes"), ("618", "Mariah Boatwright")]
    assert export.topics[0].threads[0].title == "Debris damming"


def test_a_post_without_its_author_is_refused_naming_the_post():
    broken = [*POSTS[:1], post(9002, 9001, 9001, None, "", "<p>Hi</p>")]
    with pytest.raises(ExportError) as caught:
        read_export(json.dumps(broken).encode(), filename="posts.json")
    assert (caught.value.entry, caught.value.field) == ("9002", "PostingUserId")
