"""Tables for what citation checking found in each post, and what reviewers decided about it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forumgrader.store.db import Base, utcnow
from forumgrader.store.models.discussions import Post


class PostAnalysis(Base):
    """The offline citation report of a post's text (citations, findings), redone when the text changes."""

    __tablename__ = "post_analysis"

    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceCheck(Base):
    """One reference of one post and its verdict against Crossref (None until checked)."""

    __tablename__ = "reference_check"
    __table_args__ = (
        UniqueConstraint("post_id", "position"),
        # what dashboards count per post (verdicts, retractions, reviews by key), read from the index alone
        Index("ix_reference_check_post_counts", "post_id", "verdict", "retracted", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # the reference's index in the post's list
    key: Mapped[str] = mapped_column(String(64), index=True)  # hash of the normalised reference text
    text: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    type: Mapped[str] = mapped_column(String(30), default="")
    confidence: Mapped[float] = mapped_column(default=0.0)
    verdict: Mapped[str | None] = mapped_column(String(20), index=True)
    doi: Mapped[str] = mapped_column(String(300), default="")
    matched_doi: Mapped[str] = mapped_column(String(300), default="")
    differences: Mapped[list[Any]] = mapped_column(default=list)
    retracted: Mapped[bool] = mapped_column(default=False)
    notices: Mapped[list[Any]] = mapped_column(default=list)  # expressions of concern, corrections
    retractions: Mapped[list[Any]] = mapped_column(default=list)  # the retraction notices themselves
    match_confidence: Mapped[float | None]  # how sure the match is, 0..1
    suggestion: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    message: Mapped[str] = mapped_column(Text, default="")  # why this verdict, in one sentence for the student
    checked_at: Mapped[datetime | None]

    post: Mapped[Post] = relationship()


class Review(Base):
    """A TA's decision on a flagged reference; keyed by the reference text so it survives re-checks."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("post_id", "reference_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    reference_key: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(20))  # confirmed | dismissed
    note: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[str] = mapped_column(String(20), default="")  # the verdict that was reviewed
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
