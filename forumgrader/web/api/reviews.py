"""API: a course's flagged references with the decisions taken on them, and a TA's decision on one of them.

Decisions go through forumgrader.store.reviews (the review queue's service): kept by reference key across re-checks,
audited, and the topic graded again at once.
"""

from __future__ import annotations

from typing import Any

from flask import request

from forumgrader import store
from forumgrader.grading import Decision
from forumgrader.store import reviews
from forumgrader.store.flags import SEVERITY, Flag, FlagFilters, FlagStatus, flags
from forumgrader.store.models import Post, Review
from forumgrader.store.reports import reference_key_at
from forumgrader.store.reviews import NOTE_LENGTH, ReviewError
from forumgrader.web.access import course_or_404, post_or_404, signed_in_user
from forumgrader.web.api import registry
from forumgrader.web.api.bodies import json_body
from forumgrader.web.api.pagination import PAGE_PARAMETERS, page_of, paginate_items
from forumgrader.web.api.report_schema import NOTICE, RECORD
from forumgrader.web.api.resources import TIME, iso_time, object_schema
from forumgrader.web.api.spec import Parameter
from forumgrader.web.errors import fail
from forumgrader.web.inputs import ID_MAX, whole_number

STATUSES = [status.value for status in FlagStatus]
KINDS = sorted(SEVERITY)
DECISIONS = [decision.value for decision in Decision]
A_DECISION = 'a JSON object: {"reference_key": "...", "decision": "confirmed" or "dismissed", "note": "..."}'
STRING, INTEGER = {"type": "string"}, {"type": "integer"}
FLAG = registry.schema(
    "Flag",
    object_schema(
        {
            "post_id": INTEGER,
            "reference_key": STRING | {"description": "the hash of the reference's normalised text"},
            "reference_index": INTEGER | {"description": "position in the post's reference list, from 0"},
            "topic_id": INTEGER,
            "topic_title": STRING,
            "person_id": {"type": ["integer", "null"]},
            "student": STRING,
            "kind": {"type": "string", "enum": KINDS, "description": "what makes it a flag: the verdict, or retracted"},
            "verdict": STRING,
            "retracted": {"type": "boolean"},
            "text": STRING,
            "doi": STRING,
            "matched_doi": STRING,
            "differences": {"type": "array", "items": {"type": "object"}},
            "record": RECORD | {"type": ["object", "null"]},
            "suggestion": STRING,
            "message": STRING,
            "notices": {"type": "array", "items": NOTICE},
            "status": {"type": "string", "enum": STATUSES},
            "note": STRING,
            "reviewed_verdict": STRING | {"description": "the verdict the decision was taken on"},
            "reviewer": STRING,
            "decided_at": TIME,
        }
    ),
)
REVIEW = registry.schema(
    "Review",
    object_schema(
        {
            "post_id": INTEGER,
            "reference_key": STRING,
            "decision": {"type": "string", "enum": DECISIONS},
            "note": STRING,
            "verdict": STRING | {"description": "the verdict that was reviewed"},
            "decided_at": TIME,
        }
    ),
)
DECISION_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["decision"],
            "properties": {
                "reference_key": STRING
                | {
                    "minLength": 1,
                    "maxLength": 100,
                    "description": "the flag's reference_key (or give reference_index)",
                },
                "reference_index": INTEGER
                | {
                    "minimum": 0,
                    "maximum": ID_MAX,
                    "description": "the reference's position in the post's list, from 0",
                },
                "decision": {"type": "string", "enum": DECISIONS},
                "note": STRING | {"maxLength": NOTE_LENGTH, "description": "why: the student never sees who decided"},
            },
        }
    }
}


