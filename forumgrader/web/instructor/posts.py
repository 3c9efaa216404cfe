"""A post's page: its citations highlighted by verdict, each reference beside its record, and its author's grade."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.grading import RubricError
from forumgrader.grading.rubricreader import MAX_NUMBER
from forumgrader.grading.scores import points_text
from forumgrader.store import accounts
from forumgrader.store.grades import GradingError, clear_override, set_override, topic_rubric
from forumgrader.store.posts import post_page
from forumgrader.store.topics import regrade
from forumgrader.web.access import post_or_404, signed_in_user
from forumgrader.web.auth import local_path
from forumgrader.web.inputs import decimal_number

blueprint = Blueprint("posts", __name__)


@blueprint.get("/posts/<int:post_id>")
def post(post_id: int) -> ResponseReturnValue:
    """Show a post with its citations checked; staff also see the author's rubric breakdown."""
    found = post_or_404(post_id)
    session = store.session()
    user = signed_in_user()
    topic = found.thread.topic
    staff = accounts.can_review_course(session, user, topic.course_id)
    rubric = None
    if staff:
        try:
            rubric = topic_rubric(topic)
        except RubricError as error:
            flash(f"This topic's rubric cannot be read: {'; '.join(error.problems)}.", "error")
    page = post_page(session, found, rubric.name if rubric is not None else None)
    return render_template(
        "posts/post.html",
        page=page,
        rubric=rubric,
        staff=staff,
        can_grade=accounts.can_grade_course(session, user, topic.course_id),
        points_text=points_text,
    )


@blueprint.post("/posts/<int:post_id>/override")
def override(post_id: int) -> ResponseReturnValue:
    """Set (or clear) the author's points for one criterion, with the reason; audited, and the topic regraded."""
    found = post_or_404(post_id)
    session = store.session()
    topic = found.thread.topic
    back = redirect(local_path(request.form.get("back")) or url_for("posts.post", post_id=found.id) + "#rubric")
    criterion = request.form.get("criterion", "").strip()
    reason = request.form.get("reason", "").strip()
    if found.author_id is None or not criterion:
        flash("Choose a criterion of this post's author to override.", "error")
        return back
    clearing = request.form.get("action") == "clear"
    if not clearing and not reason:
        flash("Give the reason for the override: the student and the audit log read it.", "error")
        return back
    try:
        rubric = topic_rubric(topic)
        if clearing:
            if not clear_override(
                session, topic.id, found.author_id, rubric, criterion, reason=reason, user=signed_in_user()
            ):
                raise GradingError(f"there is no override of {criterion!r} to clear")
            done = "Cleared the override: the computed points count again."
        else:
            points = decimal_number(request.form.get("points"), low=0, high=MAX_NUMBER)
            if points is None:
                raise GradingError("give the points as a number, such as 7 or 7.5")
            set_override(session, topic.id, found.author_id, rubric, criterion, points, reason, signed_in_user())
            done = f"Set {points_text(points)} points with your reason; the grade is updated."
        regrade(session, topic)
    except (GradingError, RubricError) as error:
        session.rollback()
        message = "; ".join(error.problems) if isinstance(error, RubricError) else str(error)
        flash(message[:1].upper() + message[1:] + ".", "error")
        return back
    session.commit()
    flash(done, "success")
    return back
