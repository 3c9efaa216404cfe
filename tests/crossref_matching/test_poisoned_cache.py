"""A run against a server that is not Crossref (a wrong base path, a proxy) must not leave "no such DOI" behind."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.crossref.apa import apa_reference
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.crossref.records import work_from_record
from forumgrader.discussions.formats import read_export
from forumgrader.store.checks import analyse_topic, verify_topic
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.imports import import_export
from forumgrader.store.models import CrossrefAnswer, ReferenceCheck

from .conftest import load_records

pytestmark = pytest.mark.local_crossref(retries=0)


def _draft(records: list[dict[str, Any]]) -> str:
    """A student's post citing real records, each reference written in APA with its DOI."""
    references = [apa_reference(work_from_record(record)) for record in records]
    return "I read several studies on this.\n\nReferences\n\n" + "\n\n".join(references) + "\n"


@pytest.fixture
def topic_id(app: Flask, session: Session) -> Iterator[int]:
    """A topic of one post citing six journal articles by DOI, all of which Crossref (the local server) holds."""
    articles = [r for r in load_records().values() if r.get("type") == "journal-article" and r.get("author")][:6]
    data = _draft(articles).encode()
    export = read_export(data, filename="draft.txt")
    summary = import_export(session, export, file_name="draft.txt", sha256=hashlib.sha256(data).hexdigest())
    analyse_topic(session, summary.topics[0][0])
    session.commit()
    with app.app_context():
        yield int(summary.topics[0][0])


def _verify(app: Flask, session: Session, topic_id: int, url: str) -> list[str | None]:
    source = metadata_source(app.config | {"CROSSREF_URL": url}, store.database(app))
    verify_topic(session, topic_id, source, workers=3, checkpoint=session.commit)
    session.commit()
    return list(session.scalars(select(ReferenceCheck.verdict).order_by(ReferenceCheck.id)))


def test_a_run_against_a_wrong_base_path_stores_no_negative_answer_and_poisons_no_later_run(
    app: Flask, session: Session, topic_id: int, crossref: LocalCrossref
) -> None:
    # The local server answers every unknown path with Crossref's own 404 ("Resource not found.", text/plain), as a
    # proxy in front of Crossref, or a base URL with a wrong path, does.
    wrong = _verify(app, session, topic_id, crossref.url + "/api")
    assert len(wrong) == 6 and set(wrong) == {"unchecked"}
    assert session.scalars(select(CrossrefAnswer).where(CrossrefAnswer.found.is_(False))).all() == []
    right = _verify(app, session, topic_id, crossref.url)
    assert right == ["verified"] * 6
