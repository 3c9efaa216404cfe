"""Fixtures for the Crossref plumbing: the real habanero client against the local server, references, a database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forumgrader.citations.model import Reference, ReferenceFields, SourceType
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.limits import Limiter, Limits, MemoryBudget
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.model import Check, MetadataSource, Verdict
from forumgrader.store.db import Database

HAMLIN = "10.1002/ajmg.b.31237"  # a journal article among the bundled records
HAMLIN_TEXT = (
    "Hamlin, A., Liu, Y., Nguyen, D. V., Tassone, F., Zhang, L., & Hagerman, R. J. (2011). Sleep apnea in fragile X "
    "premutation carriers with and without FXTAS. American Journal of Medical Genetics Part B, 156(8), 923-928."
)
# The query of the request that asks Crossref for its count of works (/works?rows=0), which vouches for a "no such DOI"
# answer when no other answer has shown the server to be Crossref lately (forumgrader.crossref.client._vouch).
PROOF_QUERY = "rows=0"
FAST = Limits(lookups_per_second=0, searches_per_second=0, concurrency=8)  # unpaced: tests that are not about pace


class Sleeps(list[float]):
    """A stand-in for time.sleep that records how long it was asked to wait, and waits not at all."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class NotedHolds(MemoryBudget):
    """A process's budget that notes the holds asked of it in `sleeps` rather than waiting them out: for tests of the
    adapter (which asks for holds), not of the waiting (tests/crossref_client/test_limits.py)."""

    def __init__(self, sleeps: Sleeps) -> None:
        super().__init__()
        self.sleeps = sleeps

    def hold(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def make_source(crossref: LocalCrossref, sleeps: Sleeps) -> Callable[..., CrossrefSource]:
    """Build a CrossrefSource on the local server; waits are recorded in `sleeps`, not slept."""

    def make(**options: Any) -> CrossrefSource:
        base_url = options.pop("base_url", crossref.url)
        limiter = options.pop("limiter", None) or Limiter(FAST, budget=NotedHolds(sleeps))
        settings: dict[str, Any] = {"mailto": "tests@example.org", "timeout": 2.0, "retries": 2, "sleep": sleeps}
        return CrossrefSource(base_url, limiter=limiter, **(settings | options))

    return make


def asked(crossref: LocalCrossref) -> list[str]:
    """Return the DOIs and queries requested for references, in order (the request vouching for 404s aside)."""
    return [target for _arrived, _class, target, _status in crossref.log() if target != PROOF_QUERY]


def reference(text: str, doi: str = "", index: int = 0) -> Reference:
    """Return a reference as the citation parser gives it (only the fields these tests need)."""
    return Reference(
        index=index,
        text=text,
        start=0,
        end=len(text),
        fields=ReferenceFields(doi=doi),
        type=SourceType.JOURNAL_ARTICLE,
        confidence=1.0,
        clean=text,
    )


class LookupVerify:
    """A small honest verify: look the DOI up (verified when found), else take the search's top hit; counts calls."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, cited: Reference, source: MetadataSource) -> Check:
        with self._lock:
            self.calls += 1
        if cited.fields.doi:
            work = source.work(cited.fields.doi)
            if work is None:
                return Check(Verdict.BROKEN_DOI, doi=cited.fields.doi)
            return Check(Verdict.VERIFIED, doi=cited.fields.doi, matched_doi=work.doi, record=work)
        found = source.search(cited.clean, rows=2)
        if not found:
            return Check(Verdict.NOT_FOUND)
        return Check(Verdict.VERIFIED, matched_doi=found[0].doi, record=found[0])


@pytest.fixture
def database(app: Flask) -> Database:
    """The test database (SQLite, or PostgreSQL when FORUMGRADER_TEST_DATABASE_URL is set)."""
    return app.extensions["forumgrader.db"]
