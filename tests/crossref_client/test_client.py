"""The habanero adapter against the local Crossref: records, 404s, odd DOIs, agencies, searches, faults, retries."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import monotonic, sleep, time

import pytest

from forumgrader.crossref import client
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.limits import Limiter
from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.crossref.model import LookupBlocked, LookupFailed

from .conftest import FAST, HAMLIN, HAMLIN_TEXT, NotedHolds, Sleeps, asked

Make = Callable[..., CrossrefSource]
Answer = tuple[int, str, bytes]
SICI = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O"
ODD = [SICI, "10.1000/a#b?c", "10.1000/x[1]{2}|y", "10.1000/percent%zz", "10.1000/ünïcode"]


def test_work_returns_the_parsed_record(make_source: Make, crossref: LocalCrossref) -> None:
    work = make_source().work(f"https://doi.org/{HAMLIN.upper()}")
    assert work is not None
    assert work.doi == HAMLIN
    assert work.title == "Sleep apnea in fragile X premutation carriers with and without FXTAS"
    assert work.year == 2011
    assert crossref.stats()["requests"] == {"lookup": 1}


def test_work_with_markup_and_notices(make_source: Make) -> None:
    corrected = make_source().work("10.1371/journal.pbio.0050002")
    assert corrected is not None
    assert [notice.type for notice in corrected.notices] == ["correction"]
    assert "<" not in corrected.title and "\n" not in corrected.title


def test_unknown_doi_is_none(make_source: Make, crossref: LocalCrossref) -> None:
    assert make_source().work("10.9999/no.such.work") is None
    assert crossref.stats()["statuses"] == {"404": 1, "200": 1}  # the 200: Crossref's count of works vouched for it


def test_a_404_that_is_not_crossref_speaking_is_a_failure(make_source: Make) -> None:
    # a wrong base URL (a proxy, another site) answers 404 to everything: that must never read as "no such DOI"
    with _serve_fixed(404, "text/html", b"<h1>Not Found</h1>") as url, pytest.raises(LookupFailed, match="404"):
        make_source(base_url=url).work(HAMLIN)


@pytest.mark.parametrize("doi", ODD)
def test_dois_with_odd_characters_reach_the_server_whole(doi: str, sleeps: Sleeps) -> None:
    with serve_in_thread([{"DOI": doi, "title": ["Odd"], "type": "journal-article"}]) as server:
        source = CrossrefSource(server.url, "tests@example.org", 2.0, _unpaced(sleeps), 0)
        work = source.work(doi)
        assert work is not None and work.title == "Odd"
        assert [entry[2] for entry in server.log()] == [doi.lower()]


def test_a_doi_with_a_space_is_one_lookup_not_two(make_source: Make, crossref: LocalCrossref) -> None:
    assert make_source().work("10.1037/0033-2909.133.4.581 abc") is None
    assert asked(crossref) == ["10.1037/0033-2909.133.4.581 abc"]


def test_agency(make_source: Make, crossref: LocalCrossref) -> None:
    source = make_source()
    assert source.agency(HAMLIN) == "crossref"
    assert source.work("10.5281/zenodo.1234") is None  # DataCite DOIs are not in /works...
    assert source.agency("10.5281/zenodo.1234") == "datacite"  # ...but the agency route knows them
    assert source.agency("10.9999/nowhere") is None
    assert crossref.stats()["requests"] == {"lookup": 4}


def test_search_ranks_the_cited_work_first(make_source: Make, crossref: LocalCrossref) -> None:
    found = make_source().search(HAMLIN_TEXT, rows=3)
    assert 1 <= len(found) <= 3
    assert found[0].doi == HAMLIN
    (_arrived, request_class, query, _status) = crossref.log()[0]
    assert request_class == "search" and "rows=3" in query


def test_search_with_nothing_to_send_asks_nothing(make_source: Make, crossref: LocalCrossref) -> None:
    assert make_source().search("   ") == ()
    assert crossref.stats()["total"] == 0


def test_a_list_without_total_results_is_a_failure(sleeps: Sleeps) -> None:
    body = json.dumps({"status": "ok", "message-type": "work-list", "message": {"items": []}}).encode()
    with _serve_fixed(200, "application/json", body) as url, pytest.raises(LookupFailed, match="not understood"):
        CrossrefSource(url, "tests@example.org", 2.0, _unpaced(sleeps), 0).search("sleep apnea")


def test_429_with_retry_after_is_honoured(make_source: Make, crossref: LocalCrossref, sleeps: Sleeps) -> None:
    crossref.configure(fail=429, fail_times=2, retry_after=3)
    assert make_source(retries=3).work(HAMLIN) is not None
    assert crossref.stats()["too_many"] == 2
    # each 429 asked for 3 s: the adapter waits that long, and holds the shared limiter as long
    assert sleeps.count(3.0) >= 2


def test_retry_after_as_an_http_date(make_source: Make, crossref: LocalCrossref, sleeps: Sleeps) -> None:
    crossref.configure(fail=503, fail_times=1, retry_after=formatdate(time() + 5, usegmt=True))
    assert make_source().work(HAMLIN) is not None
    assert 3.0 <= max(sleeps) <= 5.5


def test_503_is_retried_with_backoff_then_fails(make_source: Make, crossref: LocalCrossref, sleeps: Sleeps) -> None:
    crossref.configure(fail=503)
    with pytest.raises(LookupFailed, match=r"503.*after 4 tries"):
        make_source(retries=3, rng=lambda: 0.5).work(HAMLIN)
    assert crossref.stats()["statuses"] == {"503": 4}
    assert sleeps == [0.25, 0.5, 1.0]  # full jitter: rng() * 0.5 s * 2**attempt


def test_403_blocks_at_once(make_source: Make, crossref: LocalCrossref) -> None:
    crossref.configure(fail=403)
    with pytest.raises(LookupBlocked):
        make_source(retries=3).search(HAMLIN_TEXT)
    assert crossref.stats()["total"] == 1


def test_a_slow_answer_times_out_and_is_retried(make_source: Make, crossref: LocalCrossref) -> None:
    crossref.configure(latency=0.5)
    with pytest.raises(LookupFailed, match="did not answer in time"):
        make_source(timeout=0.1, retries=1).work(HAMLIN)
    assert crossref.stats()["requests"] == {"lookup": 2}


def test_an_unreachable_server_fails(make_source: Make) -> None:
    stopped = serve_in_thread([])
    stopped.stop()
    with pytest.raises(LookupFailed, match="could not reach"):
        make_source(base_url=stopped.url, retries=1).search(HAMLIN_TEXT)


def test_no_such_doi_from_a_server_that_is_not_crossref_is_a_failure_not_an_answer(make_source: Make) -> None:
    # a proxy or a wrong base path answering Crossref's own words to everything, its count of works included
    with _serve_fixed(404, "text/plain", b"Resource not found.") as url:
        source = make_source(base_url=url)
        with pytest.raises(LookupFailed, match="does not answer as Crossref does"):
            source.work(HAMLIN)
        with pytest.raises(LookupFailed, match="does not answer as Crossref does"):
            source.agency("10.9999/nowhere")


def test_an_empty_search_from_a_server_holding_nothing_is_a_failure(make_source: Make) -> None:
    with serve_in_thread([]) as empty, pytest.raises(LookupFailed, match="does not answer as Crossref does"):
        make_source(base_url=empty.url).search(HAMLIN_TEXT)


def test_no_such_doi_is_believed_once_crossref_shows_itself(make_source: Make, crossref: LocalCrossref) -> None:
    source = make_source()
    assert source.work("10.9999/one") is None  # asks Crossref's count of works once...
    assert source.work("10.9999/two") is None  # ...which vouches for a while
    assert asked(crossref) == ["10.9999/one", "10.9999/two"]
    assert crossref.stats()["requests"] == {"lookup": 2, "search": 1}


def test_a_search_answered_500_with_a_json_body_is_retried(make_source: Make, sleeps: Sleeps) -> None:
    failed = json.dumps({"status": "error", "message-type": "exception", "message": "Internal server error"})
    found = json.dumps(
        {
            "status": "ok",
            "message-type": "work-list",
            "message": {"total-results": 1, "items": [{"DOI": HAMLIN, "title": ["Sleep apnea"], "score": 9.0}]},
        }
    )
    answers = (500, "application/json", failed.encode()), (200, "application/json", found.encode())
    with _serve_fixed(*answers[0], answers[1]) as url:
        assert [work.doi for work in make_source(base_url=url, retries=2).search(HAMLIN_TEXT)] == [HAMLIN]
    assert len(sleeps) == 1  # one wait, then the second try answered


def test_a_server_sending_one_byte_at_a_time_is_cut_off_at_the_total_timeout(make_source: Make) -> None:
    body = json.dumps({"status": "ok", "message-type": "work", "message": {"DOI": HAMLIN}}).encode()
    with _serve_fixed(200, "application/json", body, drip=0.2) as url:  # 60 bytes: 12 s to send them all
        started = monotonic()
        with pytest.raises(LookupFailed, match="did not answer in time"):
            make_source(base_url=url, timeout=1.0, retries=0).work(HAMLIN)
        assert monotonic() - started < 3.0


def test_missing_mailto_is_warned_once(
    make_source: Make, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "_missing_mailto_warned", threading.Event())
    with caplog.at_level(logging.WARNING, logger="forumgrader.crossref.client"):
        make_source(mailto="")
        make_source(mailto="")
        make_source()
    warnings = [record for record in caplog.records if "CROSSREF_MAILTO" in record.message]
    assert len(warnings) == 1


def _unpaced(sleeps: Sleeps) -> Limiter:
    return Limiter(FAST, budget=NotedHolds(sleeps))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hung up on a dripping answer: what the test wants


class _serve_fixed:
    """A server answering requests with fixed answers, in turn, the last one from then on (what the local Crossref
    never does); `drip` sends each answer's body one byte at a time, that many seconds apart."""

    def __init__(self, status: int, content_type: str, body: bytes, *then: Answer, drip: float = 0.0) -> None:
        answers = [(status, content_type, body), *then]
        seen: list[str] = []
        self.paths = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                status, content_type, body = answers[min(len(seen), len(answers)) - 1]
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for chunk in [body[at : at + 1] for at in range(len(body))] if drip else [body]:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    sleep(drip)

            def log_message(self, *args: object) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
