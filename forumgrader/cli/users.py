"""`forumgrader users`: accounts, course memberships and API tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.store import courses as course_store
from forumgrader.store.accounts import AccountError, CourseRole, Role
from forumgrader.store.models import Course, User

ROLES = click.Choice([role.value for role in Role])
COURSE_ROLES = click.Choice([role.value for role in CourseRole])


@click.group("users")
def users() -> None:
    """Manage accounts, course memberships and API tokens."""


def _user(session: Session, email: str) -> User:
    user = accounts.user_by_email(session, email)
    if user is None:
        raise click.ClickException(
            f"No account for {email}. Create it with `forumgrader users create {email} --role ...`."
        )
    return user


def _course(session: Session, name: str, *, create: bool = False) -> Course:
    course = course_store.course_by_name(session, name)
    if course is not None:
        return course
    if create:
        return course_store.create_course(session, name)
    known = course_store.course_names(session)
    listing = f" Courses: {', '.join(known)}." if known else " There are no courses yet."
    raise click.ClickException(
        f"No course named {name!r}.{listing} Import the course's discussion export first, "
        "or pass --create-course to start an empty one."
    )


def _enrol(session: Session, user: User, course: Course, role: str, person_words: str | None) -> str:
    membership = accounts.enrol(session, user, course, role)
    if person_words is None:
        return f"{user.email} is {role} in {course.name}"
    if role != CourseRole.STUDENT:
        raise click.ClickException("--person links a student to their posts; it is for --role student only.")
    people = course_store.find_people(session, course.id, person_words)
    if not people:
        raise click.ClickException(
            f"Nobody called {person_words!r} has posted in {course.name}. Give their LMS user id, login, email or "
            "name as the export spells it."
        )
    if len(people) > 1:
        names = "; ".join(f"{person.display_name} (LMS id {person.lms_user_id or '?'})" for person in people)
        raise click.ClickException(f"{person_words!r} matches several people: {names}. Give their LMS user id.")
    accounts.link_person(session, membership, people[0])
    return f"{user.email} is student in {course.name}, writing as {people[0].display_name or people[0].key}"


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True, help="What the account is across the site.")
@click.option("--name", default="", help="The name shown on pages.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="FORUMGRADER_PASSWORD",
    help="Asked for (twice) when not given; scripts may set FORUMGRADER_PASSWORD.",
)
@click.option("--course", "course_name", help="Also enrol the user in this course.")
@click.option("--course-role", type=COURSE_ROLES, help="Their role in --course (default: from --role).")
@click.option("--create-course", is_flag=True, help="Start --course if it does not exist yet.")
@with_appcontext
def create(
    email: str,
    role: str,
    name: str,
    password: str,
    course_name: str | None,
    course_role: str | None,
    create_course: bool,
) -> None:
    """Create an account (and optionally put it in a course)."""
    session = store.session()
    try:
        user = accounts.create_user(session, email, password, role=role, name=name)
        lines = [f"Created {role} account {user.email}."]
        if course_name:
            course = _course(session, course_name, create=create_course)
            default_role = CourseRole.INSTRUCTOR if role == Role.ADMIN else role
            lines.append(_enrol(session, user, course, course_role or default_role, None) + ".")
        elif course_role:
            raise click.ClickException("--course-role needs --course.")
    except AccountError as error:
        raise click.ClickException(f"{error}.") from error
    session.commit()
    click.echo("\n".join(lines))


@users.command("enrol")
@click.argument("email")
@click.argument("course_name", metavar="COURSE")
@click.option("--role", type=COURSE_ROLES, required=True, help="Their role in the course.")
@click.option("--person", help="For a student: their name, login, email or LMS user id in the course's export.")
@click.option("--create-course", is_flag=True, help="Start COURSE if it does not exist yet.")
@with_appcontext
def enrol(email: str, course_name: str, role: str, person: str | None, create_course: bool) -> None:
    """Put a user in a course with a role; link a student to the posts they wrote."""
    session = store.session()
    try:
        message = _enrol(
            session, _user(session, email), _course(session, course_name, create=create_course), role, person
        )
    except AccountError as error:
        raise click.ClickException(f"{error}.") from error
    session.commit()
    click.echo(message + ".")


@users.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for, to recognise it later.")
@with_appcontext
def token(email: str, label: str) -> None:
    """Create an API token and print it once: keep it somewhere safe, it cannot be shown again."""
    session = store.session()
    secret = accounts.create_token(session, _user(session, email), label)
    session.commit()
    click.echo(secret)
    click.echo("This token is shown once. Send it as `Authorization: Bearer <token>`.", err=True)


@users.command("password")
@click.argument("email")
@click.option(
    "--password",
    prompt="New password",
    hide_input=True,
    confirmation_prompt=True,
    envvar="FORUMGRADER_PASSWORD",
    help="Asked for (twice) when not given; scripts may set FORUMGRADER_PASSWORD.",
)
@with_appcontext
def password(email: str, password: str) -> None:
    """Give an account a new password; every browser signed in with the old one is signed out."""
    session = store.session()
    user = _user(session, email)
    try:
        accounts.set_password(user, password)
    except AccountError as error:
        raise click.ClickException(f"{error}.") from error
    session.commit()
    click.echo(f"New password set for {user.email}; its sessions signed in with the old one have ended.")


def _set_active(email: str, active: bool) -> User:
    session = store.session()
    user = _user(session, email)
    user.active = active
    session.commit()
    return user


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Close an account: it cannot sign in, its sessions end, its API tokens stop working (nothing is deleted)."""
    user = _set_active(email, False)
    click.echo(
        f"{user.email} can no longer sign in; its sessions and API tokens no longer work. "
        f"`forumgrader users activate {user.email}` opens it again."
    )


@users.command("activate")
@click.argument("email")
@with_appcontext
def activate(email: str) -> None:
    """Open a deactivated account again (its API tokens work again too; revoke them with `users revoke-tokens`)."""
    user = _set_active(email, True)
    click.echo(f"{user.email} can sign in again.")


@users.command("revoke-tokens")
@click.argument("email")
@with_appcontext
def revoke_tokens(email: str) -> None:
    """Revoke every API token of an account at once (make a new one with `users token`)."""
    session = store.session()
    user = _user(session, email)
    count = accounts.revoke_tokens(session, user)
    session.commit()
    click.echo(f"Revoked {count} API token{'' if count == 1 else 's'} of {user.email}.")


@users.command("sign-out")
@click.argument("email")
@with_appcontext
def sign_out(email: str) -> None:
    """End every session of an account, on every browser (a stolen cookie too); its password stays as it is."""
    session = store.session()
    user = _user(session, email)
    accounts.end_sessions(user)
    session.commit()
    click.echo(f"Every session of {user.email} has ended: it signs in again with its password.")


@users.command("list")
@with_appcontext
def list_users() -> None:
    """List the accounts with their roles and courses."""
    roster = accounts.roster(store.session())
    if not roster:
        click.echo("No accounts yet. Create one with `forumgrader users create EMAIL --role admin`.")
        return
    for user, places in roster:
        courses = ", ".join(f"{course.name} ({role})" for course, role in places) or "-"
        state = "" if user.active else " [inactive]"
        click.echo(f"{user.email}\t{user.role}{state}\t{user.name or '-'}\t{courses}")


commands = [users]
