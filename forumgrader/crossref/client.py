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

from forumgrader.citations.doi import normalise_doi
from forumgrader.crossref import deadline
from forumgrader.crossref.limits import LOOKUP, SEARCH, Limiter
from forumgrader.crossref.model import LookupBlocked, LookupFailed, Work
from forumgrader.crossref.records import work_from_record

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Longer than any real reference: a longer string is most likely post text that a splitter failed to cut, and post
# text must not leave the machine.
MAX_QUERY_CHARS = 1000
# How long an answer that showed the server to be Crossref vouches for its "no such DOI" and empty searches: a 404
# from a server that has not shown it (a wrong base path, a proxy) says nothing about Crossref and is never kept.
PROOF_SECONDS = 60.0
_ANSWER_ERRORS = (httpx2.HTTPError, RequestError, RuntimeError, KeyError, IndexError, TypeError, ValueError)
_missing_mailto_warned = threading.Event()


def encode_doi(doi: str) -> str:
    """Percent-encode a DOI for a URL path: habanero sends it as given and splits strings on whitespace."""
    # "/" separates prefix and suffix and Crossref expects it literal; ":" and "()" are plain path characters.
    # Everything else is encoded: "#" and "?" would cut the path short, ";" starts a path parameter for some
    # servers, "%" must not be decoded twice, and a space would make habanero look up two DOIs.
    return quote(doi, safe="/:()")


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


def _status_error(error: BaseException | None) -> httpx2.HTTPStatusError | None:
    """Find the HTTP status behind an error: habanero raises its own errors (or trips on a JSON error body it cannot
    read, a KeyError) while handling httpx2's, which stays their cause or context."""
    while error is not None and not isinstance(error, httpx2.HTTPStatusError):
        error = error.__cause__ or error.__context__
    return error


def _failure(error: Exception) -> _Failure:
    """Say what went wrong in a habanero call and whether trying again may help."""
    status_error = _status_error(error)
    if status_error is not None:
        return _from_status(status_error.response.status_code, status_error.response.headers)
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
        log.info("could not reach Crossref: %r", error)
        return _Failure("could not reach Crossref", retry=True)
    return _Failure(f"Crossref's answer was not understood ({error})")


def _is_not_found(error: Exception) -> bool:
    """Tell a 404 worded as Crossref words "no such DOI" (whether the server is Crossref is `_vouch`'s question)."""
    if not isinstance(error, httpx2.HTTPStatusError) or error.response.status_code != 404:
        return False
    return "resource not found" in error.response.text[:200].lower()


def _crossref_shaped(answer: Any, message_type: str) -> bool:
    """Tell whether an answer is a Crossref API envelope of a given message type ("work", "work-list")."""
    return isinstance(answer, dict) and answer.get("status") == "ok" and answer.get("message-type") == message_type


