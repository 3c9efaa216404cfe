"""`forumgrader roster`: bring in the LMS's class list or gradebook export, and show who is enrolled."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from forumgrader import store
from forumgrader.discussions.model import ExportError
from forumgrader.discussions.rosters import RosterLms, read_roster
from forumgrader.store.classlist import class_list
from forumgrader.store.courses import course_by_name
from forumgrader.store.gradefiles import LMS_NAMES
from forumgrader.store.models import Course
from forumgrader.store.rosters import apply_roster


def _course(name: str) -> Course:
    found = course_by_name(store.session(), name)
    if found is None:
        raise click.ClickException(f"there is no course called {name!r}: `forumgrader import` makes courses")
    return found


@click.group("roster")
def roster() -> None:
    """A course's roster: the LMS's class list, for ids, enrolment, and students who never posted."""


@roster.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_name", required=True, help="The course (by name) the roster belongs to.")
@click.option("--lms", type=click.Choice([lms.value for lms in RosterLms]), help="Read it as this LMS's file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of sentences.")
@with_appcontext
def import_roster(path: Path, course_name: str, lms: str | None, as_json: bool) -> None:
    """Import PATH, a roster or gradebook export (CSV or .xlsx) from Canvas, Moodle or D2L.

    \b
    Canvas: Grades > Export > Export Entire Gradebook.
    Moodle: Participants > Download table data (with email shown), or Grades > Export.
    D2L: Grades > Export with key field Both, first and last name and email.
    Students are matched to the people who posted by LMS user id, else email, else name; a name
    two people share is never guessed. All or nothing; importing the same file again changes nothing.
    """
    course = _course(course_name)
    session = store.session()
    data = path.read_bytes()
    try:
        found = read_roster(data, filename=path.name, lms=lms)
        result = apply_roster(session, course, found.members, lms=found.lms, file_name=path.name,
                              sha256=hashlib.sha256(data).hexdigest(), columns=found.columns)  # fmt: skip
        session.commit()
    except ExportError as error:
        session.rollback()
        raise click.ClickException(f"{path.name}: {error}. Nothing was changed.") from error
    if as_json:
        click.echo(json.dumps(result.as_json()))
        return
    if result.already_imported_at is not None:
        click.echo(f"{path.name} was already imported on {result.already_imported_at:%Y-%m-%d %H:%M} UTC; nothing "
                   "changed.")  # fmt: skip
        return
    matched = ", ".join(f"{count} by {how}" for how, count in result.matched.items()) or "none"
    click.echo(f"Read {result.members} students from the {LMS_NAMES[result.lms]} roster ({found.kind}) into "
               f"{course.name!r}.\n  matched to people who posted: {matched}\n  enrolled, never posted: "
               f"{len(result.added)}\n  ids filled or changed: {result.updated}")  # fmt: skip
    for sentence in result.ambiguous:
        click.echo(f"  not matched: {sentence}")
    if result.not_on_roster:
        click.echo(f"  posted but not on the roster: {', '.join(result.not_on_roster)}")
    if result.topics_linked:
        click.echo(f"  grade column found for: {', '.join(result.topics_linked)}")


@roster.command("show")
@click.option("--course", "course_name", required=True, help="The course (by name).")
@with_appcontext
def show(course_name: str) -> None:
    """List the course's students, the ids gradebooks match on, and the topics each never posted in."""
    listing = class_list(store.session(), _course(course_name))
    if listing.roster is None:
        click.echo("No roster yet: `forumgrader roster import FILE --course NAME` brings one in.")
    for member in listing.students:
        person = member.person
        ids = ", ".join(f"{label} {value}" for label, value in (("user id", person.lms_user_id),
                        ("SIS id", person.sis_user_id), ("login", person.login_id), ("email", person.email))
                        if value) or "no ids"  # fmt: skip
        state = "enrolled" if person.enrolled else "not on the roster"
        click.echo(f"  {member.name}: {state}; {ids}; {sum(member.posts.values())} posts")
    for topic in listing.topics:
        absent = [member.name for member in listing.never_posted(topic)]
        if absent:
            click.echo(f"Never posted in {topic.title}: {', '.join(absent)}")


commands = [roster]
