"""`forumgrader grade`, `export` and `override`: score a topic against a rubric, hand grades to the LMS, adjust them."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from forumgrader import store
from forumgrader.cli.rubrics import rubric_option
from forumgrader.grading import EXPORTS, ExportError, MatchBy, Rubric, resolve_due, score_to_json
from forumgrader.grading.scores import points_text
from forumgrader.grading.spreadsheet import points_cell, write_csv
from forumgrader.store.db import utcnow
from forumgrader.store.gradefiles import ABSENT_GRADES, GradeFile, export_options, grade_file
from forumgrader.store.grades import (
    GradedStudent,
    GradingError,
    clear_override,
    default_rubric,
    grade_topic,
    set_override,
    topic_or_error,
)
from forumgrader.store.grades import rubric_name as topic_rubric_name
from forumgrader.store.ids import ID_MAX, whole_number
from forumgrader.store.models import Person, Topic

RUBRIC_HELP = (
    "A shipped rubric's name (`forumgrader rubrics list`) or a rubric file. "
    "Default: the topic's rubric (chosen on its page), else DEFAULT_RUBRIC."
)


def _now(_context: click.Context, _parameter: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an ISO date and time such as 2024-09-20T12:00:00Z") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rubric(name: str | None, topic_id: int) -> Rubric:
    if name:
        return rubric_option(name)
    topic = store.session().get(Topic, topic_id)
    return rubric_option(topic_rubric_name(topic) if topic is not None else default_rubric())


def _grade(topic_id: int, rubric: Rubric, now: datetime) -> tuple[Topic, list[GradedStudent]]:
    session = store.session()
    try:
        topic = topic_or_error(session, topic_id)
        graded = grade_topic(session, topic_id, rubric, now=now)
        session.commit()
    except GradingError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    unchecked = sum(g.unchecked for g in graded)
    if unchecked:
        click.echo(f"note: {unchecked} reference{'s have' if unchecked != 1 else ' has'} not been checked against "
                   "Crossref yet; until then they count as neither verified nor flagged", err=True)  # fmt: skip
    return topic, graded


def _person_json(person: Person) -> dict[str, str | int]:
    return {"person_id": person.id, "display_name": person.display_name, "sortable_name": person.sortable_name,
            "lms_user_id": person.lms_user_id, "sis_user_id": person.sis_user_id, "login_id": person.login_id,
            "email": person.email, "section": person.section}  # fmt: skip


def _due(topic: Topic, rubric: Rubric) -> str:
    initial, replies = resolve_due(rubric, topic.due_initial_at, topic.due_replies_at)
    dates = (("initial post", initial), ("replies", replies))
    shown = [f"{what} due {moment:%a %d %b %Y %H:%M %Z}" for what, moment in dates if moment]
    return "; ".join(shown) or "no due dates: timeliness is not checked"


@click.command("grade")
@click.argument("topic_id", metavar="TOPIC", type=click.IntRange(0, ID_MAX))
@click.option("--rubric", "rubric_name", help=RUBRIC_HELP)
@click.option("--now", callback=_now, help="Grade as of this time (ISO 8601; UTC when no zone). Default: now.")
@click.option("--json", "as_json", is_flag=True, help="Print every student's full breakdown as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per student: ids, points per criterion.")
@with_appcontext
def grade(topic_id: int, rubric_name: str | None, now: datetime, as_json: bool, as_csv: bool) -> None:
    """Score every student of TOPIC (its id) against a rubric and keep the grades; overrides stay in force.

    Scores waiting on a TA's review of a flagged reference are marked provisional.
    """
    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    rubric = _rubric(rubric_name, topic_id)
    topic, graded = _grade(topic_id, rubric, now)
    if as_json:
        click.echo(json.dumps({
            "topic": {"id": topic.id, "title": topic.title}, "rubric": rubric.name, "possible": rubric.possible,
            "now": now.isoformat(), "students": [_person_json(g.person) | score_to_json(g.score) for g in graded],
        }, indent=2, ensure_ascii=False))  # fmt: skip
    elif as_csv:
        header = ["student", "sis_user_id", "login_id", "email", "total", "possible", "provisional",
                  *(c.id for c in rubric.criteria), "feedback"]  # fmt: skip
        click.echo(write_csv([header, *(
            [g.person.display_name, g.person.sis_user_id, g.person.login_id, g.person.email, points_cell(g.score.total),
             points_cell(g.score.possible), "yes" if g.score.provisional else "no",
             *(points_cell(c.points) for c in g.score.criteria), g.score.feedback]
            for g in graded
        )]), nl=False)  # fmt: skip
    else:
        click.echo(f"{topic.title or f'Topic {topic.id}'}: {rubric.title} ({rubric.name}), "
                   f"{points_text(rubric.possible)} points; {_due(topic, rubric)}")  # fmt: skip
        width = max([len(g.person.display_name) for g in graded] + [7])
        for g in graded:
            status = "final" if not g.score.provisional else "provisional"
            if g.score.awaiting:
                count = g.score.awaiting
                status += f": {count} reference{'s await' if count != 1 else ' awaits'} review"
            if g.score.awaiting_minor:
                count = g.score.awaiting_minor
                status += (f" ({count} reference{'s' if count != 1 else ''} with small differences "
                           f"await{'' if count != 1 else 's'} review, not changing the score)")  # fmt: skip
            click.echo(f"  {g.person.display_name:{width}}  {points_text(g.score.total):>6}/"
                       f"{points_text(g.score.possible):<4} {status}")  # fmt: skip
        click.echo(f"{len(graded)} students graded; `--json` shows every criterion and its reasons.")


@click.command("export")
@click.argument("topic_id", metavar="TOPIC", type=click.IntRange(0, ID_MAX))
@click.option("--to", "lms", type=click.Choice(list(EXPORTS)), required=True, help="Which gradebook will import it.")
@click.option("--rubric", "rubric_name", help=RUBRIC_HELP)
@click.option("--assignment-id", help="Canvas: the assignment's number (…/assignments/48213). Default: the topic's.")
@click.option("--item", help="The grade item's name in the gradebook. Default: the topic's title.")
@click.option("--match-by", type=click.Choice([m.value for m in MatchBy]), default="email", show_default=True,
              help="Moodle: match students on their email address, ID number or Moodle user id.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@click.option("--now", callback=_now, help="Grade as of this time (ISO 8601). Default: now.")
@with_appcontext
def export(topic_id: int, lms: str, rubric_name: str | None, assignment_id: str | None, item: str | None,
           match_by: str, output: Path | None, now: datetime) -> None:  # fmt: skip
    """Grade TOPIC and write the CSV that LMS's gradebook imports (Canvas, Moodle or D2L)."""
    rubric = _rubric(rubric_name, topic_id)
    topic, graded = _grade(topic_id, rubric, now)
    files = grade_file(store.session(), topic, rubric.name)
    options = export_options(topic, rubric.possible, item=item, assignment_id=assignment_id,
                             match_by=MatchBy(match_by))  # fmt: skip
    try:
        text = EXPORTS[lms](files.rows, options)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    if topic.points_possible is not None and topic.points_possible != rubric.possible:
        click.echo(f"note: the topic is worth {points_text(topic.points_possible)} points in the LMS and the rubric "
                   f"{points_text(rubric.possible)}; the file holds rubric points", err=True)  # fmt: skip
    _export_notes(topic, graded, files)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}: {len(files.rows)} students, {lms}", err=True)


