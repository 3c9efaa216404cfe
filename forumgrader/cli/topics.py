"""`forumgrader topic set`: a topic's title, due dates, time zone, points, rubric and grade-file settings."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask.cli import with_appcontext

from forumgrader import store
from forumgrader.grading import RubricError
from forumgrader.store.grades import GradingError, topic_or_error
from forumgrader.store.topics import (
    ABSENT_CHOICES,
    SETTING_NAMES,
    SettingsError,
    TopicSettings,
    regrade,
    update_settings,
)


def _when(value: str, zone: str) -> datetime | None:
    if value.lower() in ("", "none"):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date and time such as 2024-09-11T23:59") from error
    try:
        local = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        local = ZoneInfo("UTC")
    return (moment if moment.tzinfo else moment.replace(tzinfo=local)).astimezone(UTC)


@click.group("topic")
def topic() -> None:
    """A topic's settings."""


@topic.command("set")
@click.argument("topic_id", metavar="TOPIC", type=int)
@click.option("--title")
@click.option("--due-initial", help="When the main post is due (ISO 8601; in --timezone when no zone); none clears.")
@click.option("--due-replies", help="When the replies are due, the same way.")
@click.option("--timezone", help="Where due dates and posting days are counted, e.g. America/Denver.")
@click.option("--points", type=float, help="The topic's points in the LMS.")
@click.option("--rubric", help="A rubric the site offers (`forumgrader rubrics list`); empty for the default.")
@click.option("--assignment-id", help="Canvas: the assignment's number (…/assignments/48213).")
@click.option("--grade-item", help="The grade item's name in Moodle's or D2L's gradebook.")
@click.option("--absent", type=click.Choice(ABSENT_CHOICES), help="Enrolled students who never posted: 0 or blank.")
@with_appcontext
def set_settings(topic_id: int, title: str | None, due_initial: str | None, due_replies: str | None,
                 timezone: str | None, points: float | None, rubric: str | None, assignment_id: str | None,
                 grade_item: str | None, absent: str | None) -> None:  # fmt: skip
    """Change TOPIC's settings (the others stay), then grade it again; every change is audited."""
    session = store.session()
    try:
        found = topic_or_error(session, topic_id)
        zone = timezone if timezone is not None else found.timezone
        settings = TopicSettings(
            title=title if title is not None else found.title,
            due_initial_at=_when(due_initial, zone) if due_initial is not None else found.due_initial_at,
            due_replies_at=_when(due_replies, zone) if due_replies is not None else found.due_replies_at,
            timezone=zone,
            points_possible=points if points is not None else found.points_possible,
            rubric=rubric if rubric is not None else found.rubric,
            lms_assignment_id=assignment_id if assignment_id is not None else found.lms_assignment_id,
            grade_item=grade_item if grade_item is not None else found.grade_item,
            absent_grade=absent or found.absent_grade,
        )
        changes = update_settings(session, found, settings, None)
        graded = regrade(session, found) if changes else []
        session.commit()
    except (GradingError, SettingsError) as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    except RubricError as error:
        session.rollback()
        raise click.ClickException("; ".join(error.problems)) from None
    if not changes:
        click.echo("Nothing changed.")
        return
    click.echo(f"Changed {', '.join(SETTING_NAMES[name] for name in changes)} of {found.title!r}; graded "
               f"{len(graded)} students again.")  # fmt: skip


commands = [topic]
