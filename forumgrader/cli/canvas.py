"""`forumgrader canvas`: a course's Canvas REST API connection, topic import and grade posting.

canvasapi is imported only by the commands that use it, so that `forumgrader --help` starts quickly.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from forumgrader import store
from forumgrader.cli.lti import run_job, send_topic_grades
from forumgrader.store import canvas_connections
from forumgrader.store import courses as course_store
from forumgrader.store.models import Course


@click.group("canvas")
def canvas() -> None:
    """Canvas's REST API: connect a course with a token, import discussion topics, post grades with comments."""


def _course(name: str) -> Course:
    found = course_store.course_by_name(store.session(), name)
    if found is None:
        raise click.ClickException(f"No course named {name!r}. Create it with `forumgrader users enrol ... "
                                   "--create-course`, or import an export into it.")  # fmt: skip
    return found


@canvas.command("connect")
@click.argument("course_name", metavar="COURSE")
@click.argument("url")
@click.option("--token", prompt="Canvas access token", hide_input=True, envvar="FORUMGRADER_CANVAS_TOKEN",
              help="Asked for when not given; scripts may set FORUMGRADER_CANVAS_TOKEN.")  # fmt: skip
@with_appcontext
def connect(course_name: str, url: str, token: str) -> None:
    """Connect COURSE to the Canvas course at URL (https://school.instructure.com/courses/1234); the token is kept
    encrypted."""
    from forumgrader.canvas.api import CanvasFailed
    from forumgrader.canvas.sync import connect as connect_course

    try:
        owner = connect_course(store.session(), current_app.config, _course(course_name), url, token, None)
    except CanvasFailed as error:
        raise click.ClickException(str(error)) from error
    store.session().commit()
    click.echo(f"Connected {course_name} to Canvas as {owner}. `forumgrader canvas revoke` forgets the token.")


@canvas.command("topics")
@click.argument("course_name", metavar="COURSE")
@with_appcontext
def topics(course_name: str) -> None:
    """List the discussion topics of the connected Canvas course."""
    from forumgrader.canvas.api import CanvasFailed
    from forumgrader.canvas.sync import list_topics

    try:
        found = list_topics(store.session(), current_app.config, _course(course_name).id)
    except CanvasFailed as error:
        raise click.ClickException(str(error)) from error
    for topic in found:
        graded = f"assignment {topic.assignment_id}" if topic.assignment_id else "not graded"
        click.echo(f"{topic.id}\t{topic.title}\t{topic.entries} entries\t{graded}")


@canvas.command("import")
@click.argument("course_name", metavar="COURSE")
@click.argument("topic_ids", metavar="TOPIC_ID...", nargs=-1, required=True)
@with_appcontext
def import_topics(course_name: str, topic_ids: tuple[str, ...]) -> None:
    """Import Canvas topics (full view with new entries, and the topic) into COURSE: all of them or none."""
    from forumgrader.canvas.sync import submit_import

    job = submit_import(store.session(), _course(course_name), list(topic_ids), None)
    store.session().commit()
    run_job(job.id)


@canvas.command("grades")
@click.argument("topic_id", type=int)
@click.option("--force", is_flag=True, help="Post every grade again, changed or not (adds comments again).")
@with_appcontext
def grades(topic_id: int, force: bool) -> None:
    """Post a topic's grades with feedback comments to its Canvas assignment; unchanged grades are skipped."""
    from forumgrader.canvas.sync import submit_grades

    send_topic_grades(submit_grades, topic_id, force=force)


@canvas.command("revoke")
@click.argument("course_name", metavar="COURSE")
@with_appcontext
def revoke(course_name: str) -> None:
    """Forget COURSE's Canvas token at once."""
    if not canvas_connections.revoke(store.session(), _course(course_name).id, None):
        raise click.ClickException(f"{course_name} has no Canvas token to revoke.")
    store.session().commit()
    click.echo(f"The Canvas token of {course_name} is forgotten.")


commands = [canvas]
