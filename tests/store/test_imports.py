"""The import service: what lands in the database, idempotency, later exports, and people who gain ids."""

from __future__ import annotations

import hashlib
import json
from copy import deepcopy
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions
from forumgrader.store.imports import ImportSummary, import_export
from forumgrader.store.models import Course, ImportBatch, Person, Post, Thread, Topic

VIEW = "canvas/psychotherapy-biological-basis.view.json"
TOPIC = "canvas/psychotherapy-biological-basis.topic.json"
MOODLE_HEADER = (
    "id,discussion,parent,userid,userfullname,created,modified,subject,message,messageformat,deleted,privatereplyto\n"
)


def store(session: Session, data: bytes, name: str, **options: Any) -> ImportSummary:
    course = options.pop("course", None)
    export = read_export(data, filename=name, options=ImportOptions(**options))
    summary = import_export(
        session, export, file_name=name, sha256=hashlib.sha256(data).hexdigest(), course_name=course
    )
    session.commit()
    return summary


def canvas_sample(samples: Path) -> tuple[dict[str, Any], bytes]:
    return json.loads((samples / VIEW).read_text()), (samples / TOPIC).read_bytes()


def test_the_canvas_sample_lands_whole(session: Session, samples: Path) -> None:
    view, topic_json = canvas_sample(samples)
    summary = store(
        session, json.dumps(view).encode(), "psychotherapy-biological-basis.view.json", topic_json=topic_json
    )
    assert summary.as_json() | {"already_imported_at": None} == {
        "course": "Canvas course 1547",
        "topic": summary.topics[0][0],
        "topics": [summary.topics[0][0]],
        "threads": 2,
        "posts": 5,
        "replies": 4,
        "private": 0,
        "people": 4,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "already_imported_at": None,
    }
    topic = session.get_one(Topic, summary.topics[0][0])
    assert (topic.title, topic.lms_topic_id, topic.lms_assignment_id, topic.points_possible) == (
        "Psychotherapy Biological Basis",
        "88412",
        "48213",
        100.0,
    )
    assert topic.due_initial_at is not None and topic.due_initial_at.isoformat() == "2024-05-30T05:59:59+00:00"
    posts = {post.lms_post_id: post for post in session.scalars(select(Post))}
    assert posts["7009"].parent is posts["7001"] and posts["7020"].parent is posts["7001"]
    assert posts["7006"].parent is posts["7004"] and posts["7004"].deleted and posts["7004"].author is None
    assert posts["7001"].author is not None and posts["7001"].author.display_name == "Danielle Okafor"
    assert posts["7001"].thread is posts["7009"].thread and posts["7006"].thread.lms_thread_id == "7004"
    assert "to an external site" in posts["7009"].body_html and "to an external site" not in posts["7009"].body_text
    instructor = session.scalars(select(Person).where(Person.key == "19877")).one()
    assert (instructor.display_name, instructor.role) == ("Linda Carver", "instructor")
    batch = session.scalars(select(ImportBatch)).one()
    assert (batch.format, batch.counts["posts"], batch.file_name) == (
        "canvas",
        5,
        "psychotherapy-biological-basis.view.json",
    )


