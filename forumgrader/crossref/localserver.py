"""A Crossref-compatible server on 127.0.0.1 for tests, benchmarks and demos, serving real Crossref records.

Routes and answers as api.crossref.org gives them: `/works/{doi}`, `/works/{doi}/agency`, `/works?query.bibliographic=
&rows=`, a text/plain 404 "Resource not found.", `total-results` in lists, rate-limit headers. Limits are enforced as
Crossref does (forumgrader.crossref.localfaults), and faults can be switched on while it runs: from Python
(`LocalCrossref.configure`) or over HTTP (`POST /__control` with {"fail": 503, "fail_times": 2, "retry_after": 1,
"latency": 0.15, "limits": {"lookup": 10, "search": 3, "concurrency": 3}}; `POST /__reset`; `GET /__stats`).

The limits given apply to every client alike. `forumgrader crossref serve` and the benchmarks give the polite pool's
(10 lookups/s, 3 searches/s, 3 at once), which then hold even for a client without `mailto`, labelled
`x-api-pool: public`, where Crossref allows only 5/s, 1/s and 1 at once. That is fine for tests, which are about pacing
and 429s, not about which pool a client lands in; give the public figures to play the public pool.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from forumgrader.crossref.index import Index
from forumgrader.crossref.limits import LOOKUP, SEARCH
from forumgrader.crossref.localfaults import Faults, ServerState
from forumgrader.crossref.snapshot import bundled_files, read_files

DATACITE_PREFIXES = {"10.5281": "datacite", "10.48550": "datacite", "10.5061": "datacite", "10.6084": "datacite"}
AGENCY_LABELS = {"crossref": "Crossref", "datacite": "DataCite", "medra": "mEDRA", "jalc": "JaLC"}
FAULT_BODIES = {429: ("text/html", "<html><body><h1>429 Too Many Requests</h1></body></html>")}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "forumgrader-local-crossref"

    def log_message(self, format: str, *args: Any) -> None:  # the server's chatter is not wanted in tests
        pass

    def do_GET(self) -> None:
        raw_path, _, query = self.path.partition("?")
        path = unquote(raw_path)
        if path == "/__stats":
            return self._send(200, "application/json", json.dumps(self.server.state.stats()))
        if path.rstrip("/") == "/works":
            return self._api(SEARCH, query, lambda: self._search(parse_qs(query)))
        if path.startswith("/works/") and path.endswith("/agency"):
            doi = path.removeprefix("/works/").removesuffix("/agency")
            return self._api(LOOKUP, f"{doi}/agency", lambda: self._agency(doi))
        if path.startswith("/works/"):
            doi = path.removeprefix("/works/")
            return self._api(LOOKUP, doi, lambda: self._work(doi))
        return self._send(404, "text/plain", "Resource not found.")

    def do_POST(self) -> None:
        state = self.server.state
        if self.path == "/__reset":
            state.reset()
            return self._send(200, "application/json", json.dumps({"status": "ok"}))
        if self.path != "/__control":
            return self._send(404, "text/plain", "Resource not found.")
        try:
            changes = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            state.change(changes)
        except (TypeError, ValueError) as error:
            return self._send(400, "text/plain", f"bad control request: {error}")
        return self._send(200, "application/json", json.dumps({"status": "ok"}))

    def _api(self, request_class: str, target: str, answer: Any) -> None:
        state = self.server.state
        arrived, failure, faults = state.admit(request_class)
        status, content_type, body = 500, "text/plain", "Internal error"
        try:
            if failure != 429 and faults.latency:
                time.sleep(faults.latency)
            if failure is not None:
                status = failure
                content_type, body = FAULT_BODIES.get(failure, ("text/plain", f"{failure} error"))
            else:
                status, content_type, body = answer()
        finally:
            # Counted out before the answer is written, so a client that sends its next request on receiving this
            # answer never finds this one still running.
            state.finish(request_class, target, status, arrived)
        retry_after = faults.retry_after if failure in (429, 503) else None
        self._send(status, content_type, body, self._limit_headers(request_class, faults, retry_after))

    def _limit_headers(self, request_class: str, faults: Faults, retry_after: Any) -> dict[str, str]:
        limits = faults.limits or {LOOKUP: 10, SEARCH: 3, "concurrency": 3}
        headers = {
            "x-rate-limit-limit": f"{limits.get(request_class, 10):g}",
            "x-rate-limit-interval": "1s",
            "x-concurrency-limit": f"{limits.get('concurrency', 3):g}",
            "x-api-pool": "polite" if "mailto:" in (self.headers.get("User-Agent") or "") else "public",
        }
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return headers

    def _work(self, doi: str) -> tuple[int, str, str]:
        record = self.server.state.records.get(doi.lower())
        if record is None:
            return 404, "text/plain", "Resource not found."
        return 200, "application/json", _envelope("work", record)

    def _agency(self, doi: str) -> tuple[int, str, str]:
        state = self.server.state
        agency = "crossref" if doi.lower() in state.records else state.agencies.get(doi.split("/", 1)[0])
        if agency is None:
            return 404, "text/plain", "Resource not found."
        label = AGENCY_LABELS.get(agency, agency)
        return 200, "application/json", _envelope("work-agency", {"DOI": doi, "agency": {"id": agency, "label": label}})

    def _search(self, params: Mapping[str, list[str]]) -> tuple[int, str, str]:
        text = (params.get("query.bibliographic") or params.get("query") or [""])[0]
        try:
            rows = min(1000, int((params.get("rows") or ["20"])[0]))
            offset = int((params.get("offset") or ["0"])[0])
        except ValueError:
            return 400, "application/json", json.dumps({"status": "failed", "message-type": "validation-failure"})
        index = self.server.state.index
        found = index.search(text) if text else [(1.0, record) for record in index.records]
        items = [{**record, "score": round(score, 3)} for score, record in found[offset : offset + rows]]
        message = {"facets": {}, "total-results": len(found), "items": items, "items-per-page": rows}
        message["query"] = {"start-index": offset, "search-terms": text or None}
        return 200, "application/json", _envelope("work-list", message)

    def _send(self, status: int, content_type: str, body: str, headers: Mapping[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type};charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test): nothing to answer


def _envelope(message_type: str, message: Any) -> str:
    return json.dumps({"status": "ok", "message-type": message_type, "message-version": "1.0.0", "message": message})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-answer is expected in fault tests


class LocalCrossref:
    """A running local Crossref: its URL, switches for faults and limits, counters; stop() or use `with`."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="local-crossref", daemon=True)
        self._thread.start()
        host, port = server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def configure(self, **changes: Any) -> None:
        """Change faults or limits: fail=503|429|403|None, fail_times=N, retry_after=S, latency=S, limits={...}."""
        self._server.state.change(changes)

    def reset(self) -> None:
        """Go back to the faults and limits the server started with, and zero the counters."""
        self._server.state.reset()

    def stats(self) -> dict[str, Any]:
        """Return the counters: requests by class, total, statuses served, 429s served ("too_many")."""
        return self._server.state.stats()

    def log(self) -> list[tuple[float, str, str, int]]:
        """Return every request seen: (monotonic arrival time, class, DOI, DOI/agency or query string, status)."""
        with self._server.state.lock:
            return list(self._server.state.log)

    def stop(self) -> None:
        """Stop serving and close the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalCrossref:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def serve_in_thread(
    records: Iterable[Mapping[str, Any]] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency: float = 0.0,
    limits: Mapping[str, float] | None = None,
    agencies: Mapping[str, str] | None = None,
) -> LocalCrossref:
    """Start a local Crossref in a background thread over the records (default: the bundled sample records)."""
    held = list(records) if records is not None else list(read_files(bundled_files()))
    server = _Server((host, port), _Handler)
    server.state = ServerState(
        records={str(record["DOI"]).lower(): record for record in held},
        index=Index(held),
        agencies=dict(DATACITE_PREFIXES if agencies is None else agencies),
        defaults=Faults(latency=latency, limits=dict(limits) if limits else None),
    )
    server.state.reset()
    return LocalCrossref(server)
