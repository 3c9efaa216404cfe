"""Bounded time: self-checks cannot starve the web server, leave threads behind, or run on past their deadline.

Written as the attacks: thirty cold anonymous self-checks, within the rate limit, against a Crossref slower than the
self-check's budget, while someone signs in; sixty of them, counting the threads left; and a Crossref that answers
one byte at a time, which no per-read timeout ever cuts off.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from crossref_matching.conftest import load_records
from flask import Flask
from web.conftest import PASSWORD, World

from forumgrader import store
from forumgrader.crossref.apa import apa_reference
from forumgrader.crossref.batch import finish_background_lookups
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.records import work_from_record
from forumgrader.store.selfcheck import check_draft

from .servers import dripping_crossref, waitress_server

BUDGET = 1.5  # SELF_CHECK_SECONDS
pytestmark = pytest.mark.local_crossref(
    self_check_seconds=BUDGET,
    crossref_timeout=2.0,
    self_check_at_once=2,
    self_check_rate_limit="1000 per minute",
)


def _drafts(count: int) -> list[str]:
    """Drafts of three references each, no two drafts citing the same work: every check is a cold one."""
    articles = [r for r in load_records().values() if r.get("type") == "journal-article" and r.get("author")]
    drafts = []
    for number in range(count):
        cited = [apa_reference(work_from_record(record)) for record in articles[3 * number : 3 * number + 3]]
        drafts.append("My post (see below).\n\nReferences\n\n" + "\n\n".join(cited))
    return drafts


def _post(url: str, path: str, body: bytes, content_type: str) -> tuple[int, float]:
    request = urllib.request.Request(url + path, data=body, headers={"Content-Type": content_type}, method="POST")
    started = time.monotonic()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def _self_check(url: str, text: str) -> tuple[int, float]:
    return _post(url, "/api/v1/self-check", json.dumps({"text": text}).encode(), "application/json")


@pytest.fixture
def slow_crossref(crossref: LocalCrossref) -> Iterator[LocalCrossref]:
    crossref.configure(latency=3.0)  # slower than the budget, and than CROSSREF_TIMEOUT
    yield crossref
    assert finish_background_lookups(timeout=30)


def test_thirty_cold_self_checks_do_not_hold_up_a_sign_in(
    app: Flask, world: World, slow_crossref: LocalCrossref
) -> None:
    with waitress_server(app, threads=4) as url, ThreadPoolExecutor(max_workers=30) as students:
        checks = [students.submit(_self_check, url, draft) for draft in _drafts(30)]
        time.sleep(0.3)  # the self-checks are in; now someone signs in
        form = urllib.parse.urlencode({"email": world.emails["instructor"], "password": PASSWORD}).encode()
        status, took = _post(url, "/login", form, "application/x-www-form-urlencoded")
        answers = [check.result() for check in checks]
    assert status == 302
    assert took < BUDGET, f"the sign-in waited {took:.1f} s behind the self-checks"
    assert {status for status, _took in answers} == {200}


def test_sixty_self_checks_leave_no_crowd_of_threads(app: Flask, slow_crossref: LocalCrossref) -> None:
    before = threading.active_count()
    with waitress_server(app, threads=4) as url, ThreadPoolExecutor(max_workers=20) as students:
        answers = list(students.map(lambda draft: _self_check(url, draft), _drafts(60)))
        during = threading.active_count() - before - 20  # the students' own threads aside
    assert {status for status, _took in answers} == {200}
    assert during <= 4 + 2 * 3 + 4, f"{during} threads: waitress's 4, the self-check pool's 6, and a few"


def test_a_self_check_ends_its_lookups_by_its_deadline_however_slowly_crossref_sends(app: Flask) -> None:
    (draft,) = _drafts(1)
    with dripping_crossref() as url, app.app_context():
        app.config["CROSSREF_URL"] = url
        started = time.monotonic()
        checked = check_draft(draft.encode(), "", config=app.config, database=store.database())
        answered = time.monotonic() - started
        finished = finish_background_lookups(timeout=10)
        ended = time.monotonic() - started
    assert checked.checks is not None and {check.verdict.value for check in checked.checks} == {"unchecked"}
    assert answered < BUDGET + 1
    assert finished and ended < BUDGET + 2.0 + 1, f"lookups ran {ended:.1f} s, past the budget and CROSSREF_TIMEOUT"