def test_the_same_file_again_changes_nothing(session: Session, samples: Path) -> None:
    data = (samples / "moodle" / "discussion.csv").read_bytes()
    first = store(session, data, "discussion.csv")
    hashes = sorted(session.scalars(select(Post.content_hash)))
    again = store(session, data, "discussion.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert again.already_imported_at is not None
    assert (again.posts, again.replies, again.private, again.people, again.threads) == (5, 3, 1, 3, 2)
    assert again.topics == first.topics
    assert sorted(session.scalars(select(Post.content_hash))) == hashes
    assert session.scalar(select(func.count(ImportBatch.id))) == 1
    assert session.scalar(select(func.count(Course.id))) == 1


def test_the_same_file_into_another_course_is_a_new_import(session: Session, samples: Path) -> None:
    data = (samples / "moodle" / "discussion.csv").read_bytes()
    store(session, data, "discussion.csv", course="NURS 6501 Fall")
    other = store(session, data, "discussion.csv", course="NURS 6501 Spring")
    assert other.created == 5 and other.course == "NURS 6501 Spring"
    assert session.scalar(select(func.count(Post.id))) == 10


def test_a_later_export_adds_new_posts_and_updates_edited_ones(session: Session, samples: Path) -> None:
    view, topic_json = canvas_sample(samples)
    first = store(session, json.dumps(view).encode(), "week3.view.json", topic_json=topic_json)
    later = deepcopy(view)
    later["view"][0]["replies"][0]["message"] += "<p>Edit: I fixed my second reference.</p>"
    later["view"][0]["replies"][0]["updated_at"] = "2024-06-02T10:00:00Z"
    later["view"][0]["replies"].append(later.pop("new_entries")[0])  # the cache caught up
    later["new_entries"] = [
        {
            "id": 7031,
            "user_id": 20931,
            "parent_id": 7014,
            "created_at": "2024-06-03T01:00:00Z",
            "updated_at": "2024-06-03T01:00:00Z",
            "message": "<p>Thank you, Priya.</p>",
        }
    ]
    # downloaded again without the topic JSON, under another name: the posts' ids find the topic
    second = store(session, json.dumps(later).encode(), "week3 (1).view.json")
    assert (second.created, second.updated, second.unchanged) == (1, 1, 5)
    assert second.topics == first.topics and second.course == first.course
    assert (second.posts, second.replies, second.people) == (6, 5, 4)
    assert session.scalar(select(func.count(Post.id))) == 7
    edited = session.scalars(select(Post).where(Post.lms_post_id == "7009")).one()
    assert edited.body_text.endswith("Edit: I fixed my second reference.")
    assert edited.edited_at is not None and edited.edited_at.isoformat() == "2024-06-02T10:00:00+00:00"
    topic = session.get_one(Topic, first.topics[0][0])
    assert topic.title == "Psychotherapy Biological Basis"  # what the first file told is not forgotten


def test_a_filtered_export_of_new_posts_joins_the_threads_it_replies_to(session: Session) -> None:
    header = MOODLE_HEADER
    first = header + "1,10,0,57,Hannah,1716933420,1716933420,Week 3,<p>start</p>,1,0,0\n"
    later = header + "2,10,1,63,Omar,1717000000,1717000000,Re: Week 3,<p>reply</p>,1,0,0\n"
    one = store(session, first.encode(), "discussion.csv")
    two = store(session, later.encode(), "discussion (1).csv")
    assert two.topics == one.topics and (two.created, two.posts, two.replies, two.threads) == (1, 2, 1, 1)
    reply = session.scalars(select(Post).where(Post.lms_post_id == "2")).one()
    assert reply.parent is not None and reply.parent.lms_post_id == "1"


def test_a_reply_to_a_post_missing_from_every_export_hangs_on_a_placeholder(session: Session) -> None:
    header = MOODLE_HEADER
    only_reply = header + "2,10,1,63,Omar,1717000000,1717000000,Re: Week 3,<p>reply</p>,1,0,0\n"
    summary = store(session, only_reply.encode(), "discussion.csv", course="C")
    assert (summary.placeholders, summary.posts, summary.replies) == (1, 1, 1)
    placeholder = session.scalars(select(Post).where(Post.lms_post_id == "1")).one()
    assert placeholder.deleted and placeholder.thread.lms_thread_id == "10"
    both = header + "1,10,0,57,Hannah,1716933420,1716933420,Week 3,<p>start</p>,1,0,0\n" + only_reply.split("\n", 1)[1]
    later = store(session, both.encode(), "discussion.csv", course="C")
    assert (later.created, later.unchanged, later.posts) == (1, 1, 2)  # the placeholder became the real post
    assert session.scalar(select(func.count(Post.id))) == 2
    assert not session.get_one(Post, placeholder.id).deleted


def test_people_gain_ids_they_did_not_have(session: Session) -> None:
    by_name = b"post_id,post_author_name,post_message\n1,Ana Rivera,<p>hello</p>\n"
    store(session, by_name, "posts.csv", course="C")
    with_email = b"post_id,post_author_name,post_author_email,post_message\n1,Ana Rivera,ana@example.edu,<p>hello</p>\n"
    summary = store(session, with_email, "posts (1).csv", course="C")
    person = session.scalars(select(Person)).one()
    assert (person.display_name, person.email) == ("Ana Rivera", "ana@example.edu")
    assert summary.unchanged == 1


def test_a_csv_of_several_topics_makes_several_topics(session: Session) -> None:
    rows = [
        "topic_id,topic_title,topic_message,topic_author_id,topic_author_name,topic_timestamp,post_author_id,"
        "post_author_name,post_id,post_parent_id,post_message,post_likes,post_timestamp",
        "1,Week 3,<p>p</p>,5,Linda Carver,,10,Ana,101,,<p>a</p>,0,2024-05-29T02:41:17Z",
        "2,Week 4,<p>p</p>,5,Linda Carver,,11,Ben,201,,<p>b</p>,0,2024-06-05T02:41:17Z",
        "2,Week 4,<p>p</p>,5,Linda Carver,,10,Ana,202,201,<p>c</p>,0,2024-06-06T02:41:17Z",
    ]
    summary = store(session, "\n".join(rows).encode(), "1547-discussion.csv")
    assert [title for _id, title in summary.topics] == ["Week 3", "Week 4"]
    assert (summary.course, summary.posts, summary.replies, summary.people, summary.threads) == (
        "Canvas course 1547",
        3,
        1,
        2,
        2,
    )
    assert session.scalar(select(func.count(Thread.id))) == 2


def test_a_revised_draft_updates_its_post(session: Session) -> None:
    first = store(session, b"My draft, first version.", "week3-draft.txt", course="C", author="Tyler Hughes")
    second = store(session, b"My draft, second version.", "week3-draft.txt", course="C", author="Tyler Hughes")
    assert second.topics == first.topics and (second.created, second.updated) == (0, 1)
    assert session.scalars(select(Post.body_text)).one() == "My draft, second version."
