"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from forumgrader import store
from forumgrader.store import accounts
from forumgrader.web.access import current_actor
from forumgrader.web.devices import remember_device
from forumgrader.web.limits import limited

blueprint = Blueprint("auth", __name__)


class SignInForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type hints
    email = EmailField("Email", validators=[InputRequired(), Length(max=300)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password", validators=[InputRequired(), Length(max=500)], render_kw={"autocomplete": "current-password"}
    )


def local_path(target: str | None) -> str | None:
    """Return `target` if it is a path on this site (where "next" may send someone), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 32 for character in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@blueprint.route("/login", methods=["GET", "POST"])
@limited("sign_in")
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign in and go where the user was going."""
    form = SignInForm()
    next_path = local_path(request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(store.session(), form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()  # nothing from before signing in carries over
            login_user(user)
            flash(f"Signed in as {user.name or user.email}.", "success")
            response = redirect(next_path or url_for("courses.home"))
            remember_device(response, user.email)  # its owner's browser: never locked out by others' attempts
            return response
        form.form_errors.append("That email and password do not match an account. Check both and try again.")
    return render_template("auth/login.html", form=form, next_path=next_path)


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out, ending the session on the server too (a form posts here, so another site cannot sign you out)."""
    user = current_actor()
    if user is not None:
        accounts.end_sessions(user)
        store.session().commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("courses.home"))