def _names(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _export_notes(topic: Topic, graded: list[GradedStudent], files: GradeFile) -> None:
    """Tell what the file holds that may still change, and who is not in it."""
    provisional = [g for g in graded if g.score.provisional]
    if provisional:
        reviews = sum(1 for g in provisional if g.score.awaiting)
        why = [f"{reviews} wait on a TA's review of flagged references"] if reviews else []
        if len(provisional) > reviews:
            why.append(f"{len(provisional) - reviews} on a due date not yet passed or set, or on your decision")
        click.echo(f"note: {len(provisional)} of {len(graded)} grades are provisional ({'; '.join(why)}); they are "
                   "written as they stand", err=True)  # fmt: skip
    if files.absent:
        given = ABSENT_GRADES[topic.absent_grade]
        click.echo(f"note: {len(files.absent)} enrolled student{'s' if len(files.absent) != 1 else ''} wrote nothing "
                   f"in this topic: {given} in the file ({_names(files.absent)})", err=True)  # fmt: skip
    if files.unlisted:
        many = len(files.unlisted) != 1
        click.echo(f"note: {len(files.unlisted)} student{'s' if many else ''} of the course wrote nothing in this "
                   f"topic and {'are' if many else 'is'} not in the file, so the gradebook keeps what it has for "
                   f"them: {_names(files.unlisted)}"
                   + ("" if files.rostered else "; import the course's roster to grade them"), err=True)  # fmt: skip


def _student(topic: Topic, who: str) -> Person:
    """Find a person of the topic's course: a number is a person id first; then LMS or SIS id, login, email, name."""
    session = store.session()
    number = whole_number(who)
    if number is not None:
        person = session.get(Person, number)
        if person is not None and person.course_id == topic.course_id:
            return person
    exact = [Person.key == who, Person.lms_user_id == who, Person.sis_user_id == who, Person.login_id == who,
             Person.email == who, Person.display_name == who]  # fmt: skip
    found = session.scalars(select(Person).where(Person.course_id == topic.course_id, or_(*exact))).all()
    if not found:
        lowered = who.casefold()
        people = session.scalars(select(Person).where(Person.course_id == topic.course_id)).all()
        found = [p for p in people if lowered in (p.display_name.casefold(), p.email.casefold())]
        found = found or [p for p in people if lowered in p.display_name.casefold()]
    if len(found) != 1:
        names = ", ".join(f"{p.display_name} (id {p.id})" for p in found)
        raise click.ClickException(f"{'several people match' if found else 'nobody in this course matches'} "
                                   f"{who!r}{': ' + names if found else ''}; give the person id")  # fmt: skip
    return found[0]


@click.command("override")
@click.argument("topic_id", metavar="TOPIC", type=click.IntRange(0, ID_MAX))
@click.argument("who", metavar="STUDENT")
@click.argument("criterion")
@click.argument("points", type=float, required=False)
@click.option("--reason", default="", help="Why: kept in the audit log and shown to the student.")
@click.option("--clear", is_flag=True, help="Remove the override, so the computed points count again.")
@click.option("--rubric", "rubric_name", help=RUBRIC_HELP)
@click.option("--now", callback=_now, help="Grade as of this time (ISO 8601). Default: now.")
@with_appcontext
def override(topic_id: int, who: str, criterion: str, points: float | None, reason: str, clear: bool,
             rubric_name: str | None, now: datetime) -> None:  # fmt: skip
    """Set STUDENT's POINTS for one CRITERION of TOPIC (or --clear it); the topic is graded again.

    STUDENT is a person id (`grade --json` shows them), an LMS or SIS id, a login, an email or a name.
    """
    rubric = _rubric(rubric_name, topic_id)
    session = store.session()
    try:
        person = _student(topic_or_error(session, topic_id), who)
        if clear:
            if not clear_override(session, topic_id, person.id, rubric, criterion, reason=reason):
                raise GradingError(f"{person.display_name} has no override for {criterion!r} under {rubric.name}")
        elif points is None:
            raise GradingError("give the POINTS, or --clear to remove an override")
        else:
            set_override(session, topic_id, person.id, rubric, criterion, points, reason)
        graded = {g.person.id: g for g in grade_topic(session, topic_id, rubric, now=now)}
        if person.id not in graded:
            raise GradingError(f"{person.display_name} has no grade in this topic: only students who wrote in it do")
        session.commit()
    except GradingError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    score = graded[person.id].score
    found = score.criterion(criterion)
    click.echo(f"{person.display_name}: {found.name} {points_text(found.points)}/{points_text(found.possible)}; "
               f"total {points_text(score.total)}/{points_text(score.possible)}")  # fmt: skip


commands = [grade, export, override]
