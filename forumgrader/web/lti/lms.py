"""Instructors' LMS pages: a course's links to its LMS (LTI roster, Canvas connection and topic import), and a
topic's grade passback (send now, or after each grading; provisional grades held back or marked pending)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from forumgrader import jobs, store
from forumgrader.canvas import sync as canvas_sync
from forumgrader.canvas.api import CanvasFailed, CanvasTopic
from forumgrader.lti import passback
from forumgrader.store import canvas_connections, lti_links
from forumgrader.store.grade_passback import Provisional, choose, settings
from forumgrader.store.models import Course, Job, Topic
from forumgrader.web.access import course_or_404, signed_in_user, topic_or_404

blueprint = Blueprint("lms", __name__)

# Where a topic's grades may go: whether it is linked there, and the job that sends them
PASSBACKS: dict[str, tuple[Callable[[Session, Topic], bool], Callable[..., Job]]] = {
    "lti": (passback.linked, passback.submit_grades),
    "canvas": (canvas_sync.linked, canvas_sync.submit_grades),
}


def _follow(job: Job) -> ResponseReturnValue:
    store.session().commit()
    jobs.enqueue(job)
    return redirect(url_for("jobs.job", job_id=job.id))


def _course_page(course: Course, status: int = 200, error: str = "") -> ResponseReturnValue:
    session = store.session()
    connection = canvas_connections.live_connection(session, course.id)
    topics: list[CanvasTopic] = []
    if connection is not None and not error:
        try:
            topics = canvas_sync.list_topics(session, current_app.config, course.id)
        except CanvasFailed as failed:
            error = str(failed)
    page = render_template("lti/course.html", course=course, contexts=lti_links.contexts_of(session, course.id),
                           connection=connection, topics=topics, error=error)  # fmt: skip
    return page, status


@blueprint.get("/courses/<int:course_id>/lms")
def course(course_id: int) -> ResponseReturnValue:
    """Show the course's LMS links: the LTI courses it is, its Canvas connection and the Canvas topics to import."""
    return _course_page(course_or_404(course_id))


@blueprint.post("/courses/<int:course_id>/lms/roster")
def roster(course_id: int) -> ResponseReturnValue:
    """Fetch the roster of each LMS course linked by LTI (NRPS)."""
    found = course_or_404(course_id)
    return _follow(passback.submit_roster(store.session(), found.id, signed_in_user().id))


@blueprint.post("/courses/<int:course_id>/canvas")
def canvas_connect(course_id: int) -> ResponseReturnValue:
    """Connect the course to a Canvas course with an access token (checked, then kept encrypted)."""
    found = course_or_404(course_id)
    session = store.session()
    try:
        owner = canvas_sync.connect(session, current_app.config, found, request.form.get("url", ""),
                                    request.form.get("token", ""), signed_in_user())  # fmt: skip
    except CanvasFailed as error:
        session.rollback()
        return _course_page(found, 400, str(error))
    session.commit()
    flash(f"Connected to Canvas as {owner}. The token is stored encrypted; revoke it here at any time.", "success")
    return redirect(url_for("lms.course", course_id=found.id))


@blueprint.post("/courses/<int:course_id>/canvas/revoke")
def canvas_revoke(course_id: int) -> ResponseReturnValue:
    """Forget the course's Canvas token at once."""
    found = course_or_404(course_id)
    revoked = canvas_connections.revoke(store.session(), found.id, signed_in_user())
    store.session().commit()
    flash("The Canvas token is forgotten." if revoked else "There was no Canvas token to revoke.", "success")
    return redirect(url_for("lms.course", course_id=found.id))


@blueprint.post("/courses/<int:course_id>/canvas/import")
def canvas_import(course_id: int) -> ResponseReturnValue:
    """Import the chosen Canvas topics (full view with new entries, and the topic), then check and grade them."""
    found = course_or_404(course_id)
    chosen = [value for value in request.form.getlist("topic") if value.isdigit()]
    if not chosen:
        flash("Choose at least one topic to import.", "error")
        return redirect(url_for("lms.course", course_id=found.id))
    return _follow(canvas_sync.submit_import(store.session(), found, chosen, signed_in_user().id))


def _targets(topic: Topic) -> dict[str, bool]:
    return {name: linked(store.session(), topic) for name, (linked, _submit) in PASSBACKS.items()}


@blueprint.get("/topics/<int:topic_id>/passback")
def topic(topic_id: int) -> ResponseReturnValue:
    """Show where the topic's grades go, how, and a button to send them."""
    found = topic_or_404(topic_id)
    return render_template("lti/passback.html", topic=found, settings=settings(store.session(), found),
                           targets=_targets(found))  # fmt: skip


@blueprint.post("/topics/<int:topic_id>/passback/settings")
def choose_settings(topic_id: int) -> ResponseReturnValue:
    """Record the instructor's choices: send after each grading or on request; provisional grades held or pending."""
    found = topic_or_404(topic_id)
    provisional = request.form.get("provisional", Provisional.HOLD.value)
    if provisional not in {choice.value for choice in Provisional}:
        flash("Choose to hold provisional grades back, or to send them marked as pending.", "error")
        return redirect(url_for("lms.topic", topic_id=found.id))
    choose(store.session(), found, automatic=request.form.get("automatic") == "1",
           provisional=Provisional(provisional), user=signed_in_user())  # fmt: skip
    store.session().commit()
    flash("Saved how this topic's grades go to the LMS.", "success")
    return redirect(url_for("lms.topic", topic_id=found.id))


@blueprint.post("/topics/<int:topic_id>/passback/send")
def send(topic_id: int) -> ResponseReturnValue:
    """Send the topic's grades with their feedback to the LMS gradebook (LTI line item, or the Canvas assignment)."""
    found = topic_or_404(topic_id)
    force, user_id = request.form.get("force") == "1", signed_in_user().id
    submitters = [submit for linked, submit in PASSBACKS.values() if linked(store.session(), found)]
    if not submitters:
        flash(
            "This topic is linked to no LMS gradebook yet: open forumgrader from the LMS, or connect Canvas.", "error"
        )
        return redirect(url_for("lms.topic", topic_id=found.id))
    submitted = [submit(store.session(), found, user_id, force=force) for submit in submitters]
    store.session().commit()
    for job in submitted:
        jobs.enqueue(job)
    return redirect(url_for("jobs.job", job_id=submitted[-1].id))