def flag_json(flag: Flag) -> dict[str, Any]:
    """Write a flag of the review queue as the API answers it."""
    return {
        "post_id": flag.post_id,
        "reference_key": flag.reference_key,
        "reference_index": flag.position,
        "topic_id": flag.topic_id,
        "topic_title": flag.topic_title,
        "person_id": flag.person_id,
        "student": flag.student,
        "kind": flag.kind,
        "verdict": flag.verdict,
        "retracted": flag.retracted,
        "text": flag.text,
        "doi": flag.doi,
        "matched_doi": flag.matched_doi,
        "differences": flag.differences,
        "record": flag.record,
        "suggestion": flag.suggestion,
        "message": flag.message,
        "notices": flag.notices,
        "status": flag.status.value,
        "note": flag.note,
        "reviewed_verdict": flag.reviewed_verdict,
        "reviewer": flag.reviewer,
        "decided_at": iso_time(flag.decided_at),
    }


def _one_of(name: str, allowed: list[str]) -> str | None:
    value = request.args.get(name, "").strip()
    if value and value not in allowed:
        fail(400, f"`{name}` may be {', '.join(allowed)}; not {value!r}.", code="invalid_parameter")
    return value or None


def _number(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    number = whole_number(value)
    if value and number is None:
        fail(400, f"`{name}` must be an id, a whole number; got {value!r}.", code="invalid_parameter")
    return number


@registry.route(
    "/courses/<int:course_id>/reviews",
    summary="List a course's flagged references and their reviews",
    response=page_of(FLAG),
    query=(
        Parameter(
            "status", "Only flags awaiting review, or confirmed, or dismissed.", {"type": "string", "enum": STATUSES}
        ),
        Parameter("kind", "Only flags of this kind.", {"type": "string", "enum": KINDS}),
        Parameter("topic_id", "Only flags in this topic.", {"type": "integer"}),
        Parameter("person_id", "Only flags in this student's posts.", {"type": "integer"}),
        *PAGE_PARAMETERS,
    ),
    errors=(400, 401, 403, 404),
)
def course_reviews(course_id: int) -> dict[str, Any]:
    """The review queue: flagged references worst first (broken or wrong DOI, not found, retracted, mismatch), each
    with its evidence and the decision taken on it, if any."""
    status = _one_of("status", STATUSES)
    filters = FlagFilters(
        topic_id=_number("topic_id"),
        person_id=_number("person_id"),
        verdict=_one_of("kind", KINDS),
        status=FlagStatus(status) if status else None,
    )
    found = flags(store.session(), course_or_404(course_id).id, filters)
    return paginate_items([flag_json(flag) for flag in found])


def _reference_key(post: Post, body: dict[str, Any]) -> str:
    key, index = body.get("reference_key"), body.get("reference_index")
    if isinstance(key, str) and key:
        return key
    if isinstance(index, int) and not isinstance(index, bool):
        found = reference_key_at(store.session(), post.id, index)
        if found is None:
            fail(404, f"This post has no reference {index} (the first is 0): read its report for the list.")
        return found
    fail(400, 'Say which reference: give "reference_key" (from the review queue) or "reference_index" (from 0).',
         code="invalid_parameter")  # fmt: skip


@registry.route(
    "/posts/<int:post_id>/reviews",
    methods=("POST",),
    status=201,
    summary="Confirm or dismiss a flagged reference",
    response=REVIEW,
    request_body=DECISION_BODY,
    errors=(400, 401, 403, 404),
)
def review_post(post_id: int) -> tuple[dict[str, Any], int]:
    """Decide on one flagged reference of a post: `confirmed` (the flag stands) or `dismissed` (the reference is
    fine). The decision is kept across re-checks, audited, and the topic's grades are worked out again."""
    post = post_or_404(post_id)
    body = json_body(DECISION_BODY, what=A_DECISION)
    decision, note = body["decision"], body.get("note", "")
    session = store.session()
    try:
        review = reviews.decide(session, post.id, _reference_key(post, body), decision, note, signed_in_user())
    except ReviewError as error:
        session.rollback()
        fail(400, str(error))
    session.commit()
    return review_json(review), 201


def review_json(review: Review) -> dict[str, Any]:
    """Write a decision as the API answers it (who decided is in the audit log, not here)."""
    return {
        "post_id": review.post_id,
        "reference_key": review.reference_key,
        "decision": review.decision,
        "note": review.note,
        "verdict": review.verdict,
        "decided_at": iso_time(review.decided_at),
    }
