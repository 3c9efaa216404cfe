"""Starting a course, uploading a discussion export, and following the checks it starts until the dashboard."""

from __future__ import annotations

import hashlib
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]  # stubs < 3.3
from wtforms.validators import InputRequired, Length, ValidationError

from forumgrader import jobs, store
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.generic_csv import FIELDS
from forumgrader.discussions.model import ExportError, ImportOptions, ImportSummary
from forumgrader.store import accounts
from forumgrader.store import courses as course_store
from forumgrader.store.grades import default_rubric
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Job, Topic
from forumgrader.store.topics import rubric_choices, submit_check
from forumgrader.web.access import course_or_404, signed_in_user
from forumgrader.web.api.resources import job_json
from forumgrader.web.errors import fail
from forumgrader.web.inputs import whole_number
from forumgrader.web.uploads import UploadRejected, read_upload

blueprint = Blueprint("instructor", __name__)

FORMATS = [
    SelectChoice("", "Tell from the file"),
    SelectChoice("canvas", "Canvas discussion (JSON)"),
    SelectChoice("moodle", "Moodle forum (CSV or JSON)"),
    SelectChoice("d2l", "D2L Brightspace posts (JSON)"),
    SelectChoice("csv", "CSV of posts (name the columns below)"),
]
RETRIED_KINDS = frozenset({"check_topic", "grade_topic"})


class NewCourseForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    name = StringField(
        "Course name",
        validators=[InputRequired(), Length(max=300)],
        description="As students know it, e.g. “PSY 101 Introduction to Psychology (Fall 2025)”.",
    )

    def validate_name(self, field: StringField) -> None:
        if course_store.course_by_name(store.session(), field.data or ""):
            raise ValidationError("A course by that name exists already: choose another name (add the term).")


class ImportForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    export = FileField(
        "Discussion export",
        description="A Canvas discussion view (.json), a Moodle forum export (.csv, .json or Excel .xlsx), "
        "D2L Brightspace posts (.json), or a CSV of posts, up to the upload limit.",
    )
    topic_json = FileField(
        "Topic JSON (optional)",
        description="Canvas or D2L: the topic's own JSON, beside its posts: its title, prompt, due dates and points.",
    )
    title = StringField(
        "Topic title (optional)",
        validators=[Length(max=500)],
        description="A Moodle forum export does not name its forum: give the name students know it by.",
    )
    timezone = StringField(
        "Time zone of dates written without one",
        default="UTC",
        validators=[Length(max=60)],
        description="Moodle's human-readable dates and some CSVs: e.g. America/Chicago.",
    )
    rubric = SelectField("Rubric", default="")
    format = SelectField("Format", choices=FORMATS, default="")
    columns = TextAreaField(
        "Columns (CSV of posts)",
        validators=[Length(max=2000)],
        description="One FIELD=HEADER per line: which of the file's columns holds each of our fields.",
    )

    def validate_timezone(self, field: StringField) -> None:
        try:
            ZoneInfo((field.data or "UTC").strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"“{field.data}” is not a time zone name like UTC or America/Denver.") from None

    def validate_columns(self, field: TextAreaField) -> None:
        for line in (field.data or "").splitlines():
            name, sep, header = line.partition("=")
            if line.strip() and (not sep or not name.strip() or not header.strip()):
                raise ValidationError(f"“{line.strip()}” is not FIELD=HEADER.")


@blueprint.route("/courses/new", methods=["GET", "POST"])
def new_course() -> ResponseReturnValue:
    """Start a course; its creator teaches it, and goes on to import its first export."""
    form = NewCourseForm()
    if form.validate_on_submit():
        session = store.session()
        course = course_store.create_course(session, form.name.data or "")
        accounts.enrol(session, signed_in_user(), course, accounts.CourseRole.INSTRUCTOR)
        session.commit()
        flash(f"Course “{course.name}” is ready: import its first discussion export.", "success")
        return redirect(url_for("instructor.import_export", course_id=course.id))
    return render_template("instructor/new_course.html", form=form), 400 if form.errors else 200


def _options(form: ImportForm, topic_json: bytes | None) -> ImportOptions:
    columns = {}
    for line in (form.columns.data or "").splitlines():
        name, _sep, header = line.partition("=")
        if name.strip():
            columns[name.strip()] = header.strip()
    return ImportOptions(
        timezone=ZoneInfo((form.timezone.data or "UTC").strip()), topic_json=topic_json, columns=columns or None
    )


def _import(course: Course, form: ImportForm) -> tuple[ImportSummary, list[Job]]:
    """Read the upload, store it in one transaction, and record a check of each topic it holds."""
    name, data = read_upload(form.export.data, allowed={"json", "csv", "xlsx"})
    topic_json = read_upload(form.topic_json.data, allowed={"json"})[1] if form.topic_json.data else None
    limit = current_app.config["MAX_IMPORT_BYTES"]
    export = read_export(
        data, filename=name, format=form.format.data or None, options=_options(form, topic_json), max_bytes=limit
    )
    session = store.session()
    summary = import_export(
        session,
        export,
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        course_name=course.name,
        topic_title=(form.title.data or "").strip() or None,
    )
    started = []
    if summary.already_imported_at is None:
        for topic_id, _title in summary.topics:
            topic = session.get_one(Topic, topic_id)
            if form.rubric.data:
                topic.rubric = form.rubric.data
            started.append(submit_check(session, topic, signed_in_user()))
    session.commit()
    return summary, started


