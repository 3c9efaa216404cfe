"""The TA review queue: a course's flagged references worst first, one row each, confirmed or dismissed with a note,
one by one (by keyboard too) or many at once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store.bulk_review import FlagKey, decide_all, flag_keys
from forumgrader.store.flag_counts import FlagCounts, MenuCounts, awaiting_by_course, flag_counts
from forumgrader.store.flags import SEVERITY, FlagFilters, FlagStatus, flag_page
from forumgrader.store.grades import topic_rubric
from forumgrader.store.models import Course, Grade, Person, Post, Topic
from forumgrader.store.reviews import NOTE_LENGTH, ReviewError, decide, reopen
from forumgrader.web.access import course_or_404, signed_in_user
from forumgrader.web.auth import local_path
from forumgrader.web.errors import fail
from forumgrader.web.inputs import whole_number

blueprint = Blueprint("review", __name__)

PER_PAGE = 100  # rows of the table on one page (?page=2...)
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


def read_filters(args: MultiDict[str, str]) -> FlagFilters:
    """Read the queue's filters from the address: ?topic=ID&student=ID&verdict=not_found&status=awaiting|all."""
    status = args.get("status", FlagStatus.AWAITING.value)
    verdict = args.get("verdict") or None
    return FlagFilters(
        topic_id=whole_number(args.get("topic")),
        person_id=whole_number(args.get("student")),
        verdict=verdict if verdict in SEVERITY else None,
        status=FlagStatus(status) if status in {s.value for s in FlagStatus} else None,
    )


def _students(course: Course) -> list[Any]:
    """Return the course's students for the filter menu: id, display name and key (no whole rows: a class is big)."""
    return list(
        store.session().execute(
            select(Person.id, Person.display_name, Person.key)
            .where(Person.course_id == course.id, Person.role == "student")
            .order_by(Person.sortable_name, Person.display_name, Person.id)
        )
    )


@blueprint.get("/courses/<int:course_id>/review")
def course(course_id: int) -> ResponseReturnValue:
    """Show a course's flagged references as a table, worst first: each row opens on its evidence and decision."""
    found = course_or_404(course_id)
    session = store.session()
    filters = read_filters(request.args)
    page = max(whole_number(request.args.get("page")) or 1, 1)
    total, shown = flag_page(session, found.id, filters, (page - 1) * PER_PAGE, page * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:  # past the end (decisions emptied the last page): the last page there is
        page = pages
        total, shown = flag_page(session, found.id, filters, (page - 1) * PER_PAGE, page * PER_PAGE)
    return render_template(
        "review/queue.html",
        course=found,
        filters=filters,
        flags=shown,
        total=total,
        page=page,
        pages=pages,
        first_row=(page - 1) * PER_PAGE + 1,
        page_links=_page_links(request.args, found.id, page, pages),
        counts=flag_counts(session, found.id, filters),
        topics=found.topics,
        students=_students(found),
        kind_names=KIND_NAMES,
        status_names=STATUS_NAMES,
        status=filters.status.value if filters.status else "all",
        note_length=NOTE_LENGTH,
        here=request.full_path.rstrip("?"),
    )


def _page_links(args: MultiDict[str, str], course_id: int, page: int, pages: int) -> dict[str, str]:
    """Return the addresses of the previous and next pages of the table, with the same filters."""
    values: dict[str, Any] = {**args.to_dict(flat=True), "course_id": course_id}
    links = {}
    if page > 1:
        links["previous"] = url_for("review.course", **{**values, "page": page - 1})
    if page < pages:
        links["next"] = url_for("review.course", **{**values, "page": page + 1})
    return links


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
    chosen, note, key = form.get("decision", ""), form.get("note", "")[:NOTE_LENGTH], form.get("reference_key", "")
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
        counts = flag_counts(session, found.id, read_filters(request.args))  # the page's filters, sent in the address
        status = FlagStatus.AWAITING.value if chosen == "reopen" else chosen
        return jsonify(
            status=status,
            note=note.strip(),
            reviewer=_reviewer_name(),
            message=message,
            grade=grade,
            awaiting=awaiting_by_course(session, [found.id]).get(found.id, 0),
            counts=_counts_json(counts),
        )
    flash(message, "success")
    anchor = form.get("next", "")
    return redirect(back + (f"#{anchor}" if anchor.replace("-", "").isalnum() else ""))


def _counts_json(counts: FlagCounts) -> dict[str, dict[str, int]]:
    """Key each filter menu's counts by the menu's field name and its options' values, as the page's script reads
    them: "" (or "all" for the status) is the option that chooses nothing; a choice left out shows 0."""
    menus: dict[str, MenuCounts[Any]] = {
        "topic": counts.topic_id,
        "student": counts.person_id,
        "verdict": counts.verdict,
        "status": counts.status,
    }
    return {
        name: {("all" if name == "status" else ""): menu.every} | {str(choice): n for choice, n in menu.each.items()}
        for name, menu in menus.items()
    }


def _reviewer_name() -> str:
    user = signed_in_user()
    return user.name or user.email


def _chosen_flags(form: MultiDict[str, str]) -> list[FlagKey]:
    """Read the ticked flags, each written "POST_ID:REFERENCE_KEY"."""
    chosen = []
    for value in form.getlist("flag"):
        post_id, _, key = value.partition(":")
        if not post_id.isdigit() or not key.isalnum():
            fail(400, "A ticked flag is not one the queue wrote: reload the review queue.")
        chosen.append((int(post_id), key))
    return chosen


@blueprint.post("/courses/<int:course_id>/review/bulk")
def bulk(course_id: int) -> ResponseReturnValue:
    """Confirm or dismiss many flags with one note: the ticked ones, or every one the filters show, in one go."""
    found = course_or_404(course_id)
    session = store.session()
    form = request.form
    back = local_path(form.get("back")) or url_for("review.course", course_id=found.id)
    chosen = form.get("decision", "")
    if form.get("scope") == "filtered":
        targets = flag_keys(session, found.id, read_filters(form))
    else:
        targets = _chosen_flags(form)
    try:
        done = decide_all(session, found.id, targets, chosen, form.get("note", "")[:NOTE_LENGTH], signed_in_user())
    except ReviewError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(back)
    session.commit()
    with_note = ", with your note" if form.get("note", "").strip() else ""
    flash(f"{DONE[chosen]}: {done} flag{'' if done == 1 else 's'}{with_note}. The grades are updated.", "success")
    return redirect(back)
