"""A course's people as an LMS reports them (a launch, or the Names and Role Provisioning Service), as plain records:
each with the LTI user id grades are sent for, and, as `roster_member()`, what a roster file would say of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from forumgrader.discussions import rosters
from forumgrader.discussions.model import Role
from forumgrader.lti.claims import Launch, LaunchRole, course_role


@dataclass(frozen=True, slots=True)
class RosterMember:
    """One person of an LMS course, with every id the LMS gave for them."""

    lti_user_id: str  # the LTI `sub` (NRPS `user_id`): what grades are sent for
    role: LaunchRole
    lms_user_id: str = ""  # the LMS's own user id (Canvas's numeric id, Moodle's user id), when known
    email: str = ""
    sis_user_id: str = ""
    name: str = ""
    sortable_name: str = ""
    active: bool = True

    def roster_member(self, line: int = 0) -> rosters.RosterMember:
        """Return this person as a line of a roster (students only are matched and enrolled from rosters)."""
        return rosters.RosterMember(name=self.name, sortable_name=self.sortable_name, lms_user_id=self.lms_user_id,
                                    sis_user_id=self.sis_user_id, email=self.email, role=Role(self.role.value),
                                    line=line)  # fmt: skip


# How each LMS's own user id is found, from the LTI user id and the custom parameters the tool was set up with:
# Moodle's LTI user id is its user id; Canvas gives its id when the tool asks for `canvas_user_id=$Canvas.user.id`.
LMS_USER_ID: dict[str, Callable[[str, Mapping[str, str]], str]] = {
    "canvas": lambda _sub, custom: custom.get("canvas_user_id", ""),
    "moodle": lambda sub, _custom: sub,
    "other": lambda _sub, custom: custom.get("lms_user_id", ""),
}


def from_launch(launch: Launch, lms: str) -> RosterMember | None:
    """Return the launching person as a roster member (None for a role forumgrader has nothing for)."""
    if launch.role is None:
        return None
    return RosterMember(
        lti_user_id=launch.subject,
        role=launch.role,
        lms_user_id=LMS_USER_ID.get(lms, LMS_USER_ID["other"])(launch.subject, launch.custom),
        email=launch.email,
        sis_user_id=launch.sis_id,
        name=launch.display_name,
        sortable_name=launch.sortable_name,
    )


def from_nrps(member: Mapping[str, Any], lms: str) -> RosterMember | None:
    """Read one NRPS 2.0 membership (None for a role forumgrader has nothing for, or no user id)."""
    sub = str(member.get("user_id") or "")
    roles = [role for role in member.get("roles") or [] if isinstance(role, str)]
    role = course_role(roles)
    if not sub or role is None:
        return None
    messages = member.get("message")
    first = messages[0] if isinstance(messages, list) and messages else messages
    custom_claim = first.get("https://purl.imsglobal.org/spec/lti/claim/custom") if isinstance(first, dict) else None
    custom = {str(k): str(v) for k, v in custom_claim.items()} if isinstance(custom_claim, dict) else {}
    given, family = str(member.get("given_name") or ""), str(member.get("family_name") or "")
    name = str(member.get("name") or " ".join(part for part in (given, family) if part))
    return RosterMember(
        lti_user_id=sub,
        role=role,
        lms_user_id=LMS_USER_ID.get(lms, LMS_USER_ID["other"])(sub, custom),
        email=str(member.get("email") or "").strip().lower(),
        sis_user_id=str(member.get("lis_person_sourcedid") or ""),
        name=name.strip(),
        sortable_name=f"{family}, {given}" if given and family else name.strip(),
        active=member.get("status", "Active") == "Active",
    )
