"""Check a draft's citations now: read it as written, analyse it, verify each reference, answer the report JSON.

The one path behind `forumgrader check`, the self-check page and `POST /api/v1/self-check`, so that all three answer
the same report. Checking a draft stores nothing about it: the only writes are the Crossref answer cache's (the
reference strings sent as queries, the DOIs asked for and the records Crossref returned; never the draft, nor names).

On the web a check has a time budget (SELF_CHECK_SECONDS): when Crossref is slow, the references still being looked
up when it runs out are answered `unchecked` ("try again in a minute"), never a guess. Those lookups finish in the
background and land in the cache, so that the next try answers at once; no new lookup starts after the budget (the
batch's deadline, forumgrader.crossref.batch), and none runs past the budget plus CROSSREF_TIMEOUT.

The self-checks of a process share bounded pools, so that many at once cannot starve the web server: their lookups
run on one set of threads (twice CROSSREF_CONCURRENCY), and at most SELF_CHECK_AT_ONCE of them wait for Crossref at
a time, each holding one of the server's threads. A check that finds every place taken answers at once from the
cache alone; the references the cache does not hold are `unchecked` ("try again in a minute").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from forumgrader.citations import analyse
from forumgrader.citations.model import CitationReport
from forumgrader.citations.report import report_to_json
from forumgrader.crossref import deadline
from forumgrader.crossref.batch import LATE_MESSAGE, finish_background_lookups, verify_references
from forumgrader.crossref.cache import CachedSource
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, LookupFailed, MetadataSource, Work
from forumgrader.crossref.report import report_with_checks
from forumgrader.discussions.documents import draft_text
from forumgrader.store.checks import verify_workers
from forumgrader.store.crossref_cache import DatabaseCache, metadata_source
from forumgrader.store.db import Database

SLOW_MESSAGE = LATE_MESSAGE
BUSY = "many drafts are being checked at this moment: try again in a minute"
__all__ = [
    "SLOW_MESSAGE",
    "CheckedReport",
    "DraftTooLong",
    "check_draft",
    "check_report",
    "finish_background_lookups",
    "read_draft",
]


class DraftTooLong(ValueError):
    """A draft longer than the self-check reads; the message says how long it may be."""


@dataclass(frozen=True, slots=True)
class CheckedReport:
    """A citation report, each reference's verdict unless it was read offline, and the text it was read from."""

    report: CitationReport
    checks: tuple[Check, ...] | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the report as `forumgrader check --json` prints it (the analysis alone when not verified)."""
        if self.checks is None:
            return report_to_json(self.report)
        return report_with_checks(self.report, self.checks)


def read_draft(data: bytes, filename: str, *, max_characters: int | None = None) -> CheckedReport:
    """Analyse a draft (.txt, .md, .html, .docx, or pasted text with no file name) as the student wrote it."""
    text = draft_text(data, filename)
    if max_characters is not None and len(text) > max_characters:
        raise DraftTooLong(
            f"This draft is {len(text):,} characters long; we check up to {max_characters:,} at once. "
            "Check it in parts, each with its own references."
        )
    return CheckedReport(analyse(text), text=text)


def check_report(
    read: CheckedReport,
    source: MetadataSource,
    *,
    workers: int,
    budget: float | None = None,
    pool: ThreadPoolExecutor | None = None,
) -> CheckedReport:
    """Verify every reference of a report against the source; with a budget (seconds), answer within it.

    `pool`: run the lookups on these shared threads rather than `workers` threads of this check's own.
    """
    answer_by = None if budget is None else time.monotonic() + budget
    checks = verify_references(
        read.report.references, source, verify=verify, workers=workers, deadline=answer_by, executor=pool
    )
    return CheckedReport(read.report, tuple(checks), read.text)


def check_draft(data: bytes, filename: str, *, config: Mapping[str, Any], database: Database) -> CheckedReport:
    """Check a pasted or uploaded draft as the self-check does, within SELF_CHECK_SECONDS, in the shared pools."""
    read = read_draft(data, filename, max_characters=int(config["SELF_CHECK_MAX_CHARACTERS"]))
    pools = _shared_pools(verify_workers(config), int(config["SELF_CHECK_AT_ONCE"]))
    with pools.place() as placed:
        if not placed:
            cache_only = CachedSource(_Busy(), DatabaseCache(database), int(config["CROSSREF_CACHE_DAYS"]))
            return check_report(read, cache_only, workers=1)
        budget = float(config["SELF_CHECK_SECONDS"])
        with deadline.within(time.monotonic() + budget + float(config["CROSSREF_TIMEOUT"])):
            return check_report(read, metadata_source(config, database), workers=1, budget=budget, pool=pools.lookups)


class _Busy:
    """The source behind the cache when every self-check place is taken: what the cache lacks stays unchecked."""

    def work(self, doi: str) -> Work | None:
        """Fail: no lookup now."""
        raise LookupFailed(BUSY)

    def agency(self, doi: str) -> str | None:
        """Fail: no lookup now."""
        raise LookupFailed(BUSY)

    def search(self, reference: str, rows: int = 5) -> tuple[Work, ...]:
        """Fail: no lookup now."""
        raise LookupFailed(BUSY)


@dataclass(frozen=True, slots=True)
class _Pools:
    """The threads this process's self-checks look references up on, and the places for checks waiting on them."""

    lookups: ThreadPoolExecutor
    places: threading.BoundedSemaphore

    @contextmanager
    def place(self) -> Iterator[bool]:
        """Take a place if one is free now (True), or tell that none is (False); never wait for one."""
        placed = self.places.acquire(blocking=False)
        try:
            yield placed
        finally:
            if placed:
                self.places.release()


_pools: dict[tuple[int, int], _Pools] = {}
_pools_lock = threading.Lock()


def _shared_pools(workers: int, at_once: int) -> _Pools:
    """Return the process's self-check pools of these sizes, made on first use."""
    with _pools_lock:
        if (workers, at_once) not in _pools:
            lookups = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="self-check")
            _pools[(workers, at_once)] = _Pools(lookups, threading.BoundedSemaphore(max(1, at_once)))
        return _pools[(workers, at_once)]
