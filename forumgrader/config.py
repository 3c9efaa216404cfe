"""Configuration, layered: defaults here, then instance/config.py, then FORUMGRADER_* variables, then a test mapping."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

MB = 1024 * 1024

DEFAULTS: dict[str, Any] = {
    # sessions and the database
    "SECRET_KEY": None,  # read from FORUMGRADER_SECRET_KEY; otherwise one is made and kept in the instance folder
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "AUTO_MIGRATE": True,  # bring the schema to the newest migration when the app starts
    "SESSION_COOKIE_SECURE": False,  # set True behind HTTPS
    # behind a reverse proxy: how many proxies in front set X-Forwarded-For and X-Forwarded-Proto (nginx alone: 1).
    # Rate limits then count each client's own address and HTTPS is recognised; 0 trusts no such header.
    "PROXY_FIX": 0,
    # imports
    "MAX_IMPORT_BYTES": 50 * MB,
    # Crossref
    "CROSSREF_URL": "https://api.crossref.org",
    "CROSSREF_MAILTO": "",
    "CROSSREF_LOOKUPS_PER_SECOND": 10.0,
    "CROSSREF_SEARCHES_PER_SECOND": 3.0,
    "CROSSREF_CONCURRENCY": 3,
    # where the limits above are counted: "" follows the job queue (REDIS_URL when TASK_QUEUE=redis, so that every
    # worker and the web server share them), memory:// (this process alone) or a redis:// address
    "CROSSREF_LIMITS_URI": "",
    "CROSSREF_TIMEOUT": 10.0,
    "CROSSREF_RETRIES": 4,
    "CROSSREF_CACHE_DAYS": 30,
    "METADATA_SOURCE": "crossref",  # crossref | snapshot | offline
    "SNAPSHOT_COMPLETE": False,  # a snapshot miss is `not_found` only when the snapshot holds everything
    # background work
    "TASK_QUEUE": "sqlite",  # sqlite (embedded) | redis | immediate
    "REDIS_URL": "redis://localhost:6379/0",
    "WORKER_THREADS": 2,
    # the student self-check page
    "SELF_CHECK_RATE_LIMIT": "30 per minute;300 per hour",
    "SELF_CHECK_SECONDS": 8.0,  # answer within this; references Crossref has not answered by then show as unchecked
    "SELF_CHECK_MAX_CHARACTERS": 100_000,  # longest draft text checked at once (about 15,000 words)
    "SELF_CHECK_MAX_BYTES": 10 * MB,  # largest draft file accepted by the self-check (MAX_IMPORT_BYTES still caps it)
    # self-checks waiting on Crossref at once, each holding a server thread (keep it under `serve --threads`); more
    # answer at once from the cache alone
    "SELF_CHECK_AT_ONCE": 4,
    "RATELIMIT_STORAGE_URI": "memory://",
    "DEFAULT_RUBRIC": "graduate-discussion",  # grading: a shipped rubric name or a rubric file path
    # sign-in
    # failed sign-ins (forumgrader.web.limits): per client address and account; per account from any address; per
    # address at any account. A browser that signed in to the account before counts on a budget of its own instead.
    "SIGN_IN_RATE_LIMIT": "10 per minute;50 per hour",
    "SIGN_IN_ACCOUNT_RATE_LIMIT": "20 per minute;100 per hour",
    "SIGN_IN_ADDRESS_RATE_LIMIT": "30 per minute;300 per hour",
    # secrets stored in the database (Canvas tokens, LTI keys): Fernet keys, comma-separated; "" derives one
    "ENCRYPTION_KEYS": "",
    # LTI: cookies that work inside the LMS's iframe (SameSite=None; Secure; Partitioned) once SESSION_COOKIE_SECURE
    "LTI_IFRAME_COOKIES": True,
    "LTI_LAUNCH_DATA_HOURS": 24,  # how long a launch's data (and a nonce) is kept
}


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read FORUMGRADER_<KEY> variables for every known key, typed like the default."""
    found = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(f"FORUMGRADER_{key}")
        if raw is not None:
            try:
                found[key] = _coerce(raw, default)
            except ValueError as error:
                raise ValueError(f"FORUMGRADER_{key}={raw!r} is not a valid {type(default).__name__}") from error
    return found


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill app.config from the four layers, then derive what was left open."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment(os.environ))
    if test_config:
        app.config.from_mapping(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'forumgrader.sqlite'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_IMPORT_BYTES"] + MB


def _instance_secret(path: Path) -> str:
    """Keep one random key per instance so sessions survive restarts without a configured key."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def instance_path() -> str:
    """Where the instance folder is: FORUMGRADER_INSTANCE_PATH, else ./instance in the working directory."""
    return os.path.abspath(os.environ.get("FORUMGRADER_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance"))
