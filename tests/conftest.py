"""Fixtures shared by every layer: a network guard, a fresh database per test, and the app."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from forumgrader import create_app
from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.store import schema
from forumgrader.store.db import Base, make_engine

SAMPLES = Path(__file__).resolve().parents[1] / "forumgrader" / "samples"
TEST_DATABASE_URL = os.environ.get("FORUMGRADER_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("FORUMGRADER_TEST_REDIS_URL", "")


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes | str) and str(host) in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return isinstance(address, str | bytes)  # a Unix socket path


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a connection beyond 127.0.0.1: Crossref is never reached from tests."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate one database per test session: a SQLite file to copy, or the PostgreSQL test database."""
    if TEST_DATABASE_URL:
        engine = make_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        schema.upgrade(engine)
        engine.dispose()
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("template") / "forumgrader.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(_template_database: str, tmp_path: Path) -> Iterator[str]:
    """Give each test an empty, migrated database."""
    if TEST_DATABASE_URL:
        engine = make_engine(TEST_DATABASE_URL)
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield TEST_DATABASE_URL
        return
    path = tmp_path / "forumgrader.sqlite"
    shutil.copyfile(_template_database, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app_config(database_url: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test mapping given to create_app; tests may change it before asking for `app`.

    A module or test marked `local_crossref` gets an app that checks against the local Crossref server.
    """
    marker = request.node.get_closest_marker("local_crossref")
    checking = request.getfixturevalue("crossref_settings")(**marker.kwargs) if marker else {}
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "AUTO_MIGRATE": False,
        "TASK_QUEUE": "immediate",
        "METADATA_SOURCE": "offline",
        "CROSSREF_MAILTO": "tests@example.org",
    } | checking


@pytest.fixture
def app(app_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A forumgrader app on the test database, with its instance folder in a temporary directory."""
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(app_config)
    yield application
    application.extensions["forumgrader.db"].dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test database, closed after the test."""
    with app.extensions["forumgrader.db"].sessions() as db_session:
        yield db_session


@pytest.fixture(scope="session")
def samples() -> Path:
    """The bundled samples: seed documents, real Crossref records, sample exports."""
    return SAMPLES


@pytest.fixture(scope="session")
def crossref_server() -> Iterator[LocalCrossref]:
    """A Crossref-compatible server on 127.0.0.1 over the bundled sample records, for the whole test session."""
    server = serve_in_thread()
    yield server
    server.stop()


@pytest.fixture
def crossref_settings(crossref: LocalCrossref) -> Callable[..., dict[str, Any]]:
    """Return the settings that point an app at the local Crossref, unpaced (the limiter has tests of its own)."""

    def settings(**overrides: Any) -> dict[str, Any]:
        return {
            "METADATA_SOURCE": "crossref",
            "CROSSREF_URL": crossref.url,
            "CROSSREF_LOOKUPS_PER_SECOND": 0,
            "CROSSREF_SEARCHES_PER_SECOND": 0,
            "CROSSREF_RETRIES": 0,
        } | {key.upper(): value for key, value in overrides.items()}

    return settings


@pytest.fixture
def crossref(crossref_server: LocalCrossref) -> Iterator[LocalCrossref]:
    """The local Crossref with no faults, no limits and zeroed counters: `.url`, `.configure(...)`, `.stats()`."""
    crossref_server.reset()
    yield crossref_server
    crossref_server.reset()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis for the tests: FORUMGRADER_TEST_REDIS_URL, else a redis-server of their own on a free port."""
    if TEST_REDIS_URL:
        yield TEST_REDIS_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server installed, or FORUMGRADER_TEST_REDIS_URL")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    client.close()
    return redis_server
