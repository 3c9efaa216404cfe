"""Cookies inside the LMS's iframe: behind HTTPS the session cookie is SameSite=None; Secure; Partitioned."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask


@pytest.mark.parametrize(("secure", "iframe", "expected"), [(True, True, "None"), (False, True, "Lax"),
                                                            (True, False, "Lax")])  # fmt: skip
def test_the_session_cookie_works_in_an_iframe_behind_https(
    app_config: dict[str, Any],
    secure: bool,
    iframe: bool,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    from forumgrader import create_app

    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    app: Flask = create_app({**app_config, "SESSION_COOKIE_SECURE": secure, "LTI_IFRAME_COOKIES": iframe})
    response = app.test_client().get("/login", base_url="https://tool.example")  # its form's CSRF token: a session
    [cookie] = [found for found in response.headers.getlist("Set-Cookie") if found.startswith("session=")]
    assert f"SameSite={expected}" in cookie
    assert ("Partitioned" in cookie) is (expected == "None")
    app.extensions["forumgrader.db"].dispose()
