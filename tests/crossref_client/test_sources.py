"""The configuration names the source: Crossref (cached, shared limiter), the snapshot, or offline."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from forumgrader.crossref.cache import CachedSource
from forumgrader.crossref.client import CrossrefSource
from forumgrader.crossref.limits import Limits, shared_limiter
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.model import LookupFailed
from forumgrader.crossref.snapshot import SnapshotSource
from forumgrader.crossref.sources import source_from_config
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.db import Database
from forumgrader.store.snapshot import DatabaseSnapshot, load_snapshot

from .conftest import HAMLIN


def test_offline_answers_nothing() -> None:
    source = source_from_config({"METADATA_SOURCE": "offline"}, cache=None)
    for ask in (lambda: source.work(HAMLIN), lambda: source.agency(HAMLIN), lambda: source.search("sleep")):
        with pytest.raises(LookupFailed, match="offline"):
            ask()


def test_unknown_source_is_named() -> None:
    with pytest.raises(ValueError, match="METADATA_SOURCE='crossrefs'"):
        source_from_config({"METADATA_SOURCE": "crossrefs"}, cache=None)


def test_crossref_source_from_the_app_config(app: Flask, crossref: LocalCrossref, database: Database) -> None:
    config: dict[str, Any] = {
        **app.config,
        "METADATA_SOURCE": "crossref",
        "CROSSREF_URL": crossref.url,
        "CROSSREF_LOOKUPS_PER_SECOND": 40.0,
    }
    source = metadata_source(config, database)
    assert isinstance(source, CachedSource) and isinstance(source.inner, CrossrefSource)
    assert source.inner.limiter is shared_limiter(crossref.url, Limits(40.0, 3.0, 3))
    assert source.work(HAMLIN) is not None
    assert metadata_source(config, database).work(HAMLIN) is not None  # a new batch, answered by the database
    assert crossref.stats()["total"] == 1


def test_snapshot_source_takes_completeness_from_config_or_the_load(app: Flask, database: Database) -> None:
    with database.session() as session:
        load_snapshot(session, [{"DOI": HAMLIN, "title": ["Sleep apnea"]}], complete=False)
    partial = metadata_source({**app.config, "METADATA_SOURCE": "snapshot"}, database)
    assert isinstance(partial, SnapshotSource) and not partial.complete
    configured = metadata_source({**app.config, "METADATA_SOURCE": "snapshot", "SNAPSHOT_COMPLETE": True}, database)
    assert configured.work("10.9999/none") is None
    with database.session() as session:
        load_snapshot(session, [], source="everything", complete=True)
    declared = source_from_config(
        {"METADATA_SOURCE": "snapshot"}, cache=None, snapshot_database=DatabaseSnapshot(database)
    )
    assert declared.work("10.9999/none") is None
