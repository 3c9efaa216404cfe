"""Moodle 3.8+ forum export (`mod/forum/export.php`) as CSV, or as JSON (an array of sheets)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from forumgrader.discussions.cleanup import render_body, word_count
from forumgrader.discussions.dates import export_time
from forumgrader.discussions.fields import csv_records, decode_text, lms_id, load_json, optional_id
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
from forumgrader.discussions.sheets import is_workbook, sheet_records
from forumgrader.discussions.threads import group_threads

COLUMNS = (
    "id", "discussion", "parent", "userid", "userfullname", "created", "modified", "mailed", "subject", "message",
    "messageformat", "messagetrust", "attachment", "totalscore", "mailnow", "deleted", "privatereplyto",
    "privatereplytofullname", "wordcount", "charcount",
)  # fmt: skip
REQUIRED = ("id", "discussion", "parent", "userid", "created", "message")
# Columns only a Moodle forum export has: enough of them and the file is one, even with some missing.
DISTINCTIVE = frozenset(COLUMNS) - {"id", "created", "modified", "subject", "message", "attachment", "deleted"}
FORMATS = {"0": BodyFormat.AUTO, "1": BodyFormat.HTML, "2": BodyFormat.PLAIN, "4": BodyFormat.MARKDOWN}
_FLAGS = {"": False, "0": False, "1": True, "false": False, "true": True}


def looks_like_moodle(columns: list[str] | set[str]) -> bool:
    """Tell whether a header or a JSON record's keys are a Moodle forum export's."""
    return len(DISTINCTIVE.intersection(name.strip().lower() for name in columns)) >= 3


def read_moodle(data: bytes, *, filename: str, options: ImportOptions | None = None) -> DiscussionExport:
    """Read a Moodle forum export: `parent=0` starts a thread, deleted posts stay as placeholders."""
    options = options or ImportOptions()
    if is_workbook(data):
        rows = _table_rows(*sheet_records(data))
    else:
        text = decode_text(data)  # CSV (Excel in many locales saves one with semicolons) or JSON
        rows = _json_rows(text) if text.lstrip().startswith(("[", "{")) else _table_rows(*csv_records(text))
    people: dict[str, Participant] = {}
    posts: list[PostRecord] = []
    seen: dict[str, str] = {}
    recipients: dict[str, str] = {}  # private replies: privatereplyto -> privatereplytofullname
    for where, row in rows:
        post = _post(row, where, options)
        if post.lms_post_id in seen:
            raise ExportError(f"post {post.lms_post_id} appears twice (first at {seen[post.lms_post_id]})", **where)
        seen[post.lms_post_id] = ", ".join(f"{key} {value}" for key, value in where.items())
        posts.append(post)
        _meet(people, row, post)
        if post.private:
            recipients.setdefault(_cell(row, "privatereplyto"), _cell(row, "privatereplytofullname"))
    _meet_recipients(people, recipients)
    threads = tuple(
        ThreadRecord(lms_thread_id=thread_id, title=_title(thread_posts), posts=thread_posts)
        for thread_id, thread_posts in group_threads(posts).items()
    )
    return DiscussionExport(
        format=ExportFormat.MOODLE,
        course_hint="",
        topics=(TopicExport(info=TopicInfo(), threads=threads),),
        people=tuple(people.values()),
    )


def _table_rows(
    header: list[str], records: Iterator[tuple[int, dict[str, str]]]
) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    names = [name.lower() for name in header]
    _require_columns(names)
    for line, record in records:
        yield {"line": line}, {name.lower(): value for name, value in record.items()}


def _json_rows(text: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    parsed = load_json(text)
    if isinstance(parsed, list) and parsed and all(isinstance(sheet, list) for sheet in parsed):
        parsed = [row for sheet in parsed for row in sheet]  # Moodle's JSON writer: an array of sheets
    if not isinstance(parsed, list) or not all(isinstance(row, dict) for row in parsed):
        raise ExportError("this JSON is not a Moodle forum export (an array of sheets of posts): export again")
    if parsed:
        _require_columns([str(key).lower() for key in parsed[0]])
    for position, row in enumerate(parsed, start=1):
        yield {"entry": str(row.get("id") or f"#{position}")}, {str(key).lower(): value for key, value in row.items()}


def _require_columns(names: list[str]) -> None:
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        listed = ", ".join(f"`{column}`" for column in missing)
        raise ExportError(
            f"this file looks like a Moodle export without the {listed} column{'s' if len(missing) > 1 else ''}: "
            "export the forum again with all columns",
            line=1,
            field=missing[0],
        )


def _cell(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _post(row: Mapping[str, Any], where: dict[str, Any], options: ImportOptions) -> PostRecord:
    post_id = lms_id(row.get("id"), field="id", **where)
    parent = optional_id(row.get("parent"), field="parent", **where)
    body_format = FORMATS.get(_cell(row, "messageformat") or "1")
    if body_format is None:
        raise ExportError(f"{_cell(row, 'messageformat')!r} is not a Moodle message format (0, 1, 2 or 4)",
                          field="messageformat", **where)  # fmt: skip
    deleted = _flag(row, "deleted", where)
    created = _time(row, "created", where, options)
    modified = _time(row, "modified", where, options)
    message = row.get("message")
    if isinstance(message, dict | list):
        raise ExportError("`message` is not text: export the forum again", field="message", **where)
    message = "" if message is None or deleted else str(message)
    shown, text = render_body(message, body_format)
    return PostRecord(
        lms_post_id=post_id,
        lms_thread_id=lms_id(row.get("discussion"), field="discussion", **where),
        lms_parent_id=None if parent == "0" else parent,
        author_key=lms_id(row.get("userid"), field="userid", **where),
        created_at=created,
        edited_at=modified if modified and modified != created else None,
        subject=_cell(row, "subject"),
        body_html=shown,
        body_text=text,
        word_count=word_count(text),
        deleted=deleted,
        private=_cell(row, "privatereplyto") not in ("", "0"),
        raw=dict(row),
    )


def _flag(row: Mapping[str, Any], column: str, where: dict[str, Any]) -> bool:
    value = _cell(row, column).lower()
    if value not in _FLAGS:
        raise ExportError(f"{value!r} is not 0 or 1", field=column, **where)
    return _FLAGS[value]


def _time(row: Mapping[str, Any], column: str, where: dict[str, Any], options: ImportOptions) -> datetime | None:
    try:
        found = export_time(row.get(column), timezone=options.timezone)
    except ValueError as error:
        raise ExportError(str(error), field=column, **where) from error
    if found is None and column == "created":
        raise ExportError("the post has no creation time: export again with all columns", field=column, **where)
    return found


def _meet(people: dict[str, Participant], row: Mapping[str, Any], post: PostRecord) -> None:
    key = post.author_key or ""
    known = people.get(key)
    # Only teachers may reply privately in Moodle (mod/forum:postprivatereply), so a private reply names one.
    role = Role.INSTRUCTOR if post.private or (known and known.role is Role.INSTRUCTOR) else Role.STUDENT
    name = _cell(row, "userfullname") or (known.display_name if known else "")
    people[key] = Participant(key=key, display_name=name, lms_user_id=key, role=role)


def _meet_recipients(people: dict[str, Participant], recipients: dict[str, str]) -> None:
    """Add whom private replies went to who never posted; a recipient written as a name adds nobody."""
    for recipient, name in recipients.items():
        if recipient not in people and recipient.isdigit():  # Moodle user ids; a name would be a second person
            people[recipient] = Participant(key=recipient, display_name=name, lms_user_id=recipient)


def _title(posts: tuple[PostRecord, ...]) -> str:
    starters = [post for post in posts if post.lms_parent_id is None]
    subject = (starters or list(posts))[0].subject
    return subject.removeprefix("Re: ") if not starters else subject
