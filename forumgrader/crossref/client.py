"""Crossref through habanero: records by DOI, registration agencies and bibliographic searches, paced and retried.

Only DOIs and reference strings are sent; the User-Agent carries the configured contact address (habanero puts
`mailto` there), which is what admits requests to Crossref's polite pool.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx2
from habanero import Crossref, RequestError
from habanero import request as habanero_request

from forumgrader.citations.doi import normalise_doi
from forumgrader.crossref.limits import LOOKUP, SEARCH, Limiter
from forumgrader.crossref.model import LookupBlocked, LookupFailed, Work
from forumgrader.crossref.records import work_from_record

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Longer than any real reference: a longer string is most likely post text that a splitter failed to cut, and post
# text must not leave the machine.
MAX_QUERY_CHARS = 1000
_ANSWER_ERRORS = (httpx2.HTTPError, RequestError, RuntimeError, KeyError, IndexError, TypeError, ValueError)
_missing_mailto_warned = threading.Event()


def encode_doi(doi: str) -> str:
    """Percent-encode a DOI for a URL path: habanero sends it as given and splits strings on whitespace."""
    # "/" separates prefix and suffix and Crossref expects it literal; ":" and "()" are plain path characters.
    # Everything else is encoded: "#" and "?" would cut the path short, ";" starts a path parameter for some
    # servers, "%" must not be decoded twice, and a space would make habanero look up two DOIs.
    return quote(doi, safe="/:()")


class _PooledHttpx:
    """What habanero's requests see as `httpx2`: the module itself, but with `get` going through one pooled client.

    habanero 2.9.2 calls the module-level httpx2.get, which builds a client, and so an SSL context, for each request:
    about 40 ms of CPU every time, and a new connection to Crossref. One client per process reuses both.
    """

    def __init__(self) -> None:
        self._client = httpx2.Client()

    def get(self, url: str, **options: Any) -> httpx2.Response:
        """Send a GET through the pooled client (habanero passes params, headers and timeout)."""
        return self._client.get(url, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx2, name)


_pooling = threading.Lock()


def _pool_habanero_requests() -> None:
    """Give habanero the pooled client, once per process (see _PooledHttpx)."""
    with _pooling:
        if not isinstance(habanero_request.httpx2, _PooledHttpx):
            habanero_request.httpx2 = _PooledHttpx()


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    status: int | None = None
    retry: bool = False
    retry_after: float | None = None


def _retry_after(headers: Any) -> float | None:
    """Read Retry-After as seconds or as an HTTP date."""
    value = (headers or {}).get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _from_status(status: int, headers: Any = None) -> _Failure:
    if status == 403:
        return _Failure("Crossref refused the request (403)", status)
    if status == 429:
        return _Failure("Crossref said too many requests (429)", status, True, _retry_after(headers))
    if status >= 500 or status == 408:
        return _Failure(f"Crossref answered with an error ({status})", status, True, _retry_after(headers))
    return _Failure(f"Crossref answered {status}", status)


def _failure(error: Exception) -> _Failure:
    """Say what went wrong in a habanero call and whether trying again may help."""
    if isinstance(error, httpx2.HTTPStatusError):
        return _from_status(error.response.status_code, error.response.headers)
    if isinstance(error, RequestError):
        try:
            return _from_status(int(error.status_code))
        except (TypeError, ValueError):
            return _Failure(f"Crossref answered with an error: {error}")
    if isinstance(error, RuntimeError):  # habanero wraps transport errors on list routes
        error = error.__cause__ if isinstance(error.__cause__, httpx2.HTTPError) else error
    if isinstance(error, httpx2.TimeoutException):
        return _Failure("Crossref did not answer in time", retry=True)
    if isinstance(error, httpx2.HTTPError | RuntimeError):
        return _Failure(f"could not reach Crossref ({type(error).__name__})", retry=True)
    return _Failure(f"Crossref's answer was not understood ({type(error).__name__}: {error})")


def _is_not_found(error: Exception) -> bool:
    """Tell a 404 that means "no such DOI" from a 404 of a wrong base URL or a proxy (which must not be cached)."""
    if not isinstance(error, httpx2.HTTPStatusError) or error.response.status_code != 404:
        return False
    return "resource not found" in error.response.text[:200].lower()


class CrossrefSource:
    """A MetadataSource on Crossref's REST API, shared limits, retries with backoff; 403 blocks the batch.

    `retries` is how many times a request is tried again after a 429, a 5xx, a timeout or a connection error (so at
    most retries + 1 attempts); the wait is what Retry-After asks (up to `max_retry_after`, beyond which the lookup
    fails at once), else exponential backoff with full jitter: rng() * min(max_delay, base_delay * 2**attempt).
    """

    def __init__(
        self,
        base_url: str,
        mailto: str,
        timeout: float,
        limiter: Limiter,
        retries: int,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        *,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        max_retry_after: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.retries = max(0, retries)
        self._sleep = sleep
        self._rng = rng
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._max_retry_after = max_retry_after
        self._crossref = Crossref(base_url=self.base_url, mailto=mailto or None, timeout=timeout)
        _pool_habanero_requests()
        if not mailto and not _missing_mailto_warned.is_set():
            _missing_mailto_warned.set()
            log.warning(
                "FORUMGRADER_CROSSREF_MAILTO is not set: Crossref serves requests without a contact address in its "
                "slower public pool. Set it to an address Crossref may write to about this service."
            )

    def work(self, doi: str) -> Work | None:
        """Return the record registered for a DOI, or None when Crossref has no such DOI (404)."""
        key = normalise_doi(doi)
        if not key:
            return None
        answer = self._call(LOOKUP, f"the record of {key}", lambda: self._crossref.works(ids=encode_doi(key)))
        if answer is None:
            return None
        return self._read(lambda: work_from_record(answer["message"]))

    def agency(self, doi: str) -> str | None:
        """Return the registration agency of a DOI ("crossref", "datacite", ...), or None when none has it."""
        key = normalise_doi(doi)
        if not key:
            return None
        labels = self._call(LOOKUP, f"the agency of {key}", lambda: self._crossref.registration_agency(encode_doi(key)))
        if labels is None:
            return None
        return self._read(lambda: str(labels[0]).strip().lower() or None)

    def search(self, reference: str, rows: int = 5) -> tuple[Work, ...]:
        """Return candidate records for a free-text reference, best first by Crossref's relevance score."""
        query = " ".join(reference.split())[:MAX_QUERY_CHARS]
        if not query:
            return ()
        answer = self._call(
            SEARCH, "a search", lambda: self._crossref.works(query_bibliographic=query, limit=max(1, rows))
        )
        if answer is None:
            raise LookupFailed("Crossref's search route answered 404: check FORUMGRADER_CROSSREF_URL")

        def read() -> tuple[Work, ...]:
            items = answer["message"]["items"]
            ranked = sorted(items, key=lambda item: -float(item.get("score") or 0.0))
            return tuple(work_from_record(item) for item in ranked[:rows])

        return self._read(read)

    def _read(self, parse: Callable[[], _T]) -> _T:
        try:
            return parse()
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            raise LookupFailed(f"Crossref's answer was not understood ({type(error).__name__}: {error})") from error

    def _call(self, request_class: str, what: str, action: Callable[[], Any]) -> Any:
        """Run one habanero call within the limits; None on a 404; retry what may pass on a second try."""
        for attempt in range(self.retries + 1):
            error: Exception | None = None
            with self.limiter.request(request_class):
                try:
                    return action()
                except _ANSWER_ERRORS as caught:
                    error = caught
            assert error is not None
            if _is_not_found(error):
                return None
            failure = _failure(error)
            if failure.status == 403:
                raise LookupBlocked(f"{failure.reason} while fetching {what}: stopping") from error
            if not failure.retry or attempt == self.retries:
                tries = f" after {attempt + 1} tries" if attempt else ""
                raise LookupFailed(f"{failure.reason} while fetching {what}{tries}") from error
            delay = self._delay(attempt, failure)
            if delay is None:
                raise LookupFailed(f"{failure.reason}; it asked us to wait {failure.retry_after:.0f} s") from error
            if failure.status == 429:
                self.limiter.hold(delay)  # every thread of the process slows down, not only this one
            log.info("%s while fetching %s; trying again in %.2f s", failure.reason, what, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _delay(self, attempt: int, failure: _Failure) -> float | None:
        """Wait as long as Crossref asked, else exponential backoff with full jitter; None: too long to wait."""
        if failure.retry_after is not None:
            return failure.retry_after if failure.retry_after <= self._max_retry_after else None
        return self._rng() * min(self._max_delay, self._base_delay * 2.0**attempt)
