"""Stored checks: posts analysed once per text, verdicts kept per reference, runs that stop and continue, the job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader import store
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.store import checks as checks_service
from forumgrader.store import pipeline
from forumgrader.store.checks import analyse_post, analyse_topic, verify_topic
from forumgrader.store.crossref_cache import cache_size, metadata_source
from forumgrader.store.models import Grade, Job, Post, PostAnalysis, ReferenceCheck, Topic
from forumgrader.store.reports import verdict_json

pytestmark = pytest.mark.local_crossref(retries=1)


@pytest.fixture
def context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def rows(session: Session) -> dict[str, ReferenceCheck]:
    found = session.scalars(select(ReferenceCheck).order_by(ReferenceCheck.post_id, ReferenceCheck.position))
    return {row.text.split(",")[0].split(" ")[0]: row for row in found}


def source(app: Flask) -> Any:
    return metadata_source(app.config, store.database(app))


def test_analysing_a_topic_stores_each_post_report_and_its_references(session: Session, topic_id: int) -> None:
    assert analyse_topic(session, topic_id) == 5
    stored = rows(session)
    assert {"Smid", "Malhotra", "Marwood", "Leppänen", "Avasthi"} <= set(stored)
    assert all(row.verdict is None and row.checked_at is None for row in stored.values())
    analysis = session.scalars(select(PostAnalysis)).first()
    assert analysis is not None and set(analysis.report) >= {"references", "citations", "findings"}
    assert analyse_topic(session, topic_id) == 0  # nothing changed: nothing read again


def test_verifying_a_topic_stores_verdicts_and_a_second_run_asks_nothing(
    app: Flask, context: None, session: Session, topic_id: int, crossref: LocalCrossref
) -> None:
    analyse_topic(session, topic_id)
    session.commit()
    summary = verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit)
    session.commit()
    stored = rows(session)
    assert (stored["Smid"].verdict, stored["Smid"].matched_doi) == ("verified", "10.1176/appi.ps.201700422")
    assert stored["Malhotra"].verdict == "mismatch"
    assert stored["Malhotra"].differences == [
        {"field": "authors", "cited": "Sahoo, A.", "record": "Sahoo, Swapnajeet", "severity": "warning"}
    ]
    assert stored["Avasthi"].verdict == "broken_doi" and stored["Avasthi"].checked_at is not None
    assert stored["Smid"].record and stored["Smid"].record["journal"] == "Psychiatric Services"
    assert stored["Smid"].suggestion.startswith("Smid, G. E., Groen, S., de la Rie, S. M.")
    assert (summary.references, summary.unique) == (10, 9)  # Jokinen & Hartshorne is listed in two posts
    crossref.reset()
    assert verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit).references == 0
    assert crossref.stats()["total"] == 0


def test_an_edited_post_keeps_the_verdicts_of_references_it_did_not_change(
    app: Flask, context: None, session: Session, topic_id: int
) -> None:
    analyse_topic(session, topic_id)
    session.commit()
    verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit)
    post = next(p for p in session.scalars(select(Post)) if "Marwood, L." in p.body_text)
    post.body_text = post.body_text.replace(
        "Neuroscience and Biobehavioral Reviews, 95, 61–", "Neuroscience and Biobehavioral Reviews, 95, 61–72."
    )
    analyse_post(session, post)
    session.commit()
    stored = rows(session)
    assert stored["Marwood"].verdict is None  # its text changed: checked again next time
    assert stored["Leppänen"].verdict == "verified"  # unchanged: its verdict stays
    verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit)
    assert rows(session)["Marwood"].verdict == "verified"


def test_an_unchanged_reference_of_an_edited_post_keeps_every_key_of_its_verdict(
    app: Flask, context: None, session: Session, topic_id: int
) -> None:
    analyse_topic(session, topic_id)
    session.commit()
    verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit)
    before = verdict_json(rows(session)["Leppänen"])
    assert before["match_confidence"] is not None
    post = next(p for p in session.scalars(select(Post)) if "Leppänen" in p.body_text)
    post.body_text = post.body_text + "\n\nEdited to add a sentence."
    analyse_post(session, post)
    session.commit()
    assert verdict_json(rows(session)["Leppänen"]) == before  # the report the API and `check --json` answer


def test_an_outage_leaves_references_unchecked_uncached_and_retried(
    app: Flask, context: None, session: Session, topic_id: int, crossref: LocalCrossref
) -> None:
    analyse_topic(session, topic_id)
    session.commit()
    crossref.configure(fail=503)
    summary = verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit)
    session.commit()
    assert set(summary.verdicts) == {"unchecked"}
    assert {row.verdict for row in rows(session).values()} == {"unchecked"}
    assert cache_size(session) == {}
    crossref.configure(fail=None)
    again = verify_topic(session, topic_id, source(app), workers=3, checkpoint=session.commit)
    assert again.references == summary.references and "unchecked" not in again.verdicts


def test_a_run_cut_short_keeps_the_chunks_it_finished(
    app: Flask, context: None, session: Session, topic_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyse_topic(session, topic_id)
    session.commit()
    monkeypatch.setattr(checks_service, "CHUNK", 3)
    calls = {"checkpoints": 0}

    def checkpoint() -> None:
        session.commit()
        calls["checkpoints"] += 1
        if calls["checkpoints"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        verify_topic(session, topic_id, source(app), workers=2, checkpoint=checkpoint)
    session.rollback()
    total = len(session.scalars(select(ReferenceCheck)).all())
    checked = session.scalars(select(ReferenceCheck).where(ReferenceCheck.verdict.is_not(None))).all()
    assert 3 <= len(checked) < total
    rest = verify_topic(session, topic_id, source(app), workers=2, checkpoint=session.commit)
    assert rest.references == total - len(checked)


def test_the_check_topic_job_analyses_verifies_then_grades(
    app: Flask, context: None, session: Session, topic_id: int
) -> None:
    seen: list[tuple[int, int, str]] = []
    job = Job(kind="check_topic", topic_id=topic_id)
    session.add(job)
    session.flush()

    def progress(done: int, total: int, message: str) -> None:
        seen.append((done, total, message))
        session.commit()  # as the job runner's progress does

    pipeline.check_topic(session, job, progress)
    assert any("Checked" in message for _done, _total, message in seen)
    assert "graded" in seen[-1][2]
    graded = session.scalars(select(Grade).where(Grade.topic_id == topic_id)).all()
    authors = session.scalars(select(Post.author_id).where(Post.topic_id == topic_id, Post.deleted.is_(False)))
    assert {grade.person_id for grade in graded} == set(authors)
    assert None not in {row.verdict for row in rows(session).values()}


def test_the_check_topic_job_needs_a_topic(app: Flask, context: None, session: Session) -> None:
    job = Job(kind="check_topic", topic_id=None)
    with pytest.raises(pipeline.CheckError):
        pipeline.check_topic(session, job, lambda *_: None)
    assert session.get(Topic, 1) is None
