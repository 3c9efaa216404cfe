"""The TA review queue: a course's flagged references worst first, confirmed or dismissed with a note, by keyboard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store.grades import topic_rubric
from forumgrader.store.models import Course, Grade, Person, Post, Topic
from forumgrader.store.reviews import (
    SEVERITY,
    FlagFilters,
    FlagStatus,
    ReviewError,
    awaiting_by_course,
    decide,
    flag_counts,
    flags,
    reopen,
)
from forumgrader.web.access import course_or_404, signed_in_user
from forumgrader.web.auth import local_path
from forumgrader.web.errors import fail
from forumgrader.web.inputs import whole_number

blueprint = Blueprint("review", __name__)

SHOWN = 50  # flags on one page; ?all=1 shows every one
KIND_NAMES = {
    "broken_doi": "Broken DOI",
    "wrong_doi": "DOI of another work",
    "not_found": "Not found",
    "retracted": "Retracted",
    "mismatch": "Details differ",
}
STATUS_NAMES = {"awaiting": "Awaiting review", "confirmed": "Confirmed", "dismissed": "Dismissed", "all": "All"}
DONE = {"confirmed": "Confirmed", "dismissed": "Dismissed", "reopen": "Back in the queue"}


@blueprint.get("/review")
def queue() -> ResponseReturnValue:
    """List the courses whose flags you review, with how many await a decision."""
    session = store.session()
    user = signed_in_user()
    mine = [
        (course, role)
        for course, role in accounts.visible_courses(session, user)
        if role in {"ta", "instructor", "admin"}
    ]
    awaiting = awaiting_by_course(session, [course.id for course, _role in mine])
    return render_template("review/hub.html", courses=mine, awaiting=awaiting)


def _number(args: MultiDict[str, str], name: str) -> int | None:
    return whole_number(args.get(name))


def read_filters(args: MultiDict[str, str]) -> FlagFilters:
    """Read the queue's filters from the address: ?topic=ID&student=ID&verdict=not_found&status=awaiting|all."""
    status = args.get("status", FlagStatus.AWAITING.value)
    verdict = args.get("verdict") or None
    return FlagFilters(
        topic_id=_number(args, "topic"),
        person_id=_number(args, "student"),
        verdict=verdict if verdict in SEVERITY else None,
        status=FlagStatus(status) if status in {s.value for s in FlagStatus} else None,
    )


def _students(course: Course) -> list[Person]:
    return list(
        store.session().scalars(
            select(Person)
            .where(Person.course_id == course.id, Person.role == "student")
            .order_by(Person.sortable_name, Person.display_name, Person.id)
        )
    )


@blueprint.get("/courses/<int:course_id>/review")
def course(course_id: int) -> ResponseReturnValue:
    """Show a course's flagged references, worst first, each beside its Crossref record, ready for a decision."""
    found = course_or_404(course_id)
    session = store.session()
    filters = read_filters(request.args)
    listed = flags(session, found.id, filters)
    shown = listed if request.args.get("all") else listed[:SHOWN]
    return render_template(
        "review/queue.html",
        course=found,
        filters=filters,
        flags=shown,
        total=len(listed),
        counts=flag_counts(session, found.id, filters),
        topics=found.topics,
        students=_students(found),
        kind_names=KIND_NAMES,
        status_names=STATUS_NAMES,
        status=filters.status.value if filters.status else "all",
        here=request.full_path.rstrip("?"),
        show_all=url_for("review.course", **_with_all(request.args, found.id)),
    )


def _with_all(args: MultiDict[str, str], course_id: int) -> dict[str, Any]:
    """Return the address values of this page of the queue with every flag shown."""
    return {**args.to_dict(flat=False), "course_id": course_id, "all": 1}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _grade_json(post: Post) -> dict[str, Any] | None:
    if post.author_id is None:
        return None
    topic = store.session().get_one(Topic, post.topic_id)
    grade = store.session().scalar(
        select(Grade).where(
            Grade.topic_id == topic.id, Grade.person_id == post.author_id, Grade.rubric == topic_rubric(topic).name
        )
    )
    if grade is None:
        return None
    return {"total": grade.total, "possible": grade.possible, "provisional": grade.provisional}


@blueprint.post("/courses/<int:course_id>/review/decisions")
def decision(course_id: int) -> ResponseReturnValue:
    """Confirm or dismiss a flag with a note, or put it back in the queue; the author's grade follows at once."""
    found = course_or_404(course_id)
    session = store.session()
    form = request.form
    post_id = whole_number(form.get("post_id"))
    if post_id is None or not form.get("reference_key"):
        fail(400, "Say which post and which reference the decision is about: use the review queue's buttons.")
    post = session.get(Post, post_id)
    if post is None or session.get_one(Topic, post.topic_id).course_id != found.id:
        fail(404, "That post is not in this course: reload the review queue.")
    chosen, note, key = form.get("decision", ""), form.get("note", "")[:2000], form.get("reference_key", "")
    back = local_path(form.get("back")) or url_for("review.course", course_id=found.id)
    try:
        if chosen == "reopen":
            reopen(session, post.id, key, note, signed_in_user())
        else:
            decide(session, post.id, key, chosen, note, signed_in_user())
    except ReviewError as error:
        session.rollback()
        if _wants_json():
            return jsonify(error="invalid_decision", message=str(error)), 409
        flash(str(error), "error")
        return redirect(back)
    session.commit()
    grade = _grade_json(post)
    message = f"{DONE[chosen]}." + (" The grade is provisional still." if grade and grade["provisional"] else "")
    if _wants_json():
        awaiting = flag_counts(session, found.id)[FlagStatus.AWAITING]
        status = FlagStatus.AWAITING.value if chosen == "reopen" else chosen
        return jsonify(
            status=status, note=note.strip(), reviewer=_reviewer_name(), message=message, grade=grade, awaiting=awaiting
        )
    flash(message, "success")
    anchor = form.get("next", "")
    return redirect(back + (f"#{anchor}" if anchor.replace("-", "").isalnum() else ""))


def _reviewer_name() -> str:
    user = signed_in_user()
    return user.name or user.email
