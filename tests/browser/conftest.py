"""Browser tests: the real app on a free 127.0.0.1 port, driven by Debian's Chromium, headless, through Playwright.

The whole folder is skipped when no Chromium is installed (`/usr/bin/chromium`, or FORUMGRADER_CHROMIUM);
`.ci/run` installs Debian's. Playwright's own browser download is never used. The live server runs for the
whole session on its own database (a SQLite file, or a `browser` schema in the PostgreSQL test database), with
an embedded huey worker, CSRF on; every test starts from an empty database (`live_db`). A failing test leaves
a full-page screenshot in tests/artifacts/. Chromium is kept off the network: its background services are
switched off, host names other than localhost do not resolve, and pages may load nothing but the live server.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from forumgrader import create_app, jobs
from forumgrader.store import schema
from forumgrader.store.db import Base, make_engine

HERE = Path(__file__).parent
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM = os.environ.get("FORUMGRADER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-pings",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
BROWSER_SCHEMA = "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests `browser`, and skip them all when there is no Chromium to drive."""
    missing = not os.access(CHROMIUM, os.X_OK)
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium, or set FORUMGRADER_CHROMIUM")
    # When a page moves on while a static file is still being sent, the development server's thread drops the file
    # without closing it; the ResourceWarning then surfaces in whichever test runs next. It says nothing of the app.
    dropped_static = pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <_io.FileIO name='.*/web/static/:pytest.PytestUnraisableExceptionWarning"
    )
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(dropped_static)
            if missing:
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so that fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


def _live_database_url(template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of the live server's own, so the other tests' per-test resets never reach it."""
    if template.startswith("postgresql"):
        url = f"{template}{'&' if '?' in template else '?'}options=-csearch_path%3D{BROWSER_SCHEMA}"
        engine = make_engine(template)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {BROWSER_SCHEMA} CASCADE; CREATE SCHEMA {BROWSER_SCHEMA}"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'forumgrader.sqlite'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def live_server(_template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app served on a free 127.0.0.1 port in a thread, with an embedded background worker."""
    url = _live_database_url(_template_database, tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path_factory.mktemp("live-instance")))
        app = create_app(
            {
                "SECRET_KEY": "browser-tests",
                "DATABASE_URL": url,
                "AUTO_MIGRATE": False,
                "TASK_QUEUE": "sqlite",
                "METADATA_SOURCE": "offline",
                "CROSSREF_MAILTO": "tests@example.org",
            }
        )
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    consumer = jobs.start_worker(app, threads=2)
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    consumer.stop(graceful=True)
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    app.extensions["forumgrader.db"].dispose()


@pytest.fixture
def live_db(live_server: LiveServer) -> Iterator[Session]:
    """A session on the live server's database, emptied first: each test seeds what it needs and commits."""
    database = live_server.app.extensions["forumgrader.db"]
    with database.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    with database.sessions() as session:
        yield session


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, started once for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab (no cookies) on the live server; a screenshot is kept if the test fails.

    The test also fails when the page tried to load anything from elsewhere, or logged a JavaScript error
    (a Content-Security-Policy violation shows up as one).
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    elsewhere: list[str] = []
    own = re.compile(rf"^{re.escape(live_server.url)}/")

    def only_the_live_server(route: Any) -> None:
        if own.match(route.request.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_live_server)
    tab = context.new_page()
    errors: list[str] = []

    def console(message: Any) -> None:
        # a page answering 404 or 403 is logged as "Failed to load resource": that is the test's business
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    tab.on("console", console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert elsewhere == [], f"the page tried to load from outside the app: {elsewhere}"
    assert errors == [], f"the page logged errors: {errors}"
