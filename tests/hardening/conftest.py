"""Attacks across the layers (the web, the API and the CLI at once) run in the web tests' small world."""

from __future__ import annotations

from web.conftest import _quick_password_hashing, app_config, client_as, token_for, world  # noqa: F401  (fixtures)
