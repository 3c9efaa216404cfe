"""`forumgrader lti`: register LMS platforms and deployments, rotate the tool's keys, fetch rosters, send grades.

pylti1p3 is imported only by the commands that use it, so that `forumgrader --help` starts quickly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from forumgrader import store
from forumgrader.store import lti_platforms
from forumgrader.store.lti_platforms import LMS_KINDS, PRESETS, Endpoints, PlatformError
from forumgrader.store.models import Course, Job, LtiPlatform, Topic

TOOL_PATHS = {
    "OIDC login (initiate login) URL": "/lti/login",
    "Launch (redirect, target link, deep linking) URL": "/lti/launch",
    "Public keyset (JWKS) URL": "/lti/jwks",
}


@click.group("lti")
def lti() -> None:
    """LTI 1.3: register LMS platforms, manage the tool's keys, fetch rosters and send grades."""


def _platform(platform_id: int) -> LtiPlatform:
    found = store.session().get(LtiPlatform, platform_id)
    if found is None:
        raise click.ClickException(f"There is no platform {platform_id}: `forumgrader lti list` shows them.")
    return found


@lti.command("register")
@click.option("--lms", type=click.Choice(LMS_KINDS), required=True, help="Which LMS: it sets the usual endpoints.")
@click.option("--client-id", required=True, help="The client id the LMS gave forumgrader (Canvas: the key's id).")
@click.option("--site", default="", help="Moodle: the site's address. Canvas: empty (cloud), `beta` or `test`.")
@click.option("--name", default="", help="A name to recognise the platform by.")
@click.option("--deployment", "deployments", multiple=True, help="A deployment id launches may use (repeat).")
@click.option("--issuer", help="Other LMSs: the issuer (iss).")
@click.option("--auth-login-url", help="Other LMSs: the OIDC authorization URL.")
@click.option("--auth-token-url", help="Other LMSs: the OAuth2 access token URL.")
@click.option("--key-set-url", help="Other LMSs: the platform's public keyset (JWKS) URL.")
@with_appcontext
def register(lms: str, client_id: str, site: str, name: str, deployments: tuple[str, ...], issuer: str | None,
             auth_login_url: str | None, auth_token_url: str | None, key_set_url: str | None) -> None:  # fmt: skip
    """Register an LMS platform; launches from its listed deployments are accepted from now on."""
    session = store.session()
    try:
        if lms in PRESETS and not issuer:
            endpoints = PRESETS[lms](site)
        else:
            endpoints = Endpoints(issuer or "", auth_login_url or "", auth_token_url or "", key_set_url or "")
        platform = lti_platforms.register_platform(session, name=name, lms=lms, client_id=client_id,
                                                   endpoints=endpoints, deployment_ids=deployments)  # fmt: skip
    except PlatformError as error:
        raise click.ClickException(f"{error}.") from error
    key = lti_platforms.signing_key(session, current_app.config)
    session.commit()
    click.echo(f"Registered platform {platform.id}: {platform.name} ({platform.issuer}, client id {client_id}).")
    click.echo(f"The tool signs with key {key.kid}. Give the LMS these addresses on this site:")
    for label, path in TOOL_PATHS.items():
        click.echo(f"  {label}: https://<this site>{path}")


@lti.command("list")
@with_appcontext
def list_platforms() -> None:
    """List the registered platforms and their deployments."""
    session = store.session()
    found = lti_platforms.platforms(session)
    if not found:
        click.echo("No platform is registered. `forumgrader lti register --help` says how.")
    for platform in found:
        deployments = ", ".join(lti_platforms.deployments(session, platform)) or "none (launches are refused)"
        click.echo(f"{platform.id}\t{platform.name}\t{platform.lms}\t{platform.issuer}\t{platform.client_id}\t"
                   f"deployments: {deployments}")  # fmt: skip


@lti.command("add-deployment")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
@with_appcontext
def add_deployment(platform_id: int, deployment_id: str) -> None:
    """Accept launches from another deployment of a platform."""
    try:
        lti_platforms.add_deployment(store.session(), _platform(platform_id), deployment_id)
    except PlatformError as error:
        raise click.ClickException(f"{error}.") from error
    store.session().commit()
    click.echo(f"Platform {platform_id} may launch with deployment {deployment_id.strip()}.")


