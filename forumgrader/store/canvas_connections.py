"""A course's Canvas REST API connection: the Canvas course and an encrypted token, revocable. Flush only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.store.db import utcnow
from forumgrader.store.models import AuditEntry, CanvasConnection, User
from forumgrader.store.secretbox import seal, unseal


def _audit(session: Session, action: str, connection: CanvasConnection, user: User | None) -> None:
    session.add(AuditEntry(action=action, subject=f"course:{connection.course_id}",
                           details={"canvas": connection.base_url, "canvas_course": connection.canvas_course_id},
                           user_id=user.id if user else None,
                           actor=(user.name or user.email) if user else ""))  # fmt: skip


def save_connection(
    session: Session,
    config: Mapping[str, Any],
    course_id: int,
    *,
    base_url: str,
    canvas_course_id: str,
    token: str,
    user: User | None,
) -> CanvasConnection:
    """Connect a course to a Canvas course with a token, kept encrypted (replacing an earlier connection)."""
    connection = session.scalar(select(CanvasConnection).where(CanvasConnection.course_id == course_id))
    if connection is None:
        connection = CanvasConnection(course_id=course_id)
        session.add(connection)
    connection.base_url, connection.canvas_course_id = base_url, canvas_course_id
    connection.token, connection.revoked_at = seal(config, token), None
    connection.user_id, connection.created_at = (user.id if user else None), utcnow()
    _audit(session, "canvas.connect", connection, user)
    session.flush()
    return connection


def live_connection(session: Session, course_id: int) -> CanvasConnection | None:
    """Return a course's Canvas connection unless there is none or it was revoked."""
    found = session.scalar(select(CanvasConnection).where(CanvasConnection.course_id == course_id))
    return found if found is not None and found.revoked_at is None and found.token else None


def token_of(config: Mapping[str, Any], connection: CanvasConnection) -> str:
    """Decrypt a connection's token (raises SecretUnreadable when the encryption key changed)."""
    return unseal(config, connection.token)


def revoke(session: Session, course_id: int, user: User | None) -> bool:
    """Forget a course's Canvas token at once (flush only); tell whether there was one."""
    connection = live_connection(session, course_id)
    if connection is None:
        return False
    connection.token, connection.revoked_at = "", utcnow()
    _audit(session, "canvas.revoke", connection, user)
    session.flush()
    return True
