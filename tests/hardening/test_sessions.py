"""Sessions end on the server when their user signs out, and failed sign-ins lock out no one but the attacker.

Written as the attacks: a session cookie copied before sign-out and replayed after it; ten failed sign-ins from one
address while a colleague behind the same NAT signs in to their own account; and an attacker hammering one account
from many addresses while its owner signs in from the browser they always use.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from web.conftest import PASSWORD, World, sign_in

from forumgrader.cli import cli

NAT = {"REMOTE_ADDR": "203.0.113.7"}  # one public address for a whole school


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replayed(app: Flask, world: World, cookie: str) -> Any:
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get(f"/courses/{world.course_a}")


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(app: Flask, world: World) -> None:
    owner = app.test_client()
    sign_in(owner, world.emails["instructor"])
    copied = _session_cookie(owner)
    assert _replayed(app, world, copied).status_code == 200  # the copy works while the session lasts...
    owner.post("/logout")
    replayed = _replayed(app, world, copied)
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")  # ...and not after


def test_an_administrator_ends_every_session_of_an_account(app: Flask, world: World) -> None:
    owner = app.test_client()
    sign_in(owner, world.emails["instructor"])
    assert owner.get(f"/courses/{world.course_a}").status_code == 200
    command = ["users", "sign-out", world.emails["instructor"]]
    result = CliRunner().invoke(cli, command, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert owner.get(f"/courses/{world.course_a}").status_code == 302


def _fail(client: FlaskClient, email: str, times: int, environ: dict[str, str] = NAT) -> list[int]:
    wrong = {"email": email, "password": "not the password at all"}
    return [client.post("/login", data=wrong, environ_base=environ).status_code for _ in range(times)]


def test_ten_failures_from_one_address_lock_out_no_one_else_behind_it(app: Flask, world: World) -> None:
    attacker = app.test_client()
    assert _fail(attacker, world.emails["admin"], 10) == [200] * 10
    assert _fail(attacker, world.emails["admin"], 1) == [429]  # the attacker is slowed down...
    colleague = app.test_client()  # ...not the colleague at the next desk, signing in to their own account
    right = {"email": world.emails["instructor"], "password": PASSWORD}
    assert colleague.post("/login", data=right, environ_base=NAT).status_code == 302


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SIGN_IN_ACCOUNT_RATE_LIMIT": "20 per hour"}


def test_an_attack_on_one_account_from_many_addresses_never_locks_its_owner_out(app: Flask, world: World) -> None:
    email = world.emails["student"]
    owner = app.test_client()
    home = {"REMOTE_ADDR": "198.51.100.20"}
    assert owner.post("/login", data={"email": email, "password": PASSWORD}, environ_base=home).status_code == 302
    owner.post("/logout", environ_base=home)
    attacker = app.test_client()
    statuses = [
        status for bot in range(30) for status in _fail(attacker, email, 1, {"REMOTE_ADDR": f"192.0.2.{bot + 1}"})
    ]
    assert statuses.count(429) >= 10  # the account's own budget stops the attack...
    newcomer = app.test_client()  # ...and a browser that never signed in to it waits too
    right = {"email": email, "password": PASSWORD}
    assert newcomer.post("/login", data=right, environ_base=home).status_code == 429
    assert owner.post("/login", data=right, environ_base=home).status_code == 302  # but its owner's browser does not
