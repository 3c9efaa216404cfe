"""`forumgrader demo`: a course per LMS imported with its roster, checked against the bundled Crossref snapshot,
graded and served.

Everything comes from the installed package (the samples and the snapshot), so the demo needs no internet and no
files of yours. It keeps its own database, `demo.sqlite` in the instance folder, so it never touches real data;
FORUMGRADER_DATABASE_URL, when set, is used instead (and erased first, after asking).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import func, inspect, select, text
from tqdm import tqdm

from forumgrader import config, create_app, jobs, store
from forumgrader.cli.demo_courses import DEMO, demo_courses, import_roster, import_topic
from forumgrader.cli.serve import serve
from forumgrader.crossref.snapshot import bundled_files, read_files
from forumgrader.store import accounts
from forumgrader.store.db import Base, make_engine
from forumgrader.store.models import Course, Grade, Job, Person, Post, ReferenceCheck, Topic
from forumgrader.store.snapshot import load_snapshot, refresh_statistics
from forumgrader.store.topics import submit_check

VERDICT_WORDS = {
    "verified": "verified",
    "mismatch": "with details that differ",
    "wrong_doi": "with another work's DOI",
    "broken_doi": "with a broken DOI",
    "not_found": "not found",
    "not_indexed": "not indexed",
    "unchecked": "not checked",
}


@dataclass(frozen=True, slots=True)
class Login:
    """A demo account, printed for the person trying the demo."""

    role: str
    email: str
    password: str
    name: str
    note: str = ""


# (role across the site, email, name, role in each course, the sample author a student writes as in the first course)
ACCOUNTS = (
    ("admin", "admin@example.edu", "Ada Admin", None, None),
    ("instructor", "instructor@example.edu", "Linda Carver", "instructor", None),
    ("ta", "ta@example.edu", "Sam Reviewer", "ta", None),
    ("student", "danielle@example.edu", "Danielle Okafor", "student", "Danielle Okafor"),
    ("student", "marcus@example.edu", "Marcus Bennett", "student", "Marcus Bennett"),
)


def _confirm(question: str, *, default: bool) -> bool:
    """Ask a yes/no question; with nobody to answer (no terminal, empty input), say to pass --yes."""
    try:
        return click.confirm(question, default=default)
    except click.Abort:
        click.echo()  # end the question's line: the message below must not be glued to it
        raise click.ClickException(
            "No answer came (is this running without a terminal?): pass --yes to start the demo again from scratch."
        ) from None


def _start_afresh(url: str, yes: bool, *, own_file: Path | None) -> None:
    """Delete the demo's own SQLite file, or empty a configured database, asking first unless --yes."""
    if own_file is not None:
        path = own_file
        if not path.exists():
            return
        if not yes and not _confirm(f"{path} holds an earlier demo. Start again from scratch?", default=True):
            raise click.ClickException(
                f"Nothing changed. Keep the old demo with `forumgrader serve` "
                f"(FORUMGRADER_DATABASE_URL=sqlite:///{path}), or run the demo with --yes."
            )
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return
    engine = make_engine(url)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        if inspect(engine).get_table_names():
            if not yes and not _confirm(f"{shown} is not empty: erase every forumgrader table in it?", default=False):
                raise click.ClickException(
                    "Nothing changed. Unset FORUMGRADER_DATABASE_URL to run the demo on "
                    "its own SQLite file in the instance folder."
                )
            Base.metadata.drop_all(engine)
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def _accounts(course_ids: list[int]) -> list[Login]:
    session = store.session()
    logins = []
    for role, email, name, course_role, writes_as in ACCOUNTS:
        password = secrets.token_urlsafe(9)
        user = accounts.create_user(session, email, password, role=role, name=name)
        note = "sees every course" if role == "admin" else ""
        if course_role is not None:
            for course_id in course_ids if course_role != "student" else course_ids[:1]:
                membership = accounts.enrol(session, user, session.get_one(Course, course_id), course_role)
                if writes_as is not None:
                    person = session.scalar(
                        select(Person).where(Person.course_id == course_id, Person.display_name == writes_as)
                    )
                    if person is not None:
                        accounts.link_person(session, membership, person)
                        note = f"writes as {writes_as}"
        logins.append(Login(role, email, password, name, note))
    session.commit()
    return logins


def _run(app: Flask, job: Job, bar: tqdm[Any]) -> Job:
    """Run a job here and now, drawing its stored progress as it goes (as the web page does)."""
    failure: list[BaseException] = []

    def work() -> None:
        with app.app_context():
            try:
                jobs.execute(job.id)
            except BaseException as error:  # recorded on the job already; shown below
                failure.append(error)

    worker = threading.Thread(target=work, name=f"demo-job-{job.id}", daemon=True)
    worker.start()
    database = store.database()
    while True:
        worker.join(timeout=0.1)
        finished = not worker.is_alive()  # asked before reading, so the last read sees the job as it ended
        with database.sessions() as session:
            found = session.get_one(Job, job.id)
        bar.total, bar.n = max(found.total, 1), found.done
        bar.set_postfix_str(found.message[:60], refresh=False)
        bar.refresh()
        if finished:
            if failure and not found.error:
                found.error = str(failure[0]) or "the check stopped without saying why"
            return found


def _check(app: Flask, course_ids: list[int]) -> list[tuple[Topic, Job]]:
    session = store.session()
    topics = list(session.scalars(select(Topic).where(Topic.course_id.in_(course_ids)).order_by(Topic.id)))
    done = []
    for topic in topics:
        job = submit_check(session, topic, None)
        session.commit()
        with tqdm(total=1, desc=f"Checking {topic.title[:30]}", unit="ref", leave=True, disable=None) as bar:
            done.append((topic, _run(app, job, bar)))
    return done


