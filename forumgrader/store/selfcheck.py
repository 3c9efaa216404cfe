"""Check a draft's citations now: read it as written, analyse it, verify each reference, answer the report JSON.

The one path behind `forumgrader check`, the self-check page and `POST /api/v1/self-check`, so that all three answer
the same report. Checking a draft stores nothing about it: the only writes are the Crossref answer cache's (the
reference strings sent as queries, the DOIs asked for and the records Crossref returned; never the draft, nor names).

On the web a check has a time budget (SELF_CHECK_SECONDS): when Crossref is slow, the references still being looked
up when it runs out are answered `unchecked` ("try again in a minute"), never a guess. Those lookups finish in the
background and land in the cache, so that the next try answers at once; no new lookup starts after the budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forumgrader.citations import analyse
from forumgrader.citations.model import CitationReport, Reference
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import ABSENCE_VERDICTS, reference_key, verify_references
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, LookupFailed, MetadataSource, Verdict
from forumgrader.crossref.report import report_with_checks
from forumgrader.discussions.documents import draft_text
from forumgrader.store.checks import verify_workers
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.db import Database

log = logging.getLogger(__name__)
SLOW_MESSAGE = "We could not check this one right now: Crossref is answering slowly. Try again in a minute."
_finishing: set[threading.Thread] = set()  # lookups still running after their request answered
_finishing_lock = threading.Lock()


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
    read: CheckedReport, source: MetadataSource, *, workers: int, budget: float | None = None
) -> CheckedReport:
    """Verify every reference of a report against the source; with a budget (seconds), answer within it."""
    references = read.report.references
    if budget is None:
        checks = verify_references(references, source, verify=verify, workers=workers)
    else:
        checks = _verify_within(references, source, workers=workers, budget=budget)
    return CheckedReport(read.report, tuple(checks), read.text)


def check_draft(data: bytes, filename: str, *, config: Mapping[str, Any], database: Database) -> CheckedReport:
    """Check a pasted or uploaded draft as the self-check does: the configured source, within SELF_CHECK_SECONDS."""
    read = read_draft(data, filename, max_characters=int(config["SELF_CHECK_MAX_CHARACTERS"]))
    source = metadata_source(config, database)
    budget = float(config["SELF_CHECK_SECONDS"])
    return check_report(read, source, workers=verify_workers(config), budget=budget)


def _verify_within(
    references: Sequence[Reference], source: MetadataSource, *, workers: int, budget: float
) -> list[Check]:
    deadline = time.monotonic() + budget
    finished: dict[str, Check] = {}
    answered: list[list[Check]] = []

    def within_budget(reference: Reference, source: MetadataSource) -> Check:
        if time.monotonic() > deadline:
            raise LookupFailed("the time for this check ran out before this reference was looked up")
        check = verify(reference, source)
        finished[reference_key(reference)] = check
        return check

    def run() -> None:
        try:
            answered.append(verify_references(references, source, verify=within_budget, workers=workers))
        except Exception:  # the request has its answer already; a failure here only loses cache entries
            log.exception("a self-check's lookups failed after its answer")
        finally:
            with _finishing_lock:
                _finishing.discard(threading.current_thread())

    batch = threading.Thread(target=run, name="self-check", daemon=True)
    with _finishing_lock:
        _finishing.add(batch)
    batch.start()
    batch.join(max(0.0, deadline - time.monotonic()))
    if answered:
        return answered[0]
    return [_so_far(reference, finished.get(reference_key(reference)), source) for reference in references]


def _so_far(reference: Reference, check: Check | None, source: MetadataSource) -> Check:
    """The verdict a reference got before the budget ran out, or `unchecked` if it was still being looked up."""
    # as verify_references does: a source that cannot prove absence does not turn a miss into a verdict
    if check is None or (check.verdict in ABSENCE_VERDICTS and not getattr(source, "proves_absence", True)):
        return Check(Verdict.UNCHECKED, doi=reference.fields.doi, message=SLOW_MESSAGE)
    return check


def finish_background_lookups(timeout: float = 30.0) -> bool:
    """Wait for the lookups that outlived their self-check (tests, shutdown); tell whether they all finished."""
    end = time.monotonic() + timeout
    while True:
        with _finishing_lock:
            running = list(_finishing)
        if not running:
            return True
        for thread in running:
            thread.join(max(0.0, end - time.monotonic()))
        if time.monotonic() >= end:
            with _finishing_lock:
                return not _finishing
