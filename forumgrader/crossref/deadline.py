"""A total deadline on every request to Crossref, however slowly the server answers, and on whole batches.

httpx2's timeouts apply to each socket operation: a server sending one byte every two seconds never trips a ten-second
read timeout. habanero sends its requests through module-level `httpx2.get` and offers no hook, so `install()` gives
it a client whose network streams shorten every connect, read and write to what is left before the deadline in force
in the calling thread, and fail once none is left. A deadline is set with `within(at)`; nested ones keep the
earliest, so a batch's deadline (the self-check's time budget) caps each request's own. The client is one per
process, so its connections and SSL context are reused: habanero's own `httpx2.get` builds both for every request,
about 40 ms of CPU each time, which starved workers sharing a machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType
from typing import Any

import habanero.request
import httpcore2
import httpx2

_deadline: ContextVar[float | None] = ContextVar("forumgrader_crossref_deadline", default=None)
_client_lock = threading.Lock()
_client: httpx2.Client | None = None


@contextmanager
def within(at: float | None) -> Iterator[None]:
    """Run the block under a deadline (a time.monotonic() value; None: no new one), or the earlier one in force."""
    current = _deadline.get()
    token = _deadline.set(at if current is None else current if at is None else min(at, current))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Return the seconds left before the deadline in force (negative once passed), or None without one."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """Return the timeout for one socket operation: the configured one, cut to what is left; fail when none is."""
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the request ran out of time (its total deadline passed)")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore2.NetworkStream):
    """A network stream whose every operation ends by the deadline in force."""

    def __init__(self, stream: httpcore2.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore2.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore2.NetworkBackend):
    """httpcore2's own socket backend, its streams wrapped in `_Stream`."""

    def __init__(self) -> None:
        self._backend = httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = _left(timeout, httpcore2.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.NetworkStream:
        timeout = _left(timeout, httpcore2.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _Transport(httpx2.HTTPTransport):
    """httpx2's transport on a connection pool that uses `_Backend` (httpx2 builds its pool without a backend hook)."""

    def __init__(self) -> None:
        super().__init__()
        self._pool = httpcore2.ConnectionPool(ssl_context=httpx2.create_ssl_context(), network_backend=_Backend())


class _HabaneroHTTP(ModuleType):
    """What habanero sees as `httpx2`: the module itself, except that `get` goes through the deadline client."""

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx2, name)

    @staticmethod
    def get(url: str, **options: Any) -> httpx2.Response:
        return _shared_client().get(url, **options)


def _shared_client() -> httpx2.Client:
    """Return the process's one client for Crossref (thread-safe; its connections are kept alive between requests)."""
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx2.Client(transport=_Transport())
        return _client


def install() -> None:
    """Send habanero's requests through the deadline client (once per process; habanero is pinned to 2.9.2)."""
    if not isinstance(habanero.request.httpx2, _HabaneroHTTP):
        habanero.request.httpx2 = _HabaneroHTTP("httpx2")