@lti.command("remove-deployment")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
@with_appcontext
def remove_deployment(platform_id: int, deployment_id: str) -> None:
    """Refuse launches from a deployment from now on."""
    if not lti_platforms.remove_deployment(store.session(), _platform(platform_id), deployment_id):
        raise click.ClickException(f"Platform {platform_id} has no deployment {deployment_id!r}.")
    store.session().commit()
    click.echo(f"Launches from deployment {deployment_id} are refused from now on.")


@lti.command("unregister")
@click.argument("platform_id", type=int)
@with_appcontext
def unregister(platform_id: int) -> None:
    """Forget a platform (its courses and grades stay)."""
    platform = _platform(platform_id)
    lti_platforms.delete_platform(store.session(), platform)
    store.session().commit()
    click.echo(f"{platform.name} is no longer registered; its launches are refused.")


@lti.command("keys")
@with_appcontext
def keys() -> None:
    """List the tool's published keys, the signing one first."""
    for index, key in enumerate(lti_platforms.live_keys(store.session())):
        click.echo(f"{key.kid}\tmade {key.created_at:%Y-%m-%d %H:%M} UTC\t{'signs' if index == 0 else 'published'}")


@lti.command("rotate-key")
@with_appcontext
def rotate_key() -> None:
    """Make a new signing key; the old ones stay published until retired."""
    key = lti_platforms.rotate_key(store.session(), current_app.config)
    store.session().commit()
    click.echo(f"New signing key {key.kid}. Retire older keys once every LMS has read the new keyset.")


# a key id is a base64url thumbprint, which may start with "-": it is read as the argument, not as an option
@lti.command("retire-key", context_settings={"ignore_unknown_options": True})
@click.argument("kid")
@with_appcontext
def retire_key(kid: str) -> None:
    """Take an older key out of the published keyset."""
    try:
        lti_platforms.retire_key(store.session(), kid)
    except PlatformError as error:
        raise click.ClickException(f"{error}.") from error
    store.session().commit()
    click.echo(f"Key {kid} is retired.")


def run_job(job_id: int) -> None:
    """Run a recorded job here and now, then print how it ended (the CLI waits; the web queues)."""
    from forumgrader import jobs

    with contextlib.suppress(Exception):  # a failure is recorded on the job, and said below
        jobs.execute(job_id)
    with store.database().session() as session:
        job = session.get_one(Job, job_id)
        if job.status != "done":
            raise click.ClickException(job.error or job.message or "The job did not finish.")
        click.echo(job.message)


@lti.command("roster")
@click.argument("course_id", type=int)
@with_appcontext
def roster(course_id: int) -> None:
    """Fetch a course's roster from each linked LMS course (NRPS) and fill in each person's ids."""
    from forumgrader.lti.passback import submit_roster

    if store.session().get(Course, course_id) is None:
        raise click.ClickException(f"There is no course {course_id}.")
    job = submit_roster(store.session(), course_id, None)
    store.session().commit()
    run_job(job.id)


@lti.command("send-grades")
@click.argument("topic_id", type=int)
@click.option("--force", is_flag=True, help="Send every grade again, changed or not.")
@with_appcontext
def send_grades(topic_id: int, force: bool) -> None:
    """Send a topic's grades, with feedback as comments, to its line item in each linked LMS course (AGS)."""
    from forumgrader.lti.passback import submit_grades

    send_topic_grades(submit_grades, topic_id, force=force)


def send_topic_grades(submit: Callable[..., Job], topic_id: int, *, force: bool) -> None:
    """Record a job sending a topic's grades with `submit`, and run it here."""
    topic = store.session().get(Topic, topic_id)
    if topic is None:
        raise click.ClickException(f"There is no topic {topic_id}.")
    job = submit(store.session(), topic, None, force=force)
    store.session().commit()
    run_job(job.id)


commands = [lti]
