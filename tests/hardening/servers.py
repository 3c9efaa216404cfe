"""Servers for attacks that need real sockets: the app on waitress, and a Crossref that sends one byte at a time."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flask import Flask
from waitress import wasyncore
from waitress.server import create_server


@contextmanager
def waitress_server(app: Flask, threads: int) -> Iterator[str]:
    """Serve the app on waitress, as `forumgrader serve` does, with this many threads; yield its URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    runner = threading.Thread(target=server.run, name="waitress", daemon=True)
    runner.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)
        runner.join(timeout=10)


class _Dripping(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hung up on a dripping answer, as it should


@contextmanager
def dripping_crossref(seconds_per_byte: float = 0.5) -> Iterator[str]:
    """A server answering every request in Crossref's shape, one byte every `seconds_per_byte`; yield its URL."""
    body = json.dumps({"status": "ok", "message-type": "work-list", "message": {"total-results": 1, "items": []}})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body.encode():
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(seconds_per_byte)

        def log_message(self, *args: object) -> None:
            pass

    server = _Dripping(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
