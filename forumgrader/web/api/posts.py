"""API: a topic's posts (all for staff, their own for a student), one post, its citation report, a topic's findings."""

from __future__ import annotations

from typing import Any

from flask import request

from forumgrader import store
from forumgrader.citations.model import Severity
from forumgrader.store import reports
from forumgrader.store.students import topic_posts_statement
from forumgrader.web.access import post_or_404, signed_in_user, topic_or_404
from forumgrader.web.api import registry
from forumgrader.web.api.pagination import PAGE_PARAMETERS, page_of, paginate, paginate_items
from forumgrader.web.api.report_schema import FINDING_CODES, REPORT, TOPIC_FINDING
from forumgrader.web.api.resources import POST, post_json
from forumgrader.web.api.spec import Parameter
from forumgrader.web.errors import fail

SEVERITIES = [severity.value for severity in Severity]
FINDING_FILTERS = (
    Parameter(
        "code",
        "Only findings with these codes (repeat the parameter, or separate codes with commas).",
        {"type": "array", "items": {"type": "string", "enum": FINDING_CODES}},
    ),
    Parameter(
        "severity",
        "Only findings of these severities (repeat the parameter, or separate them with commas).",
        {"type": "array", "items": {"type": "string", "enum": SEVERITIES}},
    ),
)


@registry.route(
    "/topics/<int:topic_id>/posts",
    summary="List a topic's posts",
    response=page_of(POST),
    query=PAGE_PARAMETERS,
    errors=(400, 401, 404),
)
def topic_posts(topic_id: int) -> dict[str, Any]:
    """The posts you may read in a topic, oldest first: every post for its staff, your own for a student."""
    statement = topic_posts_statement(store.session(), signed_in_user(), topic_or_404(topic_id))
    return paginate(statement, lambda row: post_json(row[0]))


@registry.route("/posts/<int:post_id>", summary="Show one post", response=POST)
def post(post_id: int) -> dict[str, Any]:
    """A post: its clean text, author, the post it replies to, and when it was written and edited."""
    return post_json(post_or_404(post_id))


@registry.route("/posts/<int:post_id>/report", summary="Show a post's citation report", response=REPORT)
def post_report(post_id: int) -> dict[str, Any]:
    """The post's references with their verdicts, its in-text citations and its findings: the shape of
    `forumgrader check --json`, with the verdicts the last check stored (`unchecked` until one ran)."""
    return reports.post_report(store.session(), post_or_404(post_id))


def _choices(name: str, allowed: list[str]) -> list[str]:
    chosen = [value.strip() for raw in request.args.getlist(name) for value in raw.split(",") if value.strip()]
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        fail(400, f"`{name}` may be {', '.join(allowed)}; not {', '.join(unknown)}.", code="invalid_parameter")
    return chosen


@registry.route(
    "/topics/<int:topic_id>/findings",
    summary="List a topic's citation findings",
    response=page_of(TOPIC_FINDING),
    query=(*FINDING_FILTERS, *PAGE_PARAMETERS),
    errors=(400, 401, 404),
)
def topic_findings(topic_id: int) -> dict[str, Any]:
    """Every finding in the posts you may read in a topic, post by post, in the order of each text."""
    codes, severities = _choices("code", FINDING_CODES), _choices("severity", SEVERITIES)
    session = store.session()
    posts = list(session.scalars(topic_posts_statement(session, signed_in_user(), topic_or_404(topic_id))))
    found = reports.post_reports(session, [post for post in posts if not post.deleted])
    return paginate_items(reports.findings_of(found, codes=codes, severities=severities))
