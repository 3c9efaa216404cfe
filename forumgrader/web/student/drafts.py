"""A signed-in student's saved drafts: keep a checked draft, read it again with its report, delete it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.store import drafts as draft_store
from forumgrader.web.access import signed_in_user
from forumgrader.web.limits import limited
from forumgrader.web.student.present import present
from forumgrader.web.student.selfcheck import UNREADABLE, check_submitted

blueprint = Blueprint("drafts", __name__)


@blueprint.get("/drafts")
def drafts() -> ResponseReturnValue:
    """List your saved drafts, newest first."""
    found = draft_store.drafts_of(store.session(), signed_in_user())
    return render_template(
        "student/drafts.html", drafts=[(draft, present(draft.report, draft.text)) for draft in found]
    )


@blueprint.post("/drafts")
@limited("self_check")
def save() -> ResponseReturnValue:
    """Check the draft again and keep it with its report (the report is always the server's own)."""
    try:
        # the form sends back the text the report was read from: read it as it is
        checked = check_submitted(request.form.get("text"), None, pasted_as="draft.txt")
    except UNREADABLE as error:
        flash(f"This draft was not saved: {error}", "error")
        return redirect(url_for("selfcheck.page"))
    session = store.session()
    draft = draft_store.save_draft(
        session, signed_in_user(), checked.text, checked.to_json(), request.form.get("title", "")
    )
    session.commit()
    flash("Your draft and its report are saved. Only you can see them.", "success")
    return redirect(url_for("drafts.draft", draft_id=draft.id))


@blueprint.get("/drafts/<int:draft_id>")
def draft(draft_id: int) -> ResponseReturnValue:
    """Show one of your drafts and the report it had when you saved it."""
    found = draft_store.draft_of(store.session(), signed_in_user(), draft_id)
    if found is None:
        abort(404)
    return render_template("student/draft.html", draft=found, view=present(found.report, found.text))


@blueprint.post("/drafts/<int:draft_id>/delete")
def delete(draft_id: int) -> ResponseReturnValue:
    """Delete one of your drafts for good."""
    session = store.session()
    if not draft_store.delete_draft(session, signed_in_user(), draft_id):
        abort(404)
    session.commit()
    flash("The draft is deleted.", "success")
    return redirect(url_for("drafts.drafts"))
