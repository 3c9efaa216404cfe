"""Canvas REST sync: connect a course with a token, import chosen discussion topics through the Canvas importer
(all or nothing, re-importing changes nothing), and post a topic's grades with comments to its assignment."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.canvas.api import CanvasAPI, CanvasFailed, CanvasTopic, parse_course_url
from forumgrader.discussions.canvas import read_canvas
from forumgrader.discussions.model import ExportError, ImportOptions, ImportSummary
from forumgrader.store import canvas_connections
from forumgrader.store.grade_passback import automatic, enqueue_after_commit, mark_sent, plan
from forumgrader.store.grades import AFTER_GRADING
from forumgrader.store.imports import import_export
from forumgrader.store.models import AuditEntry, CanvasConnection, Course, Job, Person, Topic, User
from forumgrader.store.secretbox import SecretUnreadable
from forumgrader.store.topics import submit_check

PROVISIONAL_NOTE = "Provisional: a cited source is still being reviewed, so this grade may change."


def connect(
    session: Session, config: Mapping[str, Any], course: Course, url: str, token: str, user: User | None
) -> str:
    """Check a token against a Canvas course and keep it, encrypted (flush only); return the token owner's name."""
    if not token.strip():
        raise CanvasFailed("Give a Canvas access token (Account → Settings → New access token).")
    where = parse_course_url(url)
    api = CanvasAPI(where.base_url, token.strip())
    owner = api.whoami()
    api.topics(where.course_id)  # the token may read this course's discussions
    canvas_connections.save_connection(session, config, course.id, base_url=where.base_url,
                                       canvas_course_id=where.course_id, token=token.strip(), user=user)  # fmt: skip
    if not course.lms_course_id:
        course.lms, course.lms_course_id = "canvas", where.course_id
    return owner


def api_for(session: Session, config: Mapping[str, Any], course_id: int) -> tuple[CanvasAPI, CanvasConnection]:
    """Return the Canvas API of a course's live connection, or raise CanvasFailed saying how to connect."""
    connection = canvas_connections.live_connection(session, course_id)
    if connection is None:
        raise CanvasFailed("This course is not connected to Canvas (or its token was revoked): connect it first.")
    try:
        token = canvas_connections.token_of(config, connection)
    except SecretUnreadable as error:
        raise CanvasFailed(f"{error}: connect the course to Canvas again.") from error
    return CanvasAPI(connection.base_url, token), connection


def list_topics(session: Session, config: Mapping[str, Any], course_id: int) -> list[CanvasTopic]:
    """List the discussion topics of a course's Canvas course."""
    api, connection = api_for(session, config, course_id)
    return api.topics(connection.canvas_course_id)


def import_topics(
    session: Session, config: Mapping[str, Any], course: Course, topic_ids: list[str], progress: jobs.Progress
) -> list[ImportSummary]:
    """Fetch each chosen topic, then import them all (flush only): if any one cannot be read, none is imported."""
    api, connection = api_for(session, config, course.id)
    fetched = []
    for done, topic_id in enumerate(topic_ids, start=1):
        fetched.append((topic_id, *api.topic_export(connection.canvas_course_id, topic_id)))
        progress(done, len(topic_ids) * 2, f"Read {done} of {len(topic_ids)} topics from Canvas")
    summaries = []
    for topic_id, view, topic in fetched:
        name = f"canvas-{connection.canvas_course_id}-topic-{topic_id}.view.json"
        try:
            export = read_canvas(view, filename=name, options=ImportOptions(topic_json=topic))
        except ExportError as error:
            raise ExportError(f"Canvas topic {topic_id}: {error}") from error
        digest = hashlib.sha256(view + b"\0" + topic).hexdigest()
        summaries.append(import_export(session, export, file_name=name, sha256=digest, course_name=course.name))
    return summaries


