"""A course's roster page: upload the LMS's own class list or gradebook export, see who is enrolled, which ids each
gradebook can match on, and who never posted in each topic."""

from __future__ import annotations

import hashlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField  # type: ignore[attr-defined]  # stubs < 3.3

from forumgrader import store
from forumgrader.discussions.model import ExportError
from forumgrader.discussions.rosters import read_roster
from forumgrader.store.classlist import class_list
from forumgrader.store.gradefiles import LMS_NAMES
from forumgrader.store.rosters import RosterResult, apply_roster
from forumgrader.web.access import course_or_404
from forumgrader.web.uploads import UploadRejected, read_upload

blueprint = Blueprint("rosters", __name__)

WHERE = {
    "canvas": "Grades › Export › Export Entire Gradebook (a CSV with Student, ID, SIS User ID, SIS Login ID, Section "
    "and a column per assignment).",
    "moodle": "Participants › select all › Download table data as CSV or Excel, with email addresses shown; or "
    "Grades › Export › Plain text file.",
    "d2l": "Grades › Export, key field Both, with Last Name, First Name and Email ticked (a CSV with OrgDefinedId, "
    "Username and a column per grade item).",
}


class RosterForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    roster = FileField("Roster or gradebook export", description="A CSV or Excel (.xlsx) file, as the LMS gave it.")
    lms = SelectField(
        "From",
        choices=[SelectChoice("", "Tell from the file"), *(SelectChoice(lms, name) for lms, name in LMS_NAMES.items())],
        default="",
    )


def _where(error: ExportError) -> str:
    parts = [f"line {error.line}" if error.line is not None else "", f"column “{error.field}”" if error.field else ""]
    return ", ".join(part for part in parts if part)


def _summary(result: RosterResult) -> str:
    matched = sum(result.matched.values())
    added = len(result.added)
    said = (f"Read {result.members} students from the {LMS_NAMES[result.lms]} roster: {matched} matched to the "
            f"people who posted, {added} enrolled {'student' if added == 1 else 'students'} who never posted "
            "added.")  # fmt: skip
    if result.ambiguous or result.not_on_roster:
        said += " Some could not be matched: see below."
    return said


@blueprint.route("/courses/<int:course_id>/roster", methods=["GET", "POST"])
def roster(course_id: int) -> ResponseReturnValue:
    """Show the course's class list; take a roster file, applied whole or not at all."""
    course = course_or_404(course_id)
    form = RosterForm()
    problem = None
    session = store.session()
    if form.validate_on_submit():
        try:
            name, data = read_upload(form.roster.data, allowed={"csv", "xlsx"})
            found = read_roster(data, filename=name, lms=form.lms.data or None)
            result = apply_roster(session, course, found.members, lms=found.lms, file_name=name,
                                  sha256=hashlib.sha256(data).hexdigest(), columns=found.columns)  # fmt: skip
        except UploadRejected as error:
            problem = {"message": str(error), "where": ""}
        except ExportError as error:
            session.rollback()
            problem = {"message": error.message, "where": _where(error)}
        else:
            session.commit()
            if result.already_imported_at is not None:
                flash(f"This roster was imported already ({result.already_imported_at:%d %b %Y %H:%M} UTC); nothing "
                      "changed.", "info")  # fmt: skip
            else:
                flash(_summary(result), "success")
            return redirect(url_for("rosters.roster", course_id=course.id))
    status = 400 if request.method == "POST" else 200
    return render_template("rosters/roster.html", course=course, form=form, problem=problem,
                           listing=class_list(session, course), lms_names=LMS_NAMES, where=WHERE), status  # fmt: skip
