"""The local snapshot: loaded from record files, reloaded in place, searched, and honest about what it lacks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.crossref.batch import verify_references
from forumgrader.crossref.model import Check, LookupFailed, MetadataSource, Verdict
from forumgrader.crossref.snapshot import SnapshotFormatError, SnapshotSource, bundled_files, read_files, read_records
from forumgrader.store.db import Database
from forumgrader.store.models import SnapshotToken, SnapshotWork
from forumgrader.store.snapshot import DatabaseSnapshot, load_snapshot, snapshot_size

from .conftest import HAMLIN, HAMLIN_TEXT, reference


@pytest.fixture
def loaded(session: Session) -> Session:
    load_snapshot(session, read_files(bundled_files()), source="bundled")
    session.commit()
    return session


def test_load_counts_and_reload_replaces(session: Session) -> None:
    first = load_snapshot(session, read_files(bundled_files()))
    session.commit()
    assert (first.added, first.replaced, first.skipped) == (511, 0, 0)
    words = session.scalar(select(func.count()).select_from(SnapshotToken))
    again = load_snapshot(session, read_files(bundled_files()))
    session.commit()
    assert (again.added, again.replaced) == (0, 511)
    assert session.scalar(select(func.count()).select_from(SnapshotWork)) == 511
    assert session.scalar(select(func.count()).select_from(SnapshotToken)) == words


def test_a_reloaded_record_replaces_the_old_one(session: Session) -> None:
    load_snapshot(session, [{"DOI": "10.1000/X", "title": ["Old title"]}])
    load_snapshot(session, [{"DOI": "10.1000/x", "title": ["New title"]}])
    session.commit()
    assert session.scalars(select(SnapshotWork.title)).all() == ["New title"]
    assert set(session.scalars(select(SnapshotToken.token))) == {"new", "title"}


def test_api_answers_and_lists_are_read_too() -> None:
    lines = [
        json.dumps({"status": "ok", "message-type": "work", "message": {"DOI": "10.1000/a"}}),
        "",
        json.dumps({"items": [{"DOI": "10.1000/b"}, {"DOI": "10.1000/c"}]}),
        json.dumps({"DOI": "10.1000/d"}).encode(),
    ]
    assert [record["DOI"] for record in read_records(lines)] == ["10.1000/a", "10.1000/b", "10.1000/c", "10.1000/d"]
    with pytest.raises(SnapshotFormatError, match="line 2 is not JSON"):
        list(read_records(['{"DOI": "10.1000/a"}', "{oops"]))


def test_search_finds_the_cited_work(loaded: Session, database: Database) -> None:
    source = SnapshotSource(DatabaseSnapshot(database), complete=False)
    found = source.search(HAMLIN_TEXT, rows=3)
    assert found[0].doi == HAMLIN
    assert source.search("Müller über Ökologie") is not None  # folded words, no error on diacritics
    marked = source.search("The role of AI in ecology's computational carbon footprint", rows=1)
    assert marked[0].title == "The role of AI in ecology’s computational carbon footprint"


def test_a_miss_in_a_partial_snapshot_is_a_failed_lookup(loaded: Session, database: Database) -> None:
    source = SnapshotSource(DatabaseSnapshot(database), complete=False)
    assert source.work(HAMLIN) is not None
    assert source.agency(HAMLIN) == "crossref"
    with pytest.raises(LookupFailed, match="not in the local snapshot"):
        source.work("10.9999/none")
    with pytest.raises(LookupFailed):
        source.agency("10.9999/none")


def test_a_miss_in_a_complete_snapshot_is_no_record(loaded: Session, database: Database) -> None:
    source = SnapshotSource(DatabaseSnapshot(database), complete=True)
    assert source.work("10.9999/none") is None
    assert source.agency("10.9999/none") is None


def test_not_found_from_a_partial_snapshot_stays_unchecked(loaded: Session, database: Database) -> None:
    def verify(cited: object, source: MetadataSource) -> Check:
        return Check(Verdict.NOT_FOUND)  # whatever matching concludes from a snapshot's silence

    partial = SnapshotSource(DatabaseSnapshot(database), complete=False)
    complete = SnapshotSource(DatabaseSnapshot(database), complete=True)
    references = [reference("Someone (2020). A work the snapshot lacks.")]
    assert verify_references(references, partial, verify=verify, workers=1)[0].verdict == Verdict.UNCHECKED
    assert verify_references(references, complete, verify=verify, workers=1)[0].verdict == Verdict.NOT_FOUND


def test_cli_loads_gzip_and_records_completeness(app: Flask, tmp_path: Path, database: Database) -> None:
    packed = tmp_path / "subset.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as out:
        out.writelines(path.read_text(encoding="utf-8") for path in bundled_files())
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["crossref", "load", str(packed), "--complete"])
    assert result.exit_code == 0, result.output
    assert "Loaded 511 records (511 new, 0 replaced)" in result.output
    assert DatabaseSnapshot(database).declared_complete()
    with database.sessions() as session:
        assert snapshot_size(session).records == 511
    stats = runner.invoke(cli, ["crossref", "stats"])
    assert "Snapshot: 511 records" in stats.output and "complete" in stats.output
    partial = runner.invoke(cli, ["crossref", "load", str(bundled_files()[0])])
    assert "partial" in partial.output
    assert not DatabaseSnapshot(database).declared_complete()  # the newest load decides


def test_cli_names_the_bad_line(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"DOI": "10.1000/a"}\nnot json\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["crossref", "load", str(broken)])
    assert result.exit_code == 1
    assert "broken.jsonl: line 2 is not JSON" in result.output
    assert "Traceback" not in result.output
