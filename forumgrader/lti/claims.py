"""What a validated launch says, as plain data: who, in which course, with which role, asking for what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pylti1p3.roles import StudentRole, TeacherRole, TeachingAssistantRole

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
DEPLOYMENT_ID = LTI + "deployment_id"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
RESOURCE_LINK = LTI + "resource_link"
CUSTOM = LTI + "custom"
LIS = LTI + "lis"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
PRESENTATION = LTI + "launch_presentation"
TOOL_PLATFORM = LTI + "tool_platform"


class LaunchRole(StrEnum):
    """A launch's role in forumgrader's words (a course role)."""

    INSTRUCTOR = "instructor"
    TA = "ta"
    STUDENT = "student"


# Checked in this order: a TA's roles often include Instructor, and an instructor's often an institution's Student.
ROLE_CHECKS: tuple[tuple[Any, LaunchRole], ...] = (
    (TeachingAssistantRole, LaunchRole.TA),
    (TeacherRole, LaunchRole.INSTRUCTOR),
    (StudentRole, LaunchRole.STUDENT),
)


def course_role(roles: list[str]) -> LaunchRole | None:
    """Map LTI roles (LIS vocabulary, full or short) to a course role; None for roles forumgrader has nothing for."""
    claim = {ROLES: roles}
    return next((role for check, role in ROLE_CHECKS if check(claim).check()), None)


@dataclass(frozen=True, slots=True)
class Launch:
    """A launch's claims that forumgrader acts on."""

    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    subject: str
    role: LaunchRole | None
    roles: tuple[str, ...]
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    sis_id: str = ""  # lis.person_sourcedid
    context_id: str = ""
    context_title: str = ""
    context_label: str = ""
    resource_link_id: str = ""
    custom: Mapping[str, str] = field(default_factory=dict)
    memberships_url: str = ""
    lineitems_url: str = ""
    ags_scopes: tuple[str, ...] = ()
    frame_origins: tuple[str, ...] = ()  # where the LMS shows forumgrader in a frame: its pages may be framed there

    @property
    def deep_linking(self) -> bool:
        """Tell whether the platform asks the tool to choose content to place (Deep Linking)."""
        return self.message_type == "LtiDeepLinkingRequest"

    @property
    def display_name(self) -> str:
        """Return the person's name as the platform gives it."""
        return self.name or " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def sortable_name(self) -> str:
        """Return "Family, Given" when the platform gives both."""
        if self.family_name and self.given_name:
            return f"{self.family_name}, {self.given_name}"
        return self.display_name


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return str(value) if isinstance(value, str | int) else ""


def origin(url: str) -> str:
    """Return the scheme://host[:port] of an http(s) address, or "" for anything else."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


def _frame_origins(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The LMS's own web addresses: Canvas signs as one issuer for every school, but returns to the school's site."""
    urls = (
        _text(_object(body.get(PRESENTATION)).get("return_url")),
        _text(_object(body.get(TOOL_PLATFORM)).get("url")),
        _text(body.get("iss")),
    )
    return tuple(dict.fromkeys(found for url in urls if (found := origin(url))))


def read_launch(body: Mapping[str, Any]) -> Launch:
    """Read the claims of a validated id_token."""
    audience = body.get("aud")
    context, lis = _object(body.get(CONTEXT)), _object(body.get(LIS))
    nrps, ags = _object(body.get(NRPS)), _object(body.get(AGS))
    roles = [role for role in body.get(ROLES) or [] if isinstance(role, str)]
    custom = {str(key): _text(value) for key, value in _object(body.get(CUSTOM)).items()}
    return Launch(
        issuer=_text(body.get("iss")),
        client_id=_text(audience[0] if isinstance(audience, list) and audience else audience),
        deployment_id=_text(body.get(DEPLOYMENT_ID)),
        message_type=_text(body.get(MESSAGE_TYPE)),
        subject=_text(body.get("sub")),
        role=course_role(roles),
        roles=tuple(roles),
        name=_text(body.get("name")).strip(),
        given_name=_text(body.get("given_name")).strip(),
        family_name=_text(body.get("family_name")).strip(),
        email=_text(body.get("email")).strip().lower(),
        sis_id=_text(lis.get("person_sourcedid")),
        context_id=_text(context.get("id")),
        context_title=_text(context.get("title")).strip(),
        context_label=_text(context.get("label")).strip(),
        resource_link_id=_text(_object(body.get(RESOURCE_LINK)).get("id")),
        custom=custom,
        memberships_url=_text(nrps.get("context_memberships_url")),
        lineitems_url=_text(ags.get("lineitems")),
        ags_scopes=tuple(scope for scope in ags.get("scope") or [] if isinstance(scope, str)),
        frame_origins=_frame_origins(body),
    )
