"""`forumgrader import`: bring a discussion export or a draft into the database, all or nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from forumgrader import store
from forumgrader.discussions.formats import IMPORTERS, check_size, choose_format, read_export
from forumgrader.discussions.generic_csv import FIELDS
from forumgrader.discussions.model import ExportError, ImportOptions
from forumgrader.store.ids import ID_MAX
from forumgrader.store.imports import ImportSummary, default_course_name, import_export


def _timezone(_context: click.Context, _parameter: click.Parameter, value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise click.BadParameter(f"{value!r} is not a time zone name like UTC or America/Denver") from error


def _columns(_context: click.Context, _parameter: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    columns = {}
    for pair in value:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise click.BadParameter(f"{pair!r} is not FIELD=HEADER (fields: {', '.join(FIELDS)})")
        columns[field.strip()] = header.strip()
    return columns


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(list(IMPORTERS)), help="Read the file as this format.")
@click.option("--course", help="Course name to import into (made if new). Default: see below.")
@click.option(
    "--topic",
    "topic_id",
    type=click.IntRange(0, ID_MAX),
    help="Import into this existing topic (by id) instead of finding one.",
)
@click.option("--topic-json", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Canvas or D2L: the topic JSON (title, prompt, due dates) beside the posts.")  # fmt: skip
@click.option("--timezone", default="UTC", show_default=True, callback=_timezone,
              help="Zone of dates written without one (Moodle human-readable dates, some CSVs).")  # fmt: skip
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER", callback=_columns,
              help="Generic CSV: which column holds FIELD (repeat the option).")  # fmt: skip
@click.option("--author", help="Document: the student who wrote the draft.")
@click.option("--title", help="The title of a topic this import makes (a Moodle forum export names no forum).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a sentence.")
@with_appcontext
def import_command(
    path: Path,
    format_: str | None,
    course: str | None,
    topic_id: int | None,
    topic_json: Path | None,
    timezone: ZoneInfo,
    columns: dict[str, str],
    author: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Import PATH: a Canvas discussion view, a Moodle forum export, D2L posts (JSON), a CSV of posts, or a draft.

    \b
    The format is told from the content: Canvas `view`/`participants` JSON; Moodle's forum
    export columns, or its JSON array of sheets; a Brightspace posts array (PostId, ThreadId,
    PostingUserId, from the Valence API); a CSV in the ubc/canvas-discussion layout
    (topic_id, ..., post_id, post_parent_id, post_message, ...); anything else is a document
    (.txt, .md, .html, .docx). --format overrides it. Other CSV layouts need --format csv and
    a --column FIELD=HEADER for at least post_id, post_message and post_author_id or _name.

    \b
    Canvas or D2L topic JSON: --topic-json, else a file beside PATH named <name>.topic.json
    (for <name>.view.json, <name>.posts.json or <name>.json), else topic.json in the same folder.

    \b
    Course: --course; else the course a topic of this file was imported into before (found by
    its LMS ids); else "Canvas course <id>" when the file names its Canvas course; else the
    file name without extensions ("week3.view.json" -> "week3").

    \b
    One file, one transaction: a file with any error imports nothing. Importing the same file
    again changes nothing; a later export of the same topic adds new posts and updates edited
    ones. Files over MAX_IMPORT_BYTES (50 MB unless configured) are refused.
    Exit status: 0 imported, 1 the file was refused (the reason is on stderr), 2 bad options.
    """
    max_bytes = current_app.config["MAX_IMPORT_BYTES"]
    session = store.session()
    try:
        check_size(path.stat().st_size, filename=path.name, max_bytes=max_bytes)
        data = path.read_bytes()
        options = ImportOptions(timezone=timezone, columns=columns or None, author=author)
        chosen = choose_format(data, path.name, format=format_, options=options)
        beside = topic_json or (_topic_json_beside(path) if chosen in ("canvas", "d2l") else None)
        if beside is not None:
            options = replace(options, topic_json=beside.read_bytes())
        export = read_export(data, filename=path.name, format=chosen, options=options, max_bytes=max_bytes)
        summary = import_export(
            session,
            export,
            file_name=path.name,
            sha256=hashlib.sha256(data).hexdigest(),
            course_name=course,
            topic_id=topic_id,
            topic_title=title,
        )
        session.commit()
    except ExportError as error:
        session.rollback()
        raise click.ClickException(f"{path.name}: {error}. Nothing was imported.") from error
    except SQLAlchemyError as error:
        session.rollback()
        raise click.ClickException(f"{path.name}: the database refused it ({getattr(error, 'orig', error)}). "
                                   "Nothing was imported.") from error  # fmt: skip
    for warning in summary.warnings:
        click.echo(f"note: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    else:
        click.echo(_sentence(path.name, summary, course_given=course is not None))


def _topic_json_beside(path: Path) -> Path | None:
    """Find the topic JSON next to a Canvas view or D2L posts: <name>.topic.json, else topic.json."""
    stem = path.name.removesuffix(".json").removesuffix(".view").removesuffix(".posts")
    for candidate in (path.with_name(f"{stem}.topic.json"), path.with_name("topic.json")):
        if candidate.is_file() and candidate.resolve() != path.resolve():
            return candidate
    return None


def _sentence(file_name: str, summary: ImportSummary, *, course_given: bool) -> str:
    if summary.already_imported_at is not None:
        when = f"{summary.already_imported_at:%Y-%m-%d %H:%M} UTC"
        head = f"{file_name} was already imported on {when}; nothing changed."
    else:
        head = f"Imported {file_name} ({summary.format}) into course {summary.course!r}."
        if not course_given and summary.course == default_course_name(file_name):
            head += " Use --course to choose another course name."
    topics = "\n".join(f"  topic {topic_id}: {title}" for topic_id, title in summary.topics)
    replies = _count(summary.replies, "reply", "replies") + (f", {summary.private} private" if summary.private else "")
    lines = [
        head,
        topics,
        f"  {_count(summary.threads, 'thread')}, {_count(summary.posts, 'post')} ({replies}) "
        f"by {_count(summary.people, 'person', 'people')}",
        f"  {summary.created} new, {summary.updated} updated, {summary.unchanged} unchanged",
    ]
    if summary.placeholders:
        lines.append(f"  {summary.placeholders} replied-to posts are missing from the export: kept as placeholders")
    return "\n".join(line for line in lines if line)


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


commands = [import_command]