@jobs.kind("canvas_import")
def canvas_import(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Import chosen Canvas topics into a course, then check and grade each (params {"topics": [ids]})."""
    course = session.get(Course, job.course_id or 0)
    topic_ids = [str(found) for found in job.params.get("topics", [])]
    if course is None or not topic_ids:
        raise jobs.JobFailed("Choose the Canvas topics to import.")
    try:
        summaries = import_topics(session, current_app.config, course, topic_ids, progress)
    except (CanvasFailed, ExportError) as error:
        raise jobs.JobFailed(f"{error} Nothing was imported.") from error
    checks = [submit_check(session, session.get_one(Topic, s.topics[0][0]), None) for s in summaries if s.topics]
    posts = sum(summary.created + summary.updated for summary in summaries)
    progress(
        len(topic_ids), len(topic_ids), f"Imported {len(summaries)} topics from Canvas ({posts} new or edited posts)"
    )
    for check in checks:  # committed by progress(): the worker can see them
        jobs.enqueue(check)


def _target(connection: CanvasConnection, assignment_id: str) -> str:
    return f"canvas:{connection.base_url}/courses/{connection.canvas_course_id}/assignments/{assignment_id}"


@jobs.kind("canvas_grades")
def canvas_grades(session: Session, job: Job, progress: jobs.Progress) -> None:
    """Post a topic's grades, with feedback as comments, to its Canvas assignment; unchanged grades are skipped."""
    topic = session.get(Topic, job.topic_id or 0)
    if topic is None:
        raise jobs.JobFailed("This topic no longer exists.")
    if not topic.lms_assignment_id:
        raise jobs.JobFailed("This topic has no Canvas assignment: only a graded discussion takes grades.")
    try:
        api, connection = api_for(session, current_app.config, topic.course_id)
        people = session.scalars(select(Person).where(Person.course_id == topic.course_id))
        target = _target(connection, topic.lms_assignment_id)
        outgoing = plan(session, topic, target, {person.id: person.lms_user_id for person in people},
                        force=bool(job.params.get("force")))  # fmt: skip
        for done, grade in enumerate(outgoing.send, start=1):
            comment = f"{PROVISIONAL_NOTE}\n\n{grade.comment}" if grade.provisional else grade.comment
            api.post_grade(connection.canvas_course_id, topic.lms_assignment_id, grade.lms_user, grade.points, comment)
            mark_sent(session, target, grade)
            progress(done, len(outgoing.send), f"Posted {done} of {len(outgoing.send)} grades to Canvas")
    except CanvasFailed as error:
        raise jobs.JobFailed(str(error)) from error
    details = {"lms": "canvas", "sent": len(outgoing.send), "held": outgoing.held, "unchanged": outgoing.unchanged}
    session.add(AuditEntry(action="grades.sent", subject=f"topic:{topic.id}", details=details, user_id=job.user_id))
    progress(len(outgoing.send), len(outgoing.send), f"Posted {len(outgoing.send)} grades to Canvas; "
             f"{outgoing.unchanged} unchanged, {outgoing.held} provisional held back.")  # fmt: skip


def linked(session: Session, topic: Topic) -> bool:
    """Tell whether a topic's grades can go to a Canvas assignment: a graded discussion of a connected course."""
    return bool(topic.lms_assignment_id) and canvas_connections.live_connection(session, topic.course_id) is not None


def send_after_grading(session: Session, topic: Topic) -> None:
    """When the instructor chose so, post a topic's grades to its Canvas assignment after each grading."""
    if linked(session, topic) and automatic(session, topic):
        enqueue_after_commit(session, submit_grades(session, topic, None))


AFTER_GRADING.append(send_after_grading)


def submit_import(session: Session, course: Course, topic_ids: list[str], user_id: int | None) -> Job:
    """Record a job importing Canvas topics into a course; commit, then `jobs.enqueue` it."""
    return jobs.submit(session, "canvas_import", params={"topics": topic_ids}, course_id=course.id, user_id=user_id)


def submit_grades(session: Session, topic: Topic, user_id: int | None, *, force: bool = False) -> Job:
    """Record a job posting a topic's grades to Canvas; commit, then `jobs.enqueue` it."""
    return jobs.submit(session, "canvas_grades", params={"force": force}, course_id=topic.course_id,
                       topic_id=topic.id, user_id=user_id)  # fmt: skip
