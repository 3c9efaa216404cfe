"""Canvas: the discussion "full view" JSON (`.../discussion_topics/:id/view`), with the topic JSON beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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
    Role,
    ThreadRecord,
    TopicExport,
    TopicInfo,
)
from forumgrader.discussions.threads import group_threads, thread_roots

_COURSE_IN_URL = re.compile(r"/courses/(\d+)/")
_VIEW_HELP = "download /api/v1/courses/:course_id/discussion_topics/:topic_id/view?include_new_entries=1"
MAX_COUNT = 1_000_000  # points possible or replies required: more is no topic's (and overflows a column)


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    parent: str | None
    record: Mapping[str, Any]


def read_canvas(data: bytes, *, filename: str, options: ImportOptions | None = None) -> DiscussionExport:
    """Read a Canvas full-view JSON: nested replies, `new_entries` merged in, deleted entries kept as placeholders."""
    options = options or ImportOptions()
    view = load_json(decode_text(data))
    if not isinstance(view, dict) or not isinstance(view.get("view"), list):
        raise ExportError(f"{filename} is not a Canvas discussion full view (no `view` list): {_VIEW_HELP}")
    entries = _merge(_walk(view["view"]), view.get("new_entries") or [])
    people = _participants(view.get("participants") or [])
    topic = load_json(decode_text(options.topic_json)) if options.topic_json else {}
    if not isinstance(topic, dict):
        raise ExportError("the topic JSON is not a Canvas discussion topic object", field="topic")
    author = _topic_author(topic)
    if author is not None:
        people[author.key] = author
    warnings: list[str] = []
    roots = thread_roots({entry.id: entry.parent for entry in entries.values()})
    posts = [_post(entry, roots[entry.id], options) for entry in entries.values()]
    for post in posts:
        if post.author_key is not None and post.author_key not in people:
            people[post.author_key] = Participant(key=post.author_key, lms_user_id=post.author_key)
            warnings.append(f"entry {post.lms_post_id}: user {post.author_key} is not among the participants")
    threads = tuple(
        ThreadRecord(lms_thread_id=root, title="", posts=members) for root, members in group_threads(posts).items()
    )
    return DiscussionExport(
        format=ExportFormat.CANVAS,
        course_hint=_course_hint(topic, view),
        topics=(TopicExport(info=_topic_info(topic, options), threads=threads),),
        people=tuple(people.values()),
        warnings=tuple(warnings),
    )


def _walk(top: list[Any]) -> Iterator[_Entry]:
    stack: list[tuple[Any, str | None]] = [(entry, None) for entry in reversed(top)]
    while stack:
        entry, parent = stack.pop()
        if not isinstance(entry, dict):
            raise ExportError(f"a view entry is {type(entry).__name__}, not an object: {_VIEW_HELP}", field="view")
        entry_id = lms_id(entry.get("id"), field="id", entry=_label(entry, parent))
        if parent is None:
            parent = optional_id(entry.get("parent_id"), field="parent_id", entry=entry_id)
        yield _Entry(entry_id, parent, entry)
        replies = entry.get("replies") or []
        if not isinstance(replies, list):
            raise ExportError("`replies` is not a list", entry=entry_id, field="replies")
        stack.extend((reply, entry_id) for reply in reversed(replies))


def _label(record: Mapping[str, Any], parent: Any) -> str:
    """Name an entry in a message, even one whose id is missing."""
    if record.get("id") not in (None, ""):
        return str(record["id"])
    return f"(no id, replying to {parent})" if parent is not None else "(no id, at the top level)"


def _merge(walked: Iterator[_Entry], new_entries: Any) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    for entry in walked:
        entries[entry.id] = entry
    if not isinstance(new_entries, list):
        raise ExportError("`new_entries` is not a list", field="new_entries")
    for record in new_entries:
        if not isinstance(record, dict):
            raise ExportError("a new entry is not an object", field="new_entries")
        entry_id = lms_id(record.get("id"), field="id", entry=_label(record, record.get("parent_id")))
        parent = optional_id(record.get("parent_id"), field="parent_id", entry=entry_id)
        entries[entry_id] = _Entry(entry_id, parent, record)  # newer than the cached view
    return entries


def _post(entry: _Entry, thread: str, options: ImportOptions) -> PostRecord:
    record, deleted = entry.record, entry.record.get("deleted") is True
    author = optional_id(record.get("user_id"), field="user_id", entry=entry.id)
    if author is None and record.get("anonymous_id"):
        author = f"anonymous:{record['anonymous_id']}"
    if author is None and not deleted:
        raise ExportError("an entry that is not deleted has no `user_id`", entry=entry.id, field="user_id")
    message = record.get("message") or ""
    if not isinstance(message, str):
        raise ExportError("`message` is not HTML text", entry=entry.id, field="message")
    created = _time(record, "created_at", entry.id, options)
    updated = _time(record, "updated_at", entry.id, options)
    text = "" if deleted else clean_html(message)
    return PostRecord(
        lms_post_id=entry.id,
        lms_thread_id=thread,
        lms_parent_id=entry.parent,
        author_key=None if deleted else author,
        created_at=created,
        edited_at=updated if updated and updated != created else None,
        subject="",
        body_html="" if deleted else message,
        body_text=text,
        word_count=word_count(text),
        deleted=deleted,
        raw={key: value for key, value in record.items() if key != "replies"},
    )


def _time(record: Mapping[str, Any], key: str, entry_id: str, options: ImportOptions) -> datetime | None:
    try:
        return iso_time(record.get(key), timezone=options.timezone)
    except ValueError as error:
        raise ExportError(str(error), entry=entry_id, field=key) from error


def _participants(found: Any) -> dict[str, Participant]:
    if not isinstance(found, list):
        raise ExportError("`participants` is not a list", field="participants")
    people = {}
    for person in found:
        if not isinstance(person, dict):
            raise ExportError("a participant is not an object", field="participants")
        key = lms_id(person.get("id"), field="participants.id", entry=str(person.get("id", "?")))
        people[key] = Participant(
            key=key,
            display_name=str(person.get("display_name") or person.get("name") or ""),
            lms_user_id=key,
            sis_user_id=str(person.get("sis_user_id") or ""),
            login_id=str(person.get("login_id") or ""),
            email=str(person.get("email") or ""),
        )
    return people


def _topic_author(topic: Mapping[str, Any]) -> Participant | None:
    author = topic.get("author")
    if not isinstance(author, dict) or author.get("id") is None:
        return None
    key = lms_id(author["id"], field="author.id")
    name = str(author.get("display_name") or topic.get("user_name") or "")
    return Participant(key=key, display_name=name, lms_user_id=key, role=Role.INSTRUCTOR)


def _topic_info(topic: Mapping[str, Any], options: ImportOptions) -> TopicInfo:
    if not topic:
        return TopicInfo()
    assignment = _object(topic.get("assignment"))
    due = {"reply_to_topic": assignment.get("due_at"), "reply_to_entry": None}
    checkpoints = assignment.get("checkpoints")
    for checkpoint in checkpoints if isinstance(checkpoints, list) else []:
        if isinstance(checkpoint, dict) and checkpoint.get("tag") in due:
            due[checkpoint["tag"]] = checkpoint.get("due_at")
    prompt = str(topic.get("message") or "")
    points = assignment.get("points_possible")
    required = topic.get("reply_to_entry_required_count")
    try:
        due_initial = iso_time(due["reply_to_topic"], timezone=options.timezone)
        due_replies = iso_time(due["reply_to_entry"], timezone=options.timezone)
    except ValueError as error:
        raise ExportError(str(error), entry=str(topic.get("id")), field="assignment.due_at") from error
    return TopicInfo(
        lms_topic_id=optional_id(topic.get("id"), field="id", entry="topic") or "",
        title=str(topic.get("title") or ""),
        prompt_html=prompt,
        prompt_text=clean_html(prompt),
        due_initial_at=due_initial,
        due_replies_at=due_replies,
        points_possible=_count(points, "assignment.points_possible", kind=float),
        required_replies=_count(required, "reply_to_entry_required_count", kind=int) or None,
        lms_assignment_id=optional_id(topic.get("assignment_id") or assignment.get("id"), field="assignment_id") or "",
    )


def _count(value: Any, field: str, *, kind: type[int] | type[float]) -> Any:
    """Return a topic's count or points as `kind`, None when it has none; a negative or absurd one is an error."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if not 0 <= value <= MAX_COUNT or (kind is int and not isinstance(value, int)):
        raise ExportError(f"{value!r} is not a number of points or replies a topic has", entry="topic", field=field)
    return kind(value)


def _object(value: Any) -> Mapping[str, Any]:
    """Return a JSON object, or an empty one for a key that is missing, null or something else."""
    return value if isinstance(value, dict) else {}


def _course_hint(topic: Mapping[str, Any], view: Mapping[str, Any]) -> str:
    urls = [str(topic.get("html_url") or "")]
    urls += [str(person.get("html_url") or "") for person in view.get("participants") or [] if isinstance(person, dict)]
    for url in urls:
        found = _COURSE_IN_URL.search(url)
        if found:
            return f"Canvas course {found[1]}"
    return ""
