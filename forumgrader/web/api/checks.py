"""API: check a draft now (anyone, rate-limited), or start checking a whole topic in the background (instructors)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from forumgrader import jobs, store
from forumgrader.store.topics import submit_check
from forumgrader.web.access import signed_in_user, topic_or_404
from forumgrader.web.api import auth, registry
from forumgrader.web.api.bodies import json_body
from forumgrader.web.api.report_schema import REPORT
from forumgrader.web.api.resources import JOB, job_json
from forumgrader.web.errors import fail
from forumgrader.web.limits import limited
from forumgrader.web.student.selfcheck import UNREADABLE, check_submitted
from forumgrader.web.uploads import UploadRejected

SEND_A_DRAFT = 'the draft as JSON, {"text": "..."}, or upload it as the multipart field "file"'
SELF_CHECK_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["text"],
            "properties": {
                "text": {"type": "string", "minLength": 1, "description": "the draft, its reference list at the end"}
            },
        }
    },
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": ".docx, .txt, .md or .html"}},
        }
    },
}


@registry.route(
    "/self-check",
    methods=("POST",),
    summary="Check a draft's citations",
    response=REPORT,
    request_body=SELF_CHECK_BODY,
    errors=(400, 401, 413, 429),
    public=True,
)
@limited("self_check")
def self_check() -> dict[str, Any]:
    """Read a draft's reference list and in-text citations and verify each reference against Crossref: the same
    report as `forumgrader check --json`. No token needed (one that is sent must be valid); nothing is stored.
    Rate-limited per client address; when Crossref is slow, references it has not answered in time are `unchecked`."""
    if auth.bearer_token() is not None and auth.token_user() is None:
        auth.refuse()
    text: str | None = None
    if not request.files:
        text = json_body(SELF_CHECK_BODY, what=SEND_A_DRAFT)["text"]
        if not text.strip():
            fail(400, f"Send {SEND_A_DRAFT}.")
    try:
        checked = check_submitted(text, request.files.get("file"))
    except UploadRejected as error:
        fail(400, str(error), code="invalid_upload")
    except UNREADABLE as error:
        fail(400, str(error))
    return checked.to_json()


@registry.route(
    "/topics/<int:topic_id>/check",
    methods=("POST",),
    status=202,
    summary="Start checking a topic's citations",
    response=JOB,
    errors=(401, 403, 404),
)
def check_topic(topic_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Read every post's references, verify them against Crossref and grade the topic with its rubric, in the
    background; follow the job at the address in `Location` (GET /jobs/{id})."""
    topic = topic_or_404(topic_id)
    session = store.session()
    job = submit_check(session, topic, signed_in_user())
    session.commit()
    jobs.enqueue(job)
    session.refresh(job)
    return job_json(job), 202, {"Location": url_for("api.job", job_id=job.id)}
