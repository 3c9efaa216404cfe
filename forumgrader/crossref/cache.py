"""Ask Crossref once: answers kept for a while (records, confirmed 404s, agencies, searches), failures never kept.

`CachedSource` sits in front of any MetadataSource. Within one batch it asks for each DOI or query once; across
batches, jobs, processes and machines, its `InFlight` makes sure that a key being fetched is not fetched again at the
same moment: the others wait for the answer and read it from the cache (forumgrader.crossref.inflight).
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from forumgrader.citations.doi import normalise_doi
from forumgrader.crossref.inflight import InFlight, LocalInFlight, wait_for
from forumgrader.crossref.model import MetadataSource, Work
from forumgrader.crossref.records import work_from_record

WORK = "work"  # key: normalised DOI; payload: the record, or None with found=False for a 404
AGENCY = "agency"  # key: normalised DOI; payload: the agency id, or None with found=False
SEARCH = "search"  # key: query_key(text); payload: {"rows": n, "items": [records, best first]}

Answer = tuple[bool, Any]  # (found, payload)


class AnswerCache(Protocol):
    """Where answers are kept between runs (the database in the app, a dict in tests)."""

    def get(self, kind: str, key: str, *, fresh_since: datetime) -> Answer | None:
        """Return (found, payload) stored for the key since the given time, or None."""
        ...

    def put(self, kind: str, key: str, query: str, found: bool, payload: Any, *, fetched_at: datetime) -> None:
        """Store an answer, replacing any older one for the same key."""
        ...


def _is_edge_noise(char: str) -> bool:
    return unicodedata.category(char)[0] in "PZ"


def normalise_query(text: str) -> str:
    """Return text as compared for caching: NFKC, lower case, whitespace collapsed, end punctuation trimmed."""
    collapsed = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    start, end = 0, len(collapsed)
    while start < end and _is_edge_noise(collapsed[start]):
        start += 1
    while end > start and _is_edge_noise(collapsed[end - 1]):
        end -= 1
    return collapsed[start:end]


def query_key(text: str) -> str:
    """Return the sha256 hex digest of the normalised text."""
    return hashlib.sha256(normalise_query(text).encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CachedSource:
    """A MetadataSource answering from the cache when it can, asking the inner source once per key otherwise."""

    def __init__(
        self,
        inner: MetadataSource,
        cache: AnswerCache | None,
        ttl_days: int,
        now: Callable[[], datetime] = _utcnow,
        inflight: InFlight | None = None,
    ) -> None:
        self.inner = inner
        self.inflight = inflight if inflight is not None else LocalInFlight()
        self.cache = cache
        self.ttl = timedelta(days=ttl_days)
        self._now = now
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], Future[Answer]] = {}

    @property
    def proves_absence(self) -> bool:
        """Tell whether "no record" from this source means the record does not exist (see batch.py)."""
        return bool(getattr(self.inner, "proves_absence", True))

    def work(self, doi: str) -> Work | None:
        """Return the record registered for a DOI, or None when it has none (404, remembered too)."""
        key = normalise_doi(doi)
        if not key:
            return None

        def fetch() -> Answer:
            found = self.inner.work(key)
            return (True, found.raw) if found is not None else (False, None)

        found, record = self._answer(WORK, key, key, fetch)
        return work_from_record(record) if found else None

    def agency(self, doi: str) -> str | None:
        """Return the registration agency of a DOI, or None when none has it."""
        key = normalise_doi(doi)
        if not key:
            return None

        def fetch() -> Answer:
            agency = self.inner.agency(key)
            return (agency is not None, agency)

        found, agency = self._answer(AGENCY, key, key, fetch)
        return str(agency) if found else None

    def search(self, reference: str, rows: int = 5) -> tuple[Work, ...]:
        """Return candidate records for a free-text reference, best first."""
        if not normalise_query(reference):
            return ()
        key = query_key(reference)

        def fetch() -> Answer:
            return True, {"rows": rows, "items": [work.raw for work in self.inner.search(reference, rows)]}

        def enough(answer: Answer) -> bool:
            payload = answer[1]
            return bool(payload["rows"] >= rows or len(payload["items"]) < payload["rows"])

        _found, payload = self._answer(SEARCH, key, reference, fetch, usable=enough, memo=f"{key}#{rows}")
        return tuple(work_from_record(record) for record in payload["items"][:rows])

    def _answer(
        self,
        kind: str,
        key: str,
        query: str,
        fetch: Callable[[], Answer],
        *,
        usable: Callable[[Answer], bool] = lambda _answer: True,
        memo: str | None = None,
    ) -> Answer:
        """Return the answer for a key: remembered in this batch, cached and fresh, or fetched once."""
        slot = (kind, memo or key)
        with self._lock:
            pending = self._answers.get(slot)
            if pending is None:
                mine: Future[Answer] = Future()
                self._answers[slot] = mine
        if pending is not None:
            return wait_for(pending)

        def settled() -> Answer | None:
            answer = self._cached(kind, key)
            return answer if answer is not None and usable(answer) else None

        def fetched() -> Answer:
            answer = fetch()
            if self.cache is not None:
                self.cache.put(kind, key, query, answer[0], answer[1], fetched_at=self._now())
            return answer

        try:  # the InFlight reads the cache first (settled): a cached answer is not fetched
            answer = self.inflight.once(f"{kind}:{memo or key}", fetched, settled)
        except BaseException as error:
            with self._lock:
                del self._answers[slot]  # a failure is not remembered: the next ask tries again
            mine.set_exception(error)
            raise
        mine.set_result(answer)
        return answer

    def _cached(self, kind: str, key: str) -> Answer | None:
        if self.cache is None:
            return None
        return self.cache.get(kind, key, fresh_since=self._now() - self.ttl)


class MemoryCache:
    """An AnswerCache in a dict, for tests and one-off scripts."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], tuple[bool, Any, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, kind: str, key: str, *, fresh_since: datetime) -> Answer | None:
        """Return (found, payload) stored for the key since the given time, or None."""
        with self._lock:
            stored = self.answers.get((kind, key))
        if stored is None or stored[2] < fresh_since:
            return None
        return stored[0], stored[1]

    def put(self, kind: str, key: str, query: str, found: bool, payload: Any, *, fetched_at: datetime) -> None:
        """Store an answer, replacing any older one for the same key."""
        with self._lock:
            self.answers[(kind, key)] = (found, payload, fetched_at)
