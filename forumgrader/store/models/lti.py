"""Tables for living inside an LMS: LTI 1.3 platforms and their deployments, the tool's keys, who and which course
a launch stands for, the roster a platform reported, line items, grades sent, and Canvas API connections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forumgrader.store.db import Base, utcnow


class LtiKey(Base):
    """One of the tool's RSA key pairs: the newest live one signs, every live one is in the JWKS until retired."""

    __tablename__ = "lti_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), unique=True)  # the public key's RFC 7638 thumbprint
    private_key: Mapped[str] = mapped_column(Text)  # PEM, encrypted with the site's secret box
    public_jwk: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class LtiPlatform(Base):
    """An LMS registered by an admin: its issuer, the client id it gave the tool, and its endpoints."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lms: Mapped[str] = mapped_column(String(20), default="other")  # canvas | moodle | other
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    auth_audience: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiDeployment(Base):
    """A deployment id the platform may launch with; launches naming any other are refused."""

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiUser(Base):
    """The forumgrader account a platform's user (its `sub`) signs in as."""

    __tablename__ = "lti_user"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)


class LtiContext(Base):
    """An LMS course (an LTI context) and the forumgrader course it is, with the service addresses it gave."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    context_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    memberships_url: Mapped[str] = mapped_column(String(500), default="")  # NRPS
    lineitems_url: Mapped[str] = mapped_column(String(500), default="")  # AGS
    ags_scopes: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiMember(Base):
    """A person of an LTI context as the platform reports them (launches and NRPS), and who they are here."""

    __tablename__ = "lti_member"
    __table_args__ = (UniqueConstraint("context_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # the LTI user id: what AGS scores are sent for
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(20), default="student")
    active: Mapped[bool] = mapped_column(default=True)


class LtiLineItem(Base):
    """The gradebook column (an AGS line item) a topic's scores go to in one LMS course."""

    __tablename__ = "lti_line_item"
    __table_args__ = (UniqueConstraint("context_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))


class GradePassback(Base):
    """How a topic's grades go back to the LMS: on each grading or on request, and what to do with provisional ones."""

    __tablename__ = "grade_passback"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True)
    automatic: Mapped[bool] = mapped_column(default=False)  # send after each grading
    provisional: Mapped[str] = mapped_column(String(20), default="hold")  # hold | pending


class GradeSent(Base):
    """What was last sent to a gradebook for one student: sending it again is skipped unless it changed."""

    __tablename__ = "grade_sent"
    __table_args__ = (UniqueConstraint("target", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(600))  # "lti:<line item url>" or "canvas:<base>/<course>/<assignment>"
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiLaunchValue(Base):
    """pylti1p3's launch data (nonces, states, launches), shared by every process of the site, each with an expiry."""

    __tablename__ = "lti_launch_value"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    expires_at: Mapped[datetime | None] = mapped_column(index=True)


class CanvasConnection(Base):
    """A course's Canvas REST API access: the Canvas course and an encrypted token, until revoked."""

    __tablename__ = "canvas_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), unique=True)
    base_url: Mapped[str] = mapped_column(String(300))
    canvas_course_id: Mapped[str] = mapped_column(String(100))
    token: Mapped[str] = mapped_column(Text)  # encrypted with the site's secret box; "" once revoked
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
