"""A topic's settings page (title, due dates, time zone, points, rubric, grade files) and its rubric page, which
shows the criteria, levels and points as an instructor reads them in the LMS."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # stubs < 3.3
    DateTimeLocalField,
    DecimalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional

from forumgrader import store
from forumgrader.grading import RubricError, load_rubric
from forumgrader.grading.describe import applies_to, earn_rule, level_rule, not_assessed_rule
from forumgrader.grading.scores import points_text
from forumgrader.store import accounts
from forumgrader.store.gradefiles import ABSENT_GRADES
from forumgrader.store.grades import default_rubric, rubric_name
from forumgrader.store.models import Topic
from forumgrader.store.topics import SettingsError, TopicSettings, regrade, rubric_choices, update_settings
from forumgrader.web.access import signed_in_user, topic_or_404

blueprint = Blueprint("settings", __name__)
LOCAL = "%Y-%m-%dT%H:%M"


class SettingsForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    title = StringField("Title", validators=[InputRequired(), Length(max=500)])
    due_initial_at = DateTimeLocalField("Main post due", format=LOCAL, validators=[Optional()])
    due_replies_at = DateTimeLocalField("Replies due", format=LOCAL, validators=[Optional()])
    timezone = StringField(
        "Time zone",
        validators=[Length(max=60)],
        description="Where the due dates above are, and where posting days are counted: e.g. America/Denver. "
        "Empty: the rubric's.",
    )
    points_possible = DecimalField("Points in the LMS", places=None, validators=[Optional()])
    rubric = SelectField("Rubric", default="")
    lms_assignment_id = StringField(
        "Canvas assignment id", validators=[Length(max=100)],
        description="The number at the end of the assignment's address (…/assignments/48213).",
    )  # fmt: skip
    grade_item = StringField(
        "Grade item in the gradebook", validators=[Length(max=500)],
        description="Its name in Moodle's or D2L's gradebook. Empty: the title.",
    )  # fmt: skip
    absent_grade = RadioField(
        "Enrolled students who never posted",
        choices=[SelectChoice(value, label) for value, label in ABSENT_GRADES.items()],
        default="zero",
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


def _utc(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.replace(tzinfo=zone).astimezone(UTC) if moment else None


def _shown_zone(topic: Topic) -> str:
    """The zone the page writes due dates in: the topic's, else its rubric's."""
    if topic.timezone:
        return topic.timezone
    try:
        return load_rubric(rubric_name(topic)).timezone
    except RubricError:
        return "UTC"


@blueprint.route("/topics/<int:topic_id>/settings", methods=["GET", "POST"])
def topic_settings(topic_id: int) -> ResponseReturnValue:
    """Change a topic's title, due dates, time zone, points, rubric and grade-file settings; it is graded again."""
    topic = topic_or_404(topic_id)
    zone_name = _shown_zone(topic)
    zone = _zone(zone_name)
    # the form shows due dates in the topic's zone (never an object's UTC values, which a save would shift)
    form = SettingsForm() if request.method == "POST" else SettingsForm(data={
        "title": topic.title, "due_initial_at": _local(topic.due_initial_at, zone),
        "due_replies_at": _local(topic.due_replies_at, zone), "timezone": topic.timezone,
        "points_possible": topic.points_possible, "rubric": topic.rubric, "lms_assignment_id": topic.lms_assignment_id,
        "grade_item": topic.grade_item, "absent_grade": topic.absent_grade,
    })  # fmt: skip
    form.rubric.choices = [SelectChoice("", f"The site's default ({default_rubric()})"),
                           *(SelectChoice(name) for name in rubric_choices())]  # fmt: skip
    if form.validate_on_submit():
        zone = _zone((form.timezone.data or "").strip() or zone_name)  # dates as typed, in the zone chosen
        settings = TopicSettings(
            title=form.title.data or "",
            due_initial_at=_utc(form.due_initial_at.data, zone),
            due_replies_at=_utc(form.due_replies_at.data, zone),
            timezone=(form.timezone.data or "").strip(),
            points_possible=float(form.points_possible.data) if form.points_possible.data is not None else None,
            rubric=form.rubric.data or "",
            lms_assignment_id=(form.lms_assignment_id.data or "").strip(),
            grade_item=form.grade_item.data or "",
            absent_grade=form.absent_grade.data or "zero",
        )
        session = store.session()
        try:
            changes = update_settings(session, topic, settings, signed_in_user())
            graded = regrade(session, topic) if changes else []
        except SettingsError as error:
            session.rollback()
            for name, message in error.problems.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
        except RubricError as error:
            session.rollback()
            form.rubric.errors = ["This rubric cannot be read: " + "; ".join(error.problems)]
        else:
            session.commit()
            if changes:
                flash(f"Saved. {len(graded)} {'student was' if len(graded) == 1 else 'students were'} graded again.",
                      "success")  # fmt: skip
            else:
                flash("Nothing changed.", "info")
            return redirect(url_for("topics.topic", topic_id=topic.id))
    zones = sorted(available_timezones())
    status = 400 if request.method == "POST" else 200
    return render_template("topics/settings.html", topic=topic, form=form, zones=zones, zone=zone_name), status


@blueprint.get("/topics/<int:topic_id>/rubric")
def rubric(topic_id: int) -> ResponseReturnValue:
    """Show a topic's rubric (or, with ?rubric=NAME, another the site offers) as the LMS shows a rubric."""
    topic = topic_or_404(topic_id)
    wanted = request.args.get("rubric", "")
    name = wanted if wanted in rubric_choices() else rubric_name(topic)
    problem = None
    try:
        found = load_rubric(name)
    except RubricError as error:
        found, problem = None, "; ".join(error.problems)
    can_grade = accounts.can_grade_course(store.session(), signed_in_user(), topic.course_id)
    return render_template(
        "topics/rubric.html",
        topic=topic,
        rubric=found,
        problem=problem,
        in_use=name == rubric_name(topic),
        choices=rubric_choices(),
        can_grade=can_grade,
        applies_to=applies_to,
        level_rule=level_rule,
        earn_rule=earn_rule,
        not_assessed_rule=not_assessed_rule,
        points_text=points_text,
    )
