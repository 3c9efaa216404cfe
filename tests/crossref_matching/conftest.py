"""Fixtures for matching: real records, references as the parser reads them, and the real client on a local server."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forumgrader.citations import analyse
from forumgrader.citations.model import Reference
from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.crossref.model import MetadataSource, Work
from forumgrader.crossref.records import work_from_record
from forumgrader.crossref.sources import source_from_config
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions
from forumgrader.store.imports import import_export

RECORDS = Path(__file__).resolve().parents[2] / "forumgrader" / "samples" / "crossref"


def load_records() -> dict[str, dict[str, Any]]:
    """Return the shipped records keyed by lower-case DOI."""
    records = {}
    for name in ("works-sample.jsonl", "seed-works.jsonl"):
        with (RECORDS / name).open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    records[record["DOI"].lower()] = record
    return records


@pytest.fixture(scope="session")
def records() -> dict[str, dict[str, Any]]:
    """The shipped Crossref records by DOI (copy one before changing it)."""
    return load_records()


@pytest.fixture
def work(records: dict[str, dict[str, Any]]) -> Callable[[str], Work]:
    """Return the Work of a shipped record."""
    return lambda doi: work_from_record(records[doi.lower()])


def parse(entry: str) -> Reference:
    """Return one reference-list entry as the citation analysis parses it."""
    report = analyse(f"References\n\n{entry}\n")
    assert len(report.references) == 1, report.references
    return report.references[0]


def variant(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return a copy of a record with fields replaced (a near-duplicate Crossref could hold)."""
    copied = copy.deepcopy(record)
    copied.update(changes)
    return copied


def source_for(server: LocalCrossref) -> MetadataSource:
    """Return the configured Crossref source (habanero, no cache, unpaced) on a local server."""
    config = {
        "METADATA_SOURCE": "crossref",
        "CROSSREF_URL": server.url,
        "CROSSREF_MAILTO": "tests@example.org",
        "CROSSREF_LOOKUPS_PER_SECOND": 0,
        "CROSSREF_SEARCHES_PER_SECOND": 0,
        "CROSSREF_CONCURRENCY": 4,
        "CROSSREF_RETRIES": 1,
        "CROSSREF_TIMEOUT": 5.0,
    }
    return source_from_config(config, cache=None)


@pytest.fixture
def source(crossref: LocalCrossref) -> MetadataSource:
    """A fresh source (nothing remembered) on the shared local Crossref over the shipped records."""
    return source_for(crossref)


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalCrossref]]:
    """Start a local Crossref over chosen records (the shipped ones plus variants); stopped after the test."""
    started: list[LocalCrossref] = []

    def start(records: list[dict[str, Any]]) -> LocalCrossref:
        server = serve_in_thread(records)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def topic_id(session: Session, samples: Path) -> int:
    """The seed discussion imported from its Canvas export (4 students, 10 references, 9 of them distinct)."""
    view = samples / "canvas" / "psychotherapy-biological-basis.view.json"
    data = view.read_bytes()
    export = read_export(data, filename=view.name, options=ImportOptions())
    summary = import_export(session, export, file_name=view.name, sha256=hashlib.sha256(data).hexdigest())
    session.commit()
    return int(summary.topics[0][0])
