"""A background job's page: a progress bar that follows it (the page polls `status`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from forumgrader.web.access import job_or_404
from forumgrader.web.api.resources import job_json

blueprint = Blueprint("jobs", __name__)
# What each kind of job is called on its page (the kinds themselves are codes of the JSON API)
JOB_NAMES = {"check_topic": "Checking references and grading", "grade_topic": "Grading"}


def job_name(kind: str) -> str:
    """Name a kind of job in words."""
    return JOB_NAMES.get(kind) or kind.replace("_", " ").replace("-", " ").capitalize()


@blueprint.get("/jobs/<int:job_id>")
def job(job_id: int) -> ResponseReturnValue:
    """Show how far a job got, updated live."""
    found = job_or_404(job_id)
    return render_template("jobs/job.html", job=found, status=job_json(found), name=job_name(found.kind))


@blueprint.get("/jobs/<int:job_id>/status")
def status(job_id: int) -> dict[str, Any]:
    """Answer a job's progress as JSON, for the page's progress bar (signed-in session; the API takes tokens)."""
    return job_json(job_or_404(job_id))
