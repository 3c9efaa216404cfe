"""The LMS's doors into forumgrader: the OIDC login, the launch, the tool's public keys, and Deep Linking."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user

from forumgrader import store
from forumgrader.lti.claims import Launch
from forumgrader.lti.deeplinking import Placement, View, answer, reopen_deep_link
from forumgrader.lti.launches import Launched, LaunchRefused, login_redirect, validate_launch
from forumgrader.store import accounts, lti_platforms
from forumgrader.store import courses as course_store
from forumgrader.store.grades import topic_rubric
from forumgrader.store.lti_links import LaunchedAs, LaunchError, apply_launch
from forumgrader.store.models import Topic
from forumgrader.web.access import signed_in_user
from forumgrader.web.lti.admin import tool_urls
from forumgrader.web.lti.frames import FRAMES, any_frame_csp, csp_for, with_nonce

log = logging.getLogger(__name__)
blueprint = Blueprint("lti", __name__, url_prefix="/lti")


def _refused(error: LaunchRefused | LaunchError, status: int = 400) -> ResponseReturnValue:
    log.warning("LTI launch refused: %s (%s)", error, getattr(error, "detail", ""))
    page = render_template("lti/refused.html", message=str(error))
    return page, status, {"Content-Security-Policy": any_frame_csp()}  # shown inside the LMS's frame


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Answer the platform's third-party initiated login: on to its OIDC endpoint with a state and a nonce."""
    if not (request.values.get("iss") or request.values.get("login_hint")):
        return render_template("lti/about.html", urls=tool_urls())  # a person, not an LMS: what this address is for
    lti_platforms.signing_key(store.session(), current_app.config)
    store.session().commit()  # the tool's first key, if it had to be made, before launch data is written beside it
    try:
        response = login_redirect(
            store.session(), store.database(), current_app.config, url_for("lti.launch", _external=True)
        )
    except LaunchRefused as error:
        return _refused(error)
    if response.status_code == 200:  # pylti1p3's cookie check page, with inline code: admitted by a nonce
        nonce = secrets.token_urlsafe(16)
        response.set_data(with_nonce(response.get_data(as_text=True), nonce))
        response.headers["Content-Security-Policy"] = any_frame_csp(nonce=nonce)
    return response


@blueprint.post("/launch")
def launch() -> ResponseReturnValue:
    """Validate the launch, sign the person in with their course role, and open what the link is for."""
    db_session = store.session()
    try:
        launched = validate_launch(db_session, store.database(), current_app.config)
        done = apply_launch(db_session, launched.platform, launched.launch)
    except (LaunchRefused, LaunchError) as error:
        db_session.rollback()
        return _refused(error)
    db_session.commit()
    session.clear()  # nothing from before the launch carries over
    login_user(done.user)
    session[FRAMES] = list(launched.launch.frame_origins)
    session["lti_launch"], session["lti_course"] = launched.launch_id, done.course.id
    return redirect(_landing(done, launched.launch))


def _landing(done: LaunchedAs, launch: Launch) -> str:
    """Where a launch opens: deep linking's picker; staff a topic's dashboard (else the course); students the check."""
    if launch.deep_linking:
        return url_for("lti.deep_link")
    if done.role is accounts.CourseRole.STUDENT or launch.custom.get("view") == View.SELF_CHECK:
        return url_for("selfcheck.page")
    topic = _topic(launch.custom.get("topic", ""))
    if topic is not None and topic.course_id == done.course.id:
        return url_for("topics.topic", topic_id=topic.id)
    if topic is not None:
        flash("This link points to a topic of another course: here is this course's list instead.", "error")
    return url_for("courses.course", course_id=done.course.id)


def _topic(value: str) -> Topic | None:
    return store.session().get(Topic, int(value)) if value.isdigit() else None


@blueprint.get("/jwks")
def jwks() -> ResponseReturnValue:
    """Publish the tool's public keys (the JWKS URL given to each platform)."""
    keys = lti_platforms.jwks(store.session())
    if not keys["keys"]:
        lti_platforms.signing_key(store.session(), current_app.config)
        store.session().commit()
        keys = lti_platforms.jwks(store.session())
    response = jsonify(keys)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _deep_link_course() -> tuple[Any, Launched, int]:
    """The launch being answered (pylti1p3's, ours) and its course, for the instructor who made it; else refused."""
    launch_id = session.get("lti_launch")
    if not launch_id:
        raise LaunchRefused("There is no launch to place content for. Open the LMS's tool picker again.")
    launch, launched = reopen_deep_link(store.session(), store.database(), current_app.config, launch_id)
    course_id = int(session.get("lti_course", 0))
    if not accounts.can_grade_course(store.session(), signed_in_user(), course_id):
        raise LaunchRefused("Only the course's instructors place forumgrader in it.")
    return launch, launched, course_id


@blueprint.get("/deep-link")
def deep_link() -> ResponseReturnValue:
    """Let an instructor choose what to place in the course: a topic's dashboard, or the student self-check."""
    try:
        _launch, _launched, course_id = _deep_link_course()
    except LaunchRefused as error:
        return _refused(error)
    rows = course_store.course_topics(store.session(), signed_in_user(), course_id)
    return render_template("lti/deep_link.html", rows=rows)


@blueprint.post("/deep-link")
def deep_link_answer() -> ResponseReturnValue:
    """Sign the chosen placements and post them back to the LMS."""
    try:
        launch, launched, course_id = _deep_link_course()
    except LaunchRefused as error:
        return _refused(error)
    placements = _placements(request.form.getlist("place"), course_id)
    if not placements:
        flash("Choose at least one thing to place in the course.", "error")
        return redirect(url_for("lti.deep_link"))
    try:
        signed = answer(launch, launched, placements, url_for("lti.launch", _external=True))
    except LaunchRefused as error:
        return _refused(error)
    store.session().commit()
    response = current_app.make_response(render_template("lti/deep_link_return.html", answer=signed))
    response.headers["Content-Security-Policy"] = csp_for(session.get(FRAMES, []), form_to=signed.return_url)
    return response


def _placements(chosen: list[str], course_id: int) -> list[Placement]:
    """Read the form's choices ("selfcheck", "dashboard:<topic id>") into placements in this course."""
    placements = []
    for choice in dict.fromkeys(chosen):
        view, _, topic_id = choice.partition(":")
        if view == View.SELF_CHECK and not topic_id:
            placements.append(Placement(View.SELF_CHECK, "Check your citations (forumgrader)"))
            continue
        topic = _topic(topic_id)
        if view != View.DASHBOARD or topic is None or topic.course_id != course_id:
            continue
        title = f"{topic.title or f'Topic {topic.id}'} (forumgrader)"
        placements.append(Placement(View.DASHBOARD, title, topic.id, _points(topic)))
    return placements


def _points(topic: Topic) -> float | None:
    try:
        return topic_rubric(topic).possible
    except ValueError:
        return topic.points_possible
