"""Drafts a signed-in student chose to keep: the text they checked and its report, theirs alone to read or delete.

Services over a Session that only flush. A draft belongs to one user; every function takes that user and never
returns another's draft, so a view cannot show someone else's by passing a different id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.models import Draft, User

TITLE_LENGTH = 300  # the title column's width


def default_title(text: str) -> str:
    """Name a draft after its first line, as a student would recognise it."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:80] + ("…" if len(first) > 80 else "") or "Untitled draft"


def save_draft(session: Session, user: User, text: str, report: dict[str, Any], title: str = "") -> Draft:
    """Keep a checked draft and its report in the user's drafts."""
    draft = Draft(
        user_id=user.id, title=(title.strip() or default_title(text))[:TITLE_LENGTH], text=text, report=report
    )
    session.add(draft)
    session.flush()
    return draft


def drafts_of(session: Session, user: User) -> list[Draft]:
    """Return the user's drafts, newest first."""
    statement = select(Draft).where(Draft.user_id == user.id).order_by(Draft.created_at.desc(), Draft.id.desc())
    return list(session.scalars(statement))


def draft_of(session: Session, user: User, draft_id: int) -> Draft | None:
    """Return one of the user's drafts, or None (also when the draft is someone else's)."""
    draft = session.get(Draft, draft_id)
    return draft if draft is not None and draft.user_id == user.id else None


def delete_draft(session: Session, user: User, draft_id: int) -> bool:
    """Delete one of the user's drafts; tell whether there was one to delete."""
    draft = draft_of(session, user, draft_id)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True