_FIELD_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _field_names_as_code(meaning: str) -> Markup:
    """Show the field names a description mentions as what they are: syntax typed in the mapping."""
    return Markup(_FIELD_NAME.sub(lambda found: f"<code>{found[0]}</code>", str(escape(meaning))))


def _where(error: ExportError) -> str:
    parts = [
        f"line {error.line}" if error.line is not None else "",
        f"entry {error.entry}" if error.entry else "",
        f"field “{error.field}”" if error.field else "",
    ]
    return ", ".join(part for part in parts if part)


@blueprint.route("/courses/<int:course_id>/import", methods=["GET", "POST"], endpoint="import_export")
def import_page(course_id: int) -> ResponseReturnValue:
    """Upload a discussion export: it is imported whole or not at all, then checked and graded in the background."""
    course = course_or_404(course_id)
    form = ImportForm()
    form.rubric.choices = [
        SelectChoice("", f"The site's default ({default_rubric()})"),
        *(SelectChoice(name) for name in rubric_choices()),
    ]
    problem = None
    if form.validate_on_submit():
        try:
            summary, started = _import(course, form)
        except UploadRejected as error:
            problem = {"message": str(error), "where": "", "cli": False}
        except ExportError as error:
            store.session().rollback()
            problem = {"message": error.message, "where": _where(error), "cli": "--" in error.message}
        else:
            return _after_import(course, summary, started)
    status = 400 if request.method == "POST" else 200
    zones = sorted(available_timezones())
    fields = {name: _field_names_as_code(meaning) for name, meaning in FIELDS.items()}
    page = render_template("instructor/import.html", course=course, form=form, problem=problem, zones=zones,
                           csv_fields=fields)  # fmt: skip
    return page, status


def _after_import(course: Course, summary: ImportSummary, started: list[Job]) -> ResponseReturnValue:
    if summary.already_imported_at is not None:
        flash(
            f"This file was imported already ({summary.already_imported_at:%d %b %Y %H:%M} UTC); nothing changed.",
            "info",
        )
        return redirect(
            url_for("topics.topic", topic_id=summary.topics[0][0])
            if summary.topics
            else url_for("courses.course", course_id=course.id)
        )
    for job in started:
        jobs.enqueue(job)
    replies = f"{summary.replies} {'reply' if summary.replies == 1 else 'replies'}"
    flash(
        f"Imported {summary.posts} posts ({replies}) by {summary.people} people: "
        f"{summary.created} new, {summary.updated} updated. Checking their references now.",
        "success",
    )
    for warning in summary.warnings:
        flash(warning, "warning")
    session = store.session()
    for topic_id, title in summary.topics:
        topic = session.get_one(Topic, topic_id)
        if topic.due_initial_at is None or topic.due_replies_at is None:
            flash(f"“{title}” has no due date for its {'main post' if topic.due_initial_at is None else 'replies'} "
                  "in the export: set the due dates in the topic's settings, or timeliness cannot be assessed.",
                  "warning")  # fmt: skip
    return redirect(url_for("instructor.progress", course_id=course.id, job=[job.id for job in started]))


@blueprint.get("/courses/<int:course_id>/progress")
def progress(course_id: int) -> ResponseReturnValue:
    """Follow a course's checking jobs (?job=ID, repeatable), then go on to the topic's dashboard."""
    course = course_or_404(course_id)
    wanted = [number for value in request.args.getlist("job") if (number := whole_number(value)) is not None][:20]
    session = store.session()
    found = session.scalars(select(Job).where(Job.id.in_(wanted), Job.course_id == course.id).order_by(Job.id)).all()
    titles = {topic.id: topic.title for topic in course.topics}
    next_href = url_for("courses.course", course_id=course.id)
    if len({job.topic_id for job in found}) == 1 and found[0].topic_id is not None:
        next_href = url_for("topics.topic", topic_id=found[0].topic_id)
    return render_template(
        "instructor/progress.html",
        course=course,
        watched=found,
        titles=titles,
        statuses={job.id: job_json(job) for job in found},
        next_href=next_href,
    )


@blueprint.post("/courses/<int:course_id>/jobs/<int:job_id>/retry")
def retry(course_id: int, job_id: int) -> ResponseReturnValue:
    """Start a failed check or grading job again, as a new job."""
    course = course_or_404(course_id)
    session = store.session()
    job = session.get(Job, job_id)
    if job is None or job.course_id != course.id:
        fail(404, "There is no such job in this course.")
    if job.status != "failed" or job.kind not in RETRIED_KINDS:
        flash("Only a check that failed can be tried again.", "warning")
        return redirect(url_for("instructor.progress", course_id=course.id, job=job.id))
    again = jobs.submit(
        session,
        job.kind,
        params=dict(job.params),
        course_id=course.id,
        topic_id=job.topic_id,
        user_id=signed_in_user().id,
    )
    session.commit()
    jobs.enqueue(again)
    return redirect(url_for("instructor.progress", course_id=course.id, job=again.id))
