"""D2L Brightspace: a topic's posts as the Valence API lists them (`GET .../discussions/forums/(forumId)/topics/
(topicId)/posts/`), with the topic object (`.../topics/(topicId)`) beside it for the title, prompt and due date.

Brightspace has no export of posts in its pages; the API's JSON is what a site's staff or a script downloads.
Posts name their author by `PostingUserId` (the user's Identifier) and `PostingUserDisplayName`; grades match on
OrgDefinedId or Username, which a D2L grades export (the course's roster) brings in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from forumgrader.discussions.cleanup import clean_html, word_count
from forumgrader.discussions.fields import decode_text, iso_time, lms_id, load_json, optional_id
from forumgrader.discussions.model import (
    DiscussionExport,
    ExportError,
    ExportFormat,
    ImportOptions,
    Participant,
    PostRecord,
    ThreadRecord,
    TopicExport,
    TopicInfo,
)
from forumgrader.discussions.threads import group_threads

POST_KEYS = frozenset({"PostId", "ThreadId", "PostingUserId"})
_HELP = "download GET /d2l/api/le/(version)/(orgUnitId)/discussions/forums/(forumId)/topics/(topicId)/posts/"


def looks_like_d2l(parsed: Any) -> bool:
    """Tell whether parsed JSON is a list of Brightspace discussion posts."""
    return isinstance(parsed, list) and bool(parsed) and isinstance(parsed[0], dict) and set(parsed[0]) >= POST_KEYS


def _text(message: Any, post_id: str) -> tuple[str, str]:
    """Brightspace's RichText: Html holds the body; Text is often empty."""
    if not isinstance(message, dict):
        raise ExportError("`Message` is not a rich text object with Text and Html", entry=post_id, field="Message")
    html, text = message.get("Html") or "", message.get("Text") or ""
    if not isinstance(html, str) or not isinstance(text, str):
        raise ExportError("`Message` holds something other than text", entry=post_id, field="Message")
    shown = html or "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return shown, clean_html(shown) if html else text


def _time(record: Mapping[str, Any], key: str, post_id: str, options: ImportOptions) -> datetime | None:
    try:
        return iso_time(record.get(key), timezone=options.timezone)
    except ValueError as error:
        raise ExportError(str(error), entry=post_id, field=key) from error


def read_d2l(data: bytes, *, filename: str, options: ImportOptions | None = None) -> DiscussionExport:
    """Read a Brightspace topic's posts (a JSON array), and its topic object when given."""
    options = options or ImportOptions()
    posts = load_json(decode_text(data))
    if not looks_like_d2l(posts):
        raise ExportError(f"{filename} is not a list of Brightspace posts (PostId, ThreadId, PostingUserId): {_HELP}")
    people: dict[str, Participant] = {}
    records = []
    for record in posts:
        if not isinstance(record, dict):
            raise ExportError("a post is not an object", field="posts")
        post_id = lms_id(record.get("PostId"), field="PostId", entry=str(record.get("PostId", "?")))
        deleted = record.get("IsDeleted") is True
        author = optional_id(record.get("PostingUserId"), field="PostingUserId", entry=post_id)
        if author is None and not deleted:
            if not record.get("IsAnonymous"):
                raise ExportError("a post that is not deleted has no PostingUserId", entry=post_id,
                                  field="PostingUserId")  # fmt: skip
            author = f"anonymous:{post_id}"
        if author is not None and author not in people:
            name = str(record.get("PostingUserDisplayName") or "")
            people[author] = Participant(key=author, display_name=name, lms_user_id=author)
        shown, text = ("", "") if deleted else _text(record.get("Message"), post_id)
        created = _time(record, "DatePosted", post_id, options)
        edited = _time(record, "LastEditedDate", post_id, options)
        records.append(PostRecord(
            lms_post_id=post_id,
            lms_thread_id=lms_id(record.get("ThreadId"), field="ThreadId", entry=post_id),
            lms_parent_id=optional_id(record.get("ParentPostId"), field="ParentPostId", entry=post_id),
            author_key=None if deleted else author,
            created_at=created,
            edited_at=edited if edited and edited != created else None,
            subject=str(record.get("Subject") or ""),
            body_html=shown,
            body_text=text,
            word_count=word_count(text),
            deleted=deleted,
            raw=dict(record),
        ))  # fmt: skip
    threads = tuple(
        ThreadRecord(lms_thread_id=thread, title=members[0].subject, posts=members)
        for thread, members in group_threads(records).items()
    )
    return DiscussionExport(
        format=ExportFormat.D2L,
        course_hint="",
        topics=(TopicExport(info=_topic_info(options), threads=threads),),
        people=tuple(people.values()),
    )


def _topic_info(options: ImportOptions) -> TopicInfo:
    """The topic object's name, description and due date (DueDate, else EndDate: when posting closes)."""
    if not options.topic_json:
        return TopicInfo()
    topic = load_json(decode_text(options.topic_json))
    if not isinstance(topic, dict) or "TopicId" not in topic:
        raise ExportError("the topic JSON is not a Brightspace discussion topic (no TopicId)", field="topic")
    description = topic.get("Description")
    prompt = description.get("Html") or description.get("Text") or "" if isinstance(description, dict) else ""
    try:
        due = iso_time(topic.get("DueDate") or topic.get("EndDate"), timezone=options.timezone)
    except ValueError as error:
        raise ExportError(str(error), entry=str(topic.get("TopicId")), field="DueDate") from error
    return TopicInfo(
        lms_topic_id=lms_id(topic["TopicId"], field="TopicId", entry="topic"),
        title=str(topic.get("Name") or ""),
        prompt_html=str(prompt),
        prompt_text=clean_html(str(prompt)),
        due_replies_at=due,
    )
