"""Accounts: users and passwords, course memberships, API tokens, and who may see what."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum
from functools import cache

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from forumgrader.store.db import utcnow
from forumgrader.store.models import ApiToken, Course, Job, Membership, Person, Post, Topic, User

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "fg_"
# a token's last use is written at most this often, so reading the API does not write on every request
TOKEN_USE_PRECISION = timedelta(minutes=5)


class Role(StrEnum):
    """What an account is, across the whole site."""

    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    TA = "ta"
    STUDENT = "student"


class CourseRole(StrEnum):
    """What a user is in one course."""

    INSTRUCTOR = "instructor"
    TA = "ta"
    STUDENT = "student"


STAFF = frozenset({CourseRole.INSTRUCTOR, CourseRole.TA})


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why and what to do instead."""


def normalise_email(email: str) -> str:
    """Return the form an email address is stored and looked up in."""
    return email.strip().lower()


def create_user(session: Session, email: str, password: str, *, role: Role | str, name: str = "") -> User:
    """Create an account with a hashed password."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"an account for {email} already exists")
    user = User(email=email, name=name.strip(), role=Role(role).value, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def hash_password(password: str) -> str:
    """Hash a password after checking it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


def set_password(user: User, password: str) -> None:
    """Give a user a new password (their sessions signed in with the old one end: see User.get_id)."""
    user.password_hash = hash_password(password)


def end_sessions(user: User) -> None:
    """End every session of a user on the server, on every browser and any copy of its cookie (see User.get_id)."""
    user.session_version = (user.session_version or 0) + 1


def revoke_tokens(session: Session, user: User) -> int:
    """Delete every API token of a user; return how many there were."""
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))
    for token in tokens:
        session.delete(token)
    session.flush()
    return len(tokens)


def user_by_email(session: Session, email: str) -> User | None:
    """Find an account by email address."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = user_by_email(session, email)
    if user is None:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check, so timing does not reveal accounts
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a real password")


def enrol(session: Session, user: User, course: Course, role: CourseRole | str) -> Membership:
    """Put a user in a course with a role (or change their role there)."""
    membership = membership_of(session, user, course.id)
    if membership is None:
        membership = Membership(user_id=user.id, course_id=course.id, role=CourseRole(role).value)
        session.add(membership)
    else:
        membership.role = CourseRole(role).value
    session.flush()
    return membership


def link_person(session: Session, membership: Membership, person: Person) -> None:
    """Say which Person in the course's discussions is this student, so their posts become theirs."""
    if person.course_id != membership.course_id:
        raise AccountError(f"{person.display_name or person.key} is not in this course")
    membership.person_id = person.id
    session.flush()


def membership_of(session: Session, user: User, course_id: int) -> Membership | None:
    """Return the user's membership in a course, if any."""
    return session.scalar(select(Membership).where(Membership.user_id == user.id, Membership.course_id == course_id))


def memberships(session: Session, user: User) -> list[Membership]:
    """Return every course membership of a user."""
    return list(session.scalars(select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)))


def roster(session: Session) -> list[tuple[User, list[tuple[Course, str]]]]:
    """Return every account, by email, with the courses it is in and its role in each."""
    users = list(session.scalars(select(User).order_by(User.email)))
    places: dict[int, list[tuple[Course, str]]] = {user.id: [] for user in users}
    rows = session.execute(
        select(Membership.user_id, Course, Membership.role)
        .join(Course, Course.id == Membership.course_id)
        .order_by(func.lower(Course.name))
    )
    for user_id, course, role in rows:
        places[user_id].append((course, role))
    return [(user, places[user.id]) for user in users]


def create_token(session: Session, user: User, label: str = "") -> str:
    """Create an API token for a user and return its secret: shown once, only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(secret), label=label))
    session.flush()
    return secret


def user_for_token(session: Session, secret: str) -> User | None:
    """Return the active user an API token belongs to, noting when it was used."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    if token is None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_PRECISION:
        token.last_used_at = now
        session.flush()
    return user


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def course_role(session: Session, user: User | None, course_id: int) -> str | None:
    """Return the user's role in a course: a CourseRole, "admin" for admins who are not members, or None."""
    if user is None:
        return None
    membership = membership_of(session, user, course_id)
    if membership is not None:
        return membership.role
    return Role.ADMIN.value if user.role == Role.ADMIN else None


def can_view_course(session: Session, user: User | None, course_id: int) -> bool:
    """Tell whether a user may see a course at all: its members and admins."""
    return course_role(session, user, course_id) is not None


def can_review_course(session: Session, user: User | None, course_id: int) -> bool:
    """Tell whether a user may review a course's flagged citations: its TAs and instructors, and admins."""
    return course_role(session, user, course_id) in {CourseRole.TA, CourseRole.INSTRUCTOR, Role.ADMIN}


def can_grade_course(session: Session, user: User | None, course_id: int) -> bool:
    """Tell whether a user may import, grade and export a course: its instructors, and admins."""
    return course_role(session, user, course_id) in {CourseRole.INSTRUCTOR, Role.ADMIN}


def can_view_post(session: Session, user: User | None, post: Post) -> bool:
    """Tell whether a user may read a post: the course's staff, or the student who wrote it."""
    topic = session.get(Topic, post.topic_id)
    if topic is None or user is None:
        return False
    if can_review_course(session, user, topic.course_id):
        return True
    membership = membership_of(session, user, topic.course_id)
    return (
        membership is not None
        and membership.role == CourseRole.STUDENT
        and membership.person_id is not None
        and membership.person_id == post.author_id
    )


def can_watch_job(session: Session, user: User | None, job: Job) -> bool:
    """Tell whether a user may follow a job: whoever started it, the staff of its course, and admins."""
    if user is None:
        return False
    if job.user_id == user.id or user.role == Role.ADMIN:
        return True
    return job.course_id is not None and can_review_course(session, user, job.course_id)


def visible_courses_statement(user: User) -> Select[Course, str | None]:
    """Select the courses a user may see, with their role in each (None for an admin who is not a member)."""
    mine = and_(Membership.course_id == Course.id, Membership.user_id == user.id)
    statement = select(Course, Membership.role)
    # an admin sees every course, a member of it or not; everyone else only the courses they are in
    statement = statement.outerjoin(Membership, mine) if user.role == Role.ADMIN else statement.join(Membership, mine)
    return statement.order_by(func.lower(Course.name), Course.id)


def visible_courses(session: Session, user: User) -> list[tuple[Course, str]]:
    """Return the courses a user may see, each with the user's role in it ("admin" when not a member)."""
    rows = session.execute(visible_courses_statement(user))
    return [(course, role or Role.ADMIN.value) for course, role in rows]
