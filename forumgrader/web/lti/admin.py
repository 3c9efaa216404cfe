"""Admins' LTI page: the addresses to give an LMS, registered platforms and deployments, and the tool's keys."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forumgrader import store
from forumgrader.store import lti_platforms
from forumgrader.store.lti_platforms import LMS_KINDS, PRESETS, Endpoints, PlatformError
from forumgrader.store.models import LtiPlatform

blueprint = Blueprint("lti_admin", __name__, url_prefix="/admin/lti")


def tool_urls() -> dict[str, str]:
    """Return the tool's addresses an LMS administrator enters when registering forumgrader."""
    return {
        "OIDC login (initiate login) URL": url_for("lti.login", _external=True),
        "Launch (redirect / target link) URL": url_for("lti.launch", _external=True),
        "Deep linking URL": url_for("lti.launch", _external=True),
        "Public keyset (JWKS) URL": url_for("lti.jwks", _external=True),
    }


def _page(status: int = 200) -> ResponseReturnValue:
    session = store.session()
    platforms = [(p, lti_platforms.deployments(session, p)) for p in lti_platforms.platforms(session)]
    page = render_template(
        "lti/admin.html",
        urls=tool_urls(),
        platforms=platforms,
        keys=lti_platforms.live_keys(session),
        presets=LMS_KINDS,
        values=request.form,
    )
    return page, status


def _back() -> ResponseReturnValue:
    return redirect(url_for("lti_admin.page"))


@blueprint.get("")
def page() -> ResponseReturnValue:
    """Show what to give an LMS, and what is registered."""
    return _page()


def endpoints_from(form: dict[str, str]) -> Endpoints:
    """Read a registration form's endpoints: from a preset (Canvas; a Moodle site) or typed in."""
    preset = form.get("lms", "other")
    if preset in PRESETS:
        return PRESETS[preset](form.get("site", "").strip())
    return Endpoints(
        form.get("issuer", "").strip(),
        form.get("auth_login_url", "").strip(),
        form.get("auth_token_url", "").strip(),
        form.get("key_set_url", "").strip(),
    )


@blueprint.post("/platforms")
def register() -> ResponseReturnValue:
    """Register a platform with its first deployment."""
    form = request.form.to_dict()
    session = store.session()
    try:
        platform = lti_platforms.register_platform(
            session,
            name=form.get("name", ""),
            lms=form.get("lms", "other"),
            client_id=form.get("client_id", ""),
            endpoints=endpoints_from(form),
            deployment_ids=[found for found in form.get("deployment_id", "").split() if found],
        )
    except PlatformError as error:
        session.rollback()
        flash(f"{error}.", "error")
        return _page(400)
    lti_platforms.signing_key(session, current_app.config)
    session.commit()
    flash(f"Registered {platform.name}.", "success")
    return _back()


def _platform() -> LtiPlatform | None:
    value = request.form.get("platform_id", "")
    return store.session().get(LtiPlatform, int(value)) if value.isdigit() else None


@blueprint.post("/deployments")
def add_deployment() -> ResponseReturnValue:
    """Accept launches from another deployment of a platform."""
    platform = _platform()
    if platform is None:
        flash("Choose a registered platform.", "error")
        return _page(400)
    try:
        lti_platforms.add_deployment(store.session(), platform, request.form.get("deployment_id", ""))
    except PlatformError as error:
        flash(f"{error}.", "error")
        return _page(400)
    store.session().commit()
    flash(f"{platform.name} may now launch with deployment {request.form['deployment_id'].strip()}.", "success")
    return _back()


@blueprint.post("/platforms/delete")
def delete_platform() -> ResponseReturnValue:
    """Forget a platform: its launches are refused from now on (its courses and grades stay)."""
    platform = _platform()
    if platform is None:
        flash("Choose a registered platform.", "error")
        return _page(400)
    lti_platforms.delete_platform(store.session(), platform)
    store.session().commit()
    flash(f"{platform.name} is no longer registered.", "success")
    return _back()


@blueprint.post("/keys")
def rotate_key() -> ResponseReturnValue:
    """Make a new signing key; the old one stays published until retired."""
    key = lti_platforms.rotate_key(store.session(), current_app.config)
    store.session().commit()
    flash(f"New signing key {key.kid}. Retire the old one once every LMS has read the new keyset.", "success")
    return _back()


@blueprint.post("/keys/retire")
def retire_key() -> ResponseReturnValue:
    """Take an old key out of the published keyset."""
    try:
        key = lti_platforms.retire_key(store.session(), request.form.get("kid", ""))
    except PlatformError as error:
        flash(f"{error}.", "error")
        return _page(400)
    store.session().commit()
    flash(f"Key {key.kid} is retired.", "success")
    return _back()