def _verdicts(topic_id: int) -> str:
    rows = (
        store.session()
        .execute(
            select(ReferenceCheck.verdict, func.count())
            .join(Post, Post.id == ReferenceCheck.post_id)
            .where(Post.topic_id == topic_id)
            .group_by(ReferenceCheck.verdict)
        )
        .all()
    )
    counts = Counter({verdict or "unchecked": count for verdict, count in rows})
    return (
        ", ".join(f"{counts[verdict]} {words}" for verdict, words in VERDICT_WORDS.items() if counts[verdict]) or "none"
    )


def _grades(topic_id: int) -> str:
    rows = store.session().execute(select(Grade.provisional).where(Grade.topic_id == topic_id)).all()
    provisional = sum(1 for (flag,) in rows if flag)
    return f"{len(rows)} students graded, {provisional} provisional (waiting on a review or a decision)"


def prepare(app: Flask, echo: bool = True) -> list[Login]:
    """Fill a fresh database with the demo: snapshot, a course per LMS with its roster, checks and grades, accounts."""
    say = click.echo if echo else (lambda *_args, **_kwargs: None)
    session = store.session()
    counts = load_snapshot(session, read_files(bundled_files()), source="forumgrader samples", complete=False)
    session.commit()
    refresh_statistics(store.database())
    say(f"Loaded {counts.records} Crossref records from the bundled snapshot: no internet needed.")
    course_ids = []
    for course in demo_courses():
        for demo_topic in course.topics:
            summary = import_topic(app, course, demo_topic)
            say(f"Imported {demo_topic.file.name} ({course.lms}): {summary.posts} posts by {summary.people} people.")
        course_ids.append(summary.course_id)
        result = import_roster(course, summary.course_id)
        say(f"  Roster {course.roster.name}: {result.members} students, {len(result.added)} of them never posted.")
    logins = _accounts(course_ids)
    for topic, job in _check(app, course_ids):
        if job.status != "done":
            raise click.ClickException(f"Checking {topic.title} failed: {job.error}")
        say(f"  {topic.title}: references {_verdicts(topic.id)}; {_grades(topic.id)}.")
    unchecked = store.session().scalar(select(func.count()).where(ReferenceCheck.verdict == "unchecked")) or 0
    if unchecked:
        say(
            f"  {unchecked} references are not in the bundled snapshot: they stay “not checked yet” (with "
            "FORUMGRADER_METADATA_SOURCE=crossref they are looked up online)."
        )
    return logins


def print_logins(logins: list[Login], url: str) -> None:
    """Print who can sign in, with which password, and where."""
    click.echo(f"\nSign in at {url} as:")
    width = max(len(login.email) for login in logins)
    for login in logins:
        extra = f"  ({login.note})" if login.note else ""
        click.echo(f"  {login.role:<10}  {login.email:<{width}}  password: {login.password}{extra}")
    click.echo("Passwords are new each time the demo starts afresh.")


def print_commands(url: str | None, topic_id: int | None) -> None:
    """Say where the sample exports are, and how the other commands reach the demo's database (`url`, when its own)."""
    click.echo(f"\nThe sample exports the demo imported are in {DEMO} (canvas/, moodle/, d2l/).")
    if url is not None:
        click.echo("The other forumgrader commands use the demo's database and its Crossref snapshot once you run:")
        click.echo(f"  export FORUMGRADER_DATABASE_URL={url} FORUMGRADER_METADATA_SOURCE=snapshot")
    if topic_id is not None:
        click.echo(f"Then try, for example: forumgrader grade {topic_id}")


@click.command("demo")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@click.option("--no-serve", is_flag=True, help="Prepare the demo and print the logins, then stop.")
@click.option("-y", "--yes", is_flag=True, help="Start again from scratch without asking.")
@click.pass_context
def demo(context: click.Context, port: int, no_serve: bool, yes: bool) -> None:
    """Try forumgrader: a course per LMS checked against the bundled Crossref records, graded, on 127.0.0.1.

    \b
    Starts a fresh database (instance/demo.sqlite; FORUMGRADER_DATABASE_URL if set, after asking),
    loads the bundled Crossref snapshot, imports a Canvas, a Moodle and a D2L course (two
    discussions each, 27 students) with their rosters, checks their references and grades them
    with a progress bar, makes demo accounts (admin, instructor, TA, two students) and prints
    their passwords, then serves http://127.0.0.1:PORT/.
    """
    instance = Path(config.instance_path())
    instance.mkdir(parents=True, exist_ok=True)
    configured = os.environ.get("FORUMGRADER_DATABASE_URL")
    url = configured or f"sqlite:///{instance / 'demo.sqlite'}"
    _start_afresh(url, yes, own_file=None if configured else instance / "demo.sqlite")
    app = create_app({"DATABASE_URL": url, "AUTO_MIGRATE": True, "METADATA_SOURCE": "snapshot"})
    shown = store.database(app).engine.url.render_as_string(hide_password=True)
    click.echo(f"forumgrader demo on {shown}")
    started = time.perf_counter()
    try:
        with app.app_context():
            logins = prepare(app)
            click.echo(f"Ready in {time.perf_counter() - started:.1f} s.")
            print_logins(logins, f"http://127.0.0.1:{port}/")
            print_commands(None if configured else url, store.session().scalar(select(func.min(Topic.id))))
            if no_serve:
                click.echo("Serve it with: forumgrader serve")
                return
            context.invoke(serve, host="127.0.0.1", port=port, threads=8, no_worker=False)
    finally:
        store.database(app).dispose()


commands = [demo]
