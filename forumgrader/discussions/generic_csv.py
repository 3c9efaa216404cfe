"""Generic CSV: one post a row, columns named by a mapping, with presets for exporters people use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from forumgrader.discussions.cleanup import render_body, word_count
from forumgrader.discussions.dates import export_time
from forumgrader.discussions.fields import lms_id, optional_id, table_records
from forumgrader.discussions.model import (
    BodyFormat,
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

FIELDS = {
    "topic_id": "the discussion topic's id (several topics may share one file)",
    "topic_title": "the topic's title",
    "topic_message": "the topic's prompt (HTML or text)",
    "topic_author_id": "the id of who wrote the prompt (stored as an instructor)",
    "topic_author_name": "the name of who wrote the prompt",
    "thread_id": "the thread's id (else each top-level post starts a thread)",
    "post_id": "the post's id (required)",
    "post_parent_id": "the id of the post this one replies to (empty: a top-level post)",
    "post_author_id": "the author's LMS user id (this or post_author_name is required)",
    "post_author_name": "the author's name",
    "post_author_email": "the author's email",
    "post_author_sis_id": "the author's SIS user id",
    "post_author_login": "the author's login id",
    "post_subject": "the post's subject",
    "post_message": "the post's body, HTML or text (required)",
    "post_timestamp": "when it was posted: ISO 8601, epoch seconds or a written date",
    "post_edited_timestamp": "when it was last edited",
    "post_deleted": "1/true for a deleted post",
    "post_private": "1/true for a private reply",
}
_CANVAS_DISCUSSION = (
    "topic_id", "topic_title", "topic_message", "topic_author_id", "topic_author_name", "post_author_id",
    "post_author_name", "post_id", "post_parent_id", "post_message", "post_timestamp",
)  # fmt: skip
# Presets, most specific first: the ubc/canvas-discussion exporter's layout, which other exporters copy.
PRESETS: dict[str, dict[str, str]] = {
    "canvas-discussion": {field: field for field in _CANVAS_DISCUSSION} | {"topic_timestamp": "topic_timestamp"},
    "canvas-discussion-posted-at": {field: field for field in _CANVAS_DISCUSSION},
}
_HTML_TAG = re.compile(r"</?(?:p|div|br|span|a|ul|ol|li|h[1-6]|strong|em|b|i|u|blockquote|table|img)\b[^>]*>", re.I)
_COURSE_FILE = re.compile(r"^(\d+)-discussion")
_FLAGS = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}


def preset_for(header: list[str]) -> str | None:
    """Name the preset whose columns a header holds, if any."""
    present = {name.strip().lower() for name in header}
    for name, columns in PRESETS.items():
        if {column.lower() for column in columns.values()} <= present:
            return name
    return None


def knows_columns(header: list[str]) -> bool:
    """Tell whether a header can be read without a mapping: a preset's, or our own field names."""
    present = {name.strip().lower() for name in header}
    named = {"post_id", "post_message"} <= present and bool(present & {"post_author_id", "post_author_name"})
    return named or preset_for(header) is not None


def read_csv(data: bytes, *, filename: str, options: ImportOptions | None = None) -> DiscussionExport:
    """Read a CSV of posts through a column mapping (`options.columns`), or through the preset its header matches."""
    options = options or ImportOptions()
    header, records = table_records(data)
    columns = _columns(header, options.columns)
    topics: dict[str, dict[str, Any]] = {}
    people: dict[str, Participant] = {}
    posts: dict[str, list[PostRecord]] = {}
    seen: dict[tuple[str, str], int] = {}  # (topic, post) -> the line it was first on
    for line, record in records:
        row = {field: record.get(column, "") for field, column in columns.items()}
        topic_id = row.get("topic_id", "").strip()
        topics.setdefault(topic_id, row)
        _meet_topic_author(people, row)
        if row.get("post_id", "").strip():
            post = _post(row, record, line, options)
            first = seen.setdefault((topic_id, post.lms_post_id), line)
            if first != line:
                raise ExportError(f"post {post.lms_post_id} appears twice (first at line {first}): keep one row",
                                  line=line, field="post_id")  # fmt: skip
            posts.setdefault(topic_id, []).append(post)
            _meet_author(people, row, line)
    return DiscussionExport(
        format=ExportFormat.CSV,
        course_hint=_course_hint(filename),
        topics=tuple(_topic(topic_id, row, posts.get(topic_id, [])) for topic_id, row in topics.items()),
        people=tuple(people.values()),
    )


