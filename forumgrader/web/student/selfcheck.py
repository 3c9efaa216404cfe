"""The self-check page: paste a draft or upload it, and read what we found, in seconds; nothing kept unless you ask.

Anyone may use it, signed in or not, under the `self_check` rate limit (per client address, shared with the API's
self-check) so that it cannot be used to hammer Crossref.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from forumgrader import store
from forumgrader.discussions.model import ExportError
from forumgrader.store.selfcheck import CheckedReport, DraftTooLong, check_draft
from forumgrader.web.access import current_actor
from forumgrader.web.limits import limited
from forumgrader.web.student.present import present
from forumgrader.web.uploads import UploadRejected, read_upload

blueprint = Blueprint("selfcheck", __name__)
DRAFT_TYPES = {"docx", "txt", "md", "html"}
NOTHING_TO_CHECK = "Paste your draft into the box, or choose a file to upload."


class NothingToCheck(ValueError):
    """The form or request held no text and no file."""


def read_draft_upload(file: FileStorage) -> tuple[bytes, str]:
    """Return an uploaded draft's content and file name, once its type, content and size are acceptable."""
    limit = min(int(current_app.config["SELF_CHECK_MAX_BYTES"]), int(current_app.config["MAX_IMPORT_BYTES"]))
    name, content = read_upload(file, allowed=DRAFT_TYPES, max_bytes=limit)
    return content, name


def check_submitted(text: str | None, file: FileStorage | None, *, pasted_as: str = "") -> CheckedReport:
    """Check a chosen file, else pasted text, as `forumgrader check` would (pasted text is read like its stdin).

    `pasted_as` names the type pasted text is read as: none ("") tells HTML from plain text, as stdin does;
    "draft.txt" reads it exactly as it is (a text the report was already read from).
    """
    if file is not None and file.filename:
        data, filename = read_draft_upload(file)
    elif text and text.strip():
        data, filename = text.encode("utf-8"), pasted_as
    else:
        raise NothingToCheck(NOTHING_TO_CHECK)
    return check_draft(data, filename, config=current_app.config, database=store.database())


# what a student can be told about a draft we could not read
UNREADABLE = (NothingToCheck, UploadRejected, ExportError, DraftTooLong)


@blueprint.get("/check")
def page() -> ResponseReturnValue:
    """Show the self-check form."""
    return render_template("student/check.html", text="", view=None, checked=None, can_save=_can_save())


@blueprint.post("/check")
@limited("self_check")
def check() -> ResponseReturnValue:
    """Check the pasted or uploaded draft and show the report under the form."""
    text = request.form.get("text", "")
    file = request.files.get("file")
    try:
        checked = check_submitted(text, file)
    except UNREADABLE as error:
        page = render_template("student/check.html", text=text, error=str(error), view=None, checked=None)
        return page, 400
    source = file.filename if file is not None and file.filename else None
    return render_template(
        "student/check.html",
        text=text,
        view=present(checked.to_json(), checked.text),
        checked=checked,
        source=source,
        can_save=_can_save(),
    )


def _can_save() -> bool:
    return current_actor() is not None
