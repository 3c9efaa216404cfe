"""Concurrency: simultaneous imports of one file wait for each other, and a queue that is down fails its job in words.

Written as the attacks: the same export imported twice at the same moment (in the store, on SQLite and PostgreSQL
alike) and uploaded four times at once on the web; and a check started while the job queue's Redis is down.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web.conftest import World, sign_in

from forumgrader import store
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportSummary
from forumgrader.store.imports import import_export
from forumgrader.store.models import ImportBatch, Job, Topic

VIEW = "canvas/psychotherapy-biological-basis.view.json"


def test_two_imports_of_one_file_at_the_same_moment_wait_for_each_other(app: Flask, samples: Path) -> None:
    data = (samples / VIEW).read_bytes()
    export = read_export(data, filename="week3.view.json")
    both_ready = threading.Barrier(2)

    def store_it() -> ImportSummary:
        with app.app_context(), store.database(app).sessions() as session:
            both_ready.wait()
            summary = import_export(
                session, export, file_name="week3.view.json", sha256=hashlib.sha256(data).hexdigest()
            )
            session.commit()
            return summary

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _n: store_it(), range(2))
    assert sorted(summary.already_imported_at is None for summary in (first, second)) == [False, True]
    assert first.course_id == second.course_id and first.posts == second.posts > 0
    with store.database(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 1


def test_four_uploads_of_one_file_at_once_answer_without_an_error(
    app: Flask, world: World, samples: Path, session: Session
) -> None:
    data = (samples / VIEW).read_bytes()
    clients = []
    for _ in range(4):
        client = app.test_client()
        sign_in(client, world.emails["instructor"])
        clients.append(client)
    all_ready = threading.Barrier(4)

    def upload(client: FlaskClient) -> int:
        all_ready.wait()
        form = {"export": (io.BytesIO(data), "week3.view.json")}
        response = client.post(f"/courses/{world.course_a}/import", data=form, content_type="multipart/form-data")
        return response.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(upload, clients))
    assert statuses == [302] * 4  # one import, three "imported already"
    assert session.scalar(select(func.count()).select_from(ImportBatch)) == 1
    assert session.scalar(select(func.count()).select_from(Topic)) == 3  # the world's two, and this file's one


class TestTheQueueDown:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        pytest.importorskip("redis")
        return app_config | {"TASK_QUEUE": "redis", "REDIS_URL": "redis://127.0.0.1:1/12"}  # nothing listens there

    def test_a_check_started_while_the_queue_is_down_fails_saying_so(
        self, app: Flask, world: World, session: Session, token_for: Callable[[str], dict[str, str]]
    ) -> None:
        client = app.test_client()
        response = client.post(f"/api/v1/topics/{world.topic_a}/check", headers=token_for("instructor"))
        assert response.status_code == 202
        job = response.get_json()
        assert job["status"] == "failed" and "job queue could not be reached" in job["error"]
        again = client.get(f"/api/v1/jobs/{job['id']}", headers=token_for("instructor")).get_json()
        assert again["status"] == "failed"
        assert session.get_one(Job, job["id"]).status == "failed"  # not `queued` forever