class CrossrefSource:
    """A MetadataSource on Crossref's REST API, shared limits, retries with backoff; 403 blocks the batch.

    `retries` is how many times a request is tried again after a 429, a 5xx, a timeout or a connection error (so at
    most retries + 1 attempts); the wait is what Retry-After asks (up to `max_retry_after`, beyond which the lookup
    fails at once), else exponential backoff with full jitter: rng() * min(max_delay, base_delay * 2**attempt).

    `timeout` is each request's total time, however slowly the server sends (forumgrader.crossref.deadline); a
    deadline set around the calls (`deadline.within`, a self-check's budget) also ends retries and their waits.
    "No such DOI" and empty searches are believed only from a server that has shown itself to be Crossref within
    PROOF_SECONDS (an answer in Crossref's envelope, or a count of its works above zero); from any other server they
    are failures, so that a wrong base URL or a proxy answering 404 to everything leaves references `unchecked`.
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
        self.timeout = timeout
        self.limiter = limiter
        self.retries = max(0, retries)
        self._sleep = sleep
        self._rng = rng
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._max_retry_after = max_retry_after
        self._shown_at: float | None = None  # when an answer last showed the server to be Crossref
        self._refuted_at: float | None = None  # when the server last failed to show it
        self._probe = threading.Lock()
        deadline.install()
        self._crossref = Crossref(base_url=self.base_url, mailto=mailto or None, timeout=timeout)
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
            self._vouch(f"the record of {key}")
            return None
        if _crossref_shaped(answer, "work"):
            self._shown()
        return self._read(lambda: work_from_record(answer["message"]))

    def agency(self, doi: str) -> str | None:
        """Return the registration agency of a DOI ("crossref", "datacite", ...), or None when none has it."""
        key = normalise_doi(doi)
        if not key:
            return None
        labels = self._call(LOOKUP, f"the agency of {key}", lambda: self._crossref.registration_agency(encode_doi(key)))
        if labels is None:
            self._vouch(f"the agency of {key}")
            return None
        agency = self._read(lambda: str(labels[0]).strip().lower() or None)
        if agency:
            self._shown()  # habanero read it from message.agency of a Crossref envelope
        return agency

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

        found = self._read(read)
        if not found:
            self._vouch("a search")
        elif _crossref_shaped(answer, "work-list"):
            self._shown()
        return found

    def _shown(self) -> None:
        self._shown_at = time.monotonic()

    def _lately(self, moment: float | None) -> bool:
        return moment is not None and time.monotonic() - moment < PROOF_SECONDS

    def _vouch(self, what: str) -> None:
        """Let "no such thing" stand only from a server that has lately shown itself to be Crossref; else fail.

        Without a recent answer in Crossref's envelope, ask for Crossref's count of works (`/works?rows=0`): Crossref
        answers a work-list of millions; a wrong path or a proxy answers 404 or something else. One thread asks for
        all; the outcome holds for PROOF_SECONDS.
        """
        if self._lately(self._shown_at):
            return
        with self._probe:
            if self._lately(self._shown_at):
                return
            if not self._lately(self._refuted_at):
                answer = self._call(SEARCH, "Crossref's count of works", lambda: self._crossref.works(limit=0))
                message = answer.get("message") if _crossref_shaped(answer, "work-list") else None
                total = message.get("total-results") if isinstance(message, dict) else None
                if isinstance(total, int) and not isinstance(total, bool) and total > 0:
                    self._shown()
                    return
                self._refuted_at = time.monotonic()
        raise LookupFailed(
            f"{self.base_url} found nothing for {what}, but it does not answer as Crossref does (GET /works?rows=0), "
            "so that was not believed: check FORUMGRADER_CROSSREF_URL"
        )

    def _read(self, parse: Callable[[], _T]) -> _T:
        try:
            return parse()
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            raise LookupFailed(f"Crossref's answer was not understood ({error})") from error

    def _call(self, request_class: str, what: str, action: Callable[[], Any]) -> Any:
        """Run one habanero call within the limits and the deadlines; None on a 404; retry what may pass next time."""
        for attempt in range(self.retries + 1):
            error: Exception | None = None
            with self.limiter.request(request_class):
                self._in_time(what)
                try:
                    with deadline.within(time.monotonic() + self.timeout):
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
            left = deadline.remaining()
            if left is not None and delay >= left:
                raise LookupFailed(f"{failure.reason} while fetching {what}; no time is left to try again") from error
            if failure.status == 429:
                self.limiter.hold(delay)  # every thread of the process slows down, not only this one
            log.info("%s while fetching %s; trying again in %.2f s", failure.reason, what, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _in_time(self, what: str) -> None:
        left = deadline.remaining()
        if left is not None and left <= 0:
            raise LookupFailed(f"no time was left to fetch {what}")

    def _delay(self, attempt: int, failure: _Failure) -> float | None:
        """Wait as long as Crossref asked, else exponential backoff with full jitter; None: too long to wait."""
        if failure.retry_after is not None:
            return failure.retry_after if failure.retry_after <= self._max_retry_after else None
        return self._rng() * min(self._max_delay, self._base_delay * 2.0**attempt)
