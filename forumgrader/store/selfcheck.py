"""Check a draft's citations now: read it as written, analyse it, verify each reference, answer the report JSON.

The one path behind `forumgrader check`, the self-check page and `POST /api/v1/self-check`, so that all three answer
the same report. Checking a draft stores nothing about it: the only writes are the Crossref answer cache's (the
reference strings sent as queries, the DOIs asked for and the records Crossref returned; never the draft, nor names).

On the web a check has a time budget (SELF_CHECK_SECONDS): when Crossref is slow, the references still being looked
up when it runs out are answered `unchecked` ("try again in a minute"), never a guess. Those lookups finish in the
background and land in the cache, so that the next try answers at once; no new lookup starts after the budget (the
batch's deadline, forumgrader.crossref.batch).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forumgrader.citations import analyse
from forumgrader.citations.model import CitationReport
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import LATE_MESSAGE, finish_background_lookups, verify_references
from forumgrader.crossref.matching import verify
from forumgrader.crossref.model import Check, MetadataSource
from forumgrader.crossref.report import report_with_checks
from forumgrader.discussions.documents import draft_text
from forumgrader.store.checks import verify_workers
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.db import Database

SLOW_MESSAGE = LATE_MESSAGE
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
    read: CheckedReport, source: MetadataSource, *, workers: int, budget: float | None = None
) -> CheckedReport:
    """Verify every reference of a report against the source; with a budget (seconds), answer within it."""
    deadline = None if budget is None else time.monotonic() + budget
    checks = verify_references(read.report.references, source, verify=verify, workers=workers, deadline=deadline)
    return CheckedReport(read.report, tuple(checks), read.text)


def check_draft(data: bytes, filename: str, *, config: Mapping[str, Any], database: Database) -> CheckedReport:
    """Check a pasted or uploaded draft as the self-check does: the configured source, within SELF_CHECK_SECONDS."""
    read = read_draft(data, filename, max_characters=int(config["SELF_CHECK_MAX_CHARACTERS"]))
    source = metadata_source(config, database)
    budget = float(config["SELF_CHECK_SECONDS"])
    return check_report(read, source, workers=verify_workers(config), budget=budget)
