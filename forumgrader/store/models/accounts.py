"""Tables for who may sign in and what they may see: users, course memberships, API tokens, drafts."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forumgrader.store.db import Base, utcnow


class User(Base):
    """An account: admin, instructor, TA or student."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="student")  # admin | instructor | ta | student
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # raised on signing out: every session signed in before ends, on the server, a copied cookie with it
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    # what Flask-Login asks of a signed-in user
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # A session names the account, its password and its session version: a new password, or signing out (which
        # raises the version), ends every session signed in before; a cookie copied from one stops working.
        fingerprint = f"{self.password_hash}:{self.session_version}"
        return f"{self.id}.{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"


class Membership(Base):
    """A user's place in a course; a student's membership names the Person whose posts are theirs."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # instructor | ta | student
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class ApiToken(Base):
    """A token for the JSON API; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class Draft(Base):
    """A logged-in student's self-checked draft and its report."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
