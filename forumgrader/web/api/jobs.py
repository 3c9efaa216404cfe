"""API: how far a background job got."""

from __future__ import annotations

from typing import Any

from forumgrader.web.access import job_or_404
from forumgrader.web.api import registry
from forumgrader.web.api.resources import JOB, job_json


@registry.route("/jobs/<int:job_id>", summary="Show a job's progress", response=JOB)
def job(job_id: int) -> dict[str, Any]:
    """A background job (an import, a check, grading): status, progress, and why it failed if it did."""
    return job_json(job_or_404(job_id))
