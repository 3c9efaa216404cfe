"""What a launch makes here: the account a platform's user signs in as, the course an LMS course is, the
membership with the launch's role, and the Person a student writes as. Flush only; the launch view commits."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from forumgrader.lti.claims import Launch, LaunchRole
from forumgrader.lti.roster import RosterMember, from_launch
from forumgrader.store import accounts
from forumgrader.store.accounts import CourseRole, Role
from forumgrader.store.db import utcnow
from forumgrader.store.models import Course, LtiContext, LtiMember, LtiPlatform, LtiUser, Person, User
from forumgrader.store.rosters import apply_roster, enrol_members

# the LMS's own id of a course, from the launch: Moodle's context is its course; Canvas tells its id when asked to
LMS_COURSE_ID: dict[str, Callable[[Launch], str]] = {
    "canvas": lambda launch: launch.custom.get("canvas_course_id", ""),
    "moodle": lambda launch: launch.context_id,
    "other": lambda _launch: "",
}


class LaunchError(ValueError):
    """A valid launch forumgrader cannot act on (a role it has nothing for, no course); the message says why."""


@dataclass(frozen=True, slots=True)
class LaunchedAs:
    """Who a launch signed in, into which course, with which role."""

    user: User
    course: Course
    role: CourseRole
    context: LtiContext


def apply_launch(session: Session, platform: LtiPlatform, launch: Launch) -> LaunchedAs:
    """Link or create the user, the course and the membership a launch stands for (flush only)."""
    member = from_launch(launch, platform.lms)
    if member is None:
        raise LaunchError(
            "forumgrader has nothing for your role in this course: it is for instructors, teaching assistants "
            "and students."
        )
    if not launch.context_id:
        raise LaunchError("Open forumgrader from inside a course: this launch names no course.")
    user = _user(session, platform, launch, member)
    context = _context(session, platform, launch)
    upsert_members(session, context, [member])
    role = CourseRole(member.role.value)
    course = session.get_one(Course, context.course_id)
    membership = accounts.enrol(session, user, course, role)
    if role is CourseRole.STUDENT and membership.person_id is None:
        membership.person_id = _member_person(session, context, member.lti_user_id)
    session.flush()
    return LaunchedAs(user, course, role, context)


def _user(session: Session, platform: LtiPlatform, launch: Launch, member: RosterMember) -> User:
    link = session.scalar(select(LtiUser).where(LtiUser.platform_id == platform.id, LtiUser.subject == launch.subject))
    if link is not None:
        return session.get_one(User, link.user_id)
    user = accounts.user_by_email(session, launch.email) if launch.email else None
    if user is None or user.role == Role.ADMIN:  # an admin's account is never taken over by a launch
        email = launch.email if user is None and launch.email else _placeholder_email(platform, launch.subject)
        site_role = {"instructor": Role.INSTRUCTOR, "ta": Role.TA}.get(member.role.value, Role.STUDENT)
        user = User(email=email, name=member.name, role=site_role.value,
                    password_hash=generate_password_hash(secrets.token_urlsafe(32)))  # fmt: skip  # signs in by launch
        session.add(user)
        session.flush()
    session.add(LtiUser(platform_id=platform.id, subject=launch.subject, user_id=user.id))
    return user


def _placeholder_email(platform: LtiPlatform, subject: str) -> str:
    host = urlsplit(platform.issuer).hostname or "lms"
    return f"lti-{platform.id}-{subject[:60]}@{host}.invalid".lower()


def _context(session: Session, platform: LtiPlatform, launch: Launch) -> LtiContext:
    context = session.scalar(
        select(LtiContext).where(LtiContext.platform_id == platform.id, LtiContext.context_id == launch.context_id)
    )
    if context is None:
        course = _course_for(session, platform, launch)
        context = LtiContext(platform_id=platform.id, context_id=launch.context_id, course_id=course.id)
        session.add(context)
    context.deployment_id = launch.deployment_id
    context.title = (launch.context_title or launch.context_label)[:300]
    context.memberships_url = launch.memberships_url or context.memberships_url
    if launch.lineitems_url:
        context.lineitems_url, context.ags_scopes = launch.lineitems_url, list(launch.ags_scopes)
    context.updated_at = utcnow()
    session.flush()
    return context


def _course_for(session: Session, platform: LtiPlatform, launch: Launch) -> Course:
    """The course an LMS course is: one imported before under the same LMS course id, else a new one."""
    lms_course_id = LMS_COURSE_ID.get(platform.lms, LMS_COURSE_ID["other"])(launch)
    if lms_course_id:
        found = session.scalar(
            select(Course).where(Course.lms == platform.lms, Course.lms_course_id == lms_course_id).order_by(Course.id)
        )
        if found is not None:
            return found
    name = (launch.context_title or launch.context_label or f"LMS course {launch.context_id}")[:250]
    if session.scalar(select(Course.id).where(func.lower(Course.name) == name.lower())) is not None:
        name = f"{name} ({platform.name[:30]} {lms_course_id or launch.context_id[:12]})"
    course = Course(name=name, lms=platform.lms if platform.lms != "other" else "", lms_course_id=lms_course_id)
    session.add(course)
    session.flush()
    return course


def upsert_members(
    session: Session, context: LtiContext, members: Sequence[RosterMember], *, whole_roster: bool = False
) -> dict[str, int]:
    """Record an LMS course's people and the Person each student writes as, with their ids (flush only); return how
    many were added, updated or unchanged. `whole_roster`: the members are the course's whole roster (NRPS), applied
    as an uploaded roster is (enrolment, students who never posted, who is no longer enrolled); otherwise only these
    people are touched (a launch)."""
    course = session.get_one(Course, context.course_id)
    platform = session.get_one(LtiPlatform, context.platform_id)
    lms = platform.lms if platform.lms in ("canvas", "moodle") else ""
    known = {m.subject: m for m in session.scalars(select(LtiMember).where(LtiMember.context_id == context.id))}
    students = [member for member in members if member.role is LaunchRole.STUDENT and member.active]
    if whole_roster:
        lines = [member.roster_member(line) for line, member in enumerate(students, start=1)]
        fingerprint = json.dumps(sorted(dataclasses.astuple(line)[:-1] for line in lines))  # the line numbers aside
        apply_roster(session, course, lines, lms=lms, file_name=f"{platform.name}: the LMS's roster (LTI)",
                     sha256=hashlib.sha256(fingerprint.encode()).hexdigest())  # fmt: skip
    linked = [session.get(Person, known[m.lti_user_id].person_id or 0) if m.lti_user_id in known else None
              for m in students]  # fmt: skip
    people = enrol_members(session, course, [m.roster_member() for m in students], lms=lms, known=linked)
    person_of = {member.lti_user_id: person for member, person in zip(students, people, strict=True)}
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for member in members:
        row = known.get(member.lti_user_id)
        before = None if row is None else (row.person_id, row.role, row.active)
        if row is None:
            row = known[member.lti_user_id] = LtiMember(context_id=context.id, subject=member.lti_user_id)
            session.add(row)
        row.role, row.active = member.role.value, member.active
        person = person_of.get(member.lti_user_id)
        if person is not None:
            row.person_id = person.id
        after = (row.person_id, row.role, row.active)
        counts["added" if before is None else "unchanged" if before == after else "updated"] += 1
    session.flush()
    return counts


def _member_person(session: Session, context: LtiContext, subject: str) -> int | None:
    return session.scalar(
        select(LtiMember.person_id).where(LtiMember.context_id == context.id, LtiMember.subject == subject)
    )


def contexts_of(session: Session, course_id: int) -> list[LtiContext]:
    """Return the LMS courses linked to a course, with their service addresses."""
    return list(session.scalars(select(LtiContext).where(LtiContext.course_id == course_id).order_by(LtiContext.id)))


def member_subjects(session: Session, context: LtiContext) -> dict[int, str]:
    """Return each Person's LTI user id in an LMS course (what AGS scores are sent for)."""
    rows = select(LtiMember.person_id, LtiMember.subject).where(
        LtiMember.context_id == context.id, LtiMember.person_id.is_not(None), LtiMember.active.is_(True)
    )
    return {person_id: subject for person_id, subject in session.execute(rows) if person_id is not None}