def _columns(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Resolve our field -> the header as the file spells it: preset or same-named columns, then the mapping."""
    spelled = {name.strip().lower(): name for name in header}
    preset = preset_for(header)
    wanted = dict(PRESETS[preset]) if preset else {field: field for field in FIELDS if field in spelled}
    unknown = sorted(set(mapping or {}) - set(FIELDS))
    if unknown:
        raise ExportError(f"unknown field `{unknown[0]}`: map any of {', '.join(FIELDS)}", field=unknown[0])
    wanted.update(mapping or {})
    columns = {}
    for field, column in wanted.items():
        if column.strip().lower() not in spelled:
            raise ExportError(f"the file has no column {column!r} (it has {', '.join(header)})", line=1, field=field)
        columns[field] = spelled[column.strip().lower()]
    needed = [field for field in ("post_id", "post_message") if field not in columns]
    if "post_author_id" not in columns and "post_author_name" not in columns:
        needed.append("post_author_id")
    if needed:
        raise ExportError(
            f"we cannot tell which column is `{needed[0]}`: name the columns with --column FIELD=HEADER "
            f"(fields: {', '.join(FIELDS)})",
            line=1,
            field=needed[0],
        )
    return columns


def _post(row: dict[str, str], record: dict[str, str], line: int, options: ImportOptions) -> PostRecord:
    post_id = lms_id(row["post_id"], field="post_id", line=line)
    shown, text = _body(row.get("post_message", ""))
    created = _time(row, "post_timestamp", line, options)
    edited = _time(row, "post_edited_timestamp", line, options)
    deleted = _flag(row, "post_deleted", line)
    return PostRecord(
        lms_post_id=post_id,
        lms_thread_id=optional_id(row.get("thread_id"), field="thread_id", line=line) or "",
        lms_parent_id=optional_id(row.get("post_parent_id"), field="post_parent_id", line=line),
        author_key=_author_key(row),
        created_at=created,
        edited_at=edited if edited and edited != created else None,
        subject=row.get("post_subject", "").strip(),
        body_html="" if deleted else shown,
        body_text="" if deleted else text,
        word_count=0 if deleted else word_count(text),
        deleted=deleted,
        private=_flag(row, "post_private", line),
        raw=dict(record),
    )


def _body(message: str) -> tuple[str, str]:
    """Render a cell as HTML when it holds tags, else as plain text whose line breaks matter."""
    return render_body(message, BodyFormat.HTML if _HTML_TAG.search(message) else BodyFormat.PLAIN)


def _author_key(row: dict[str, str]) -> str | None:
    return row.get("post_author_id", "").strip() or row.get("post_author_name", "").strip() or None


def _time(row: dict[str, str], field: str, line: int, options: ImportOptions) -> datetime | None:
    try:
        return export_time(row.get(field), timezone=options.timezone)
    except ValueError as error:
        raise ExportError(str(error), line=line, field=field) from error


def _flag(row: dict[str, str], field: str, line: int) -> bool:
    value = row.get(field, "").strip().lower()
    if value not in _FLAGS:
        raise ExportError(f"{value!r} is not 1/0 or true/false", line=line, field=field)
    return _FLAGS[value]


def _meet_author(people: dict[str, Participant], row: dict[str, str], line: int) -> None:
    key = _author_key(row)
    if key is None:
        raise ExportError("the post has no author", line=line, field="post_author_id")
    known = people.get(key)
    people[key] = Participant(
        key=key,
        display_name=row.get("post_author_name", "").strip() or (known.display_name if known else ""),
        lms_user_id=row.get("post_author_id", "").strip(),
        sis_user_id=row.get("post_author_sis_id", "").strip(),
        login_id=row.get("post_author_login", "").strip(),
        email=row.get("post_author_email", "").strip(),
        role=known.role if known else Role.STUDENT,
    )


def _meet_topic_author(people: dict[str, Participant], row: dict[str, str]) -> None:
    key = row.get("topic_author_id", "").strip() or row.get("topic_author_name", "").strip()
    if key and key not in people:
        name = row.get("topic_author_name", "").strip()
        people[key] = Participant(
            key=key, display_name=name, lms_user_id=row.get("topic_author_id", "").strip(), role=Role.INSTRUCTOR
        )


def _topic(topic_id: str, row: dict[str, str], posts: list[PostRecord]) -> TopicExport:
    parents = {post.lms_post_id: post.lms_parent_id for post in posts}
    roots = thread_roots(parents)
    threaded = [post if post.lms_thread_id else replace(post, lms_thread_id=roots[post.lms_post_id]) for post in posts]
    threads = tuple(
        ThreadRecord(lms_thread_id=thread_id, title=members[0].subject, posts=members)
        for thread_id, members in group_threads(threaded).items()
    )
    prompt, prompt_text = _body(row.get("topic_message", ""))
    info = TopicInfo(lms_topic_id=topic_id, title=row.get("topic_title", "").strip(), prompt_html=prompt,
                     prompt_text=prompt_text)  # fmt: skip
    return TopicExport(info=info, threads=threads)


def _course_hint(filename: str) -> str:
    found = _COURSE_FILE.match(Path(filename).name)
    return f"Canvas course {found[1]}" if found else ""
