"""The service skeleton: configuration layers, the default database, and migrations that match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from forumgrader import create_app
from forumgrader.store import schema
from forumgrader.store.db import Base


def test_configuration_layers_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("CROSSREF_MAILTO = 'file@example.org'\nCROSSREF_CONCURRENCY = 2\n")
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("FORUMGRADER_CROSSREF_CONCURRENCY", "5")
    monkeypatch.setenv("FORUMGRADER_CROSSREF_SEARCHES_PER_SECOND", "1.5")
    app = create_app({"CROSSREF_SEARCHES_PER_SECOND": 2.5, "TASK_QUEUE": "immediate"})
    assert app.config["CROSSREF_MAILTO"] == "file@example.org"  # instance file over defaults
    assert app.config["CROSSREF_CONCURRENCY"] == 5  # environment over the file, typed like the default
    assert app.config["CROSSREF_SEARCHES_PER_SECOND"] == 2.5  # test mapping over the environment
    assert app.config["CROSSREF_LOOKUPS_PER_SECOND"] == 10.0  # default
    app.extensions["forumgrader.db"].dispose()


def test_default_database_is_created_in_the_instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path / "fresh"))
    monkeypatch.delenv("FORUMGRADER_DATABASE_URL", raising=False)
    app = create_app({"TASK_QUEUE": "immediate"})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'fresh' / 'forumgrader.sqlite'}"
    engine = app.extensions["forumgrader.db"].engine
    assert "post" in inspect(engine).get_table_names()  # migrated on first start
    assert schema.is_current(engine)
    # a secret key was made and kept, so sessions survive a restart
    key = app.config["SECRET_KEY"]
    app.extensions["forumgrader.db"].dispose()
    again = create_app({"TASK_QUEUE": "immediate"})
    assert again.config["SECRET_KEY"] == key
    again.extensions["forumgrader.db"].dispose()


def test_bad_environment_value_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FORUMGRADER_CROSSREF_CONCURRENCY", "three")
    with pytest.raises(ValueError, match="FORUMGRADER_CROSSREF_CONCURRENCY"):
        create_app({"TASK_QUEUE": "immediate"})


def test_migrations_match_the_models(app) -> None:  # type: ignore[no-untyped-def]
    engine = app.extensions["forumgrader.db"].engine
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_every_setting_is_documented_in_the_readme() -> None:
    from forumgrader.config import DEFAULTS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert [key for key in DEFAULTS if f"`FORUMGRADER_{key}`" not in readme] == []


def test_wsgi_builds_the_app_for_a_wsgi_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    from flask import Flask

    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(tmp_path / "site"))
    monkeypatch.setenv("FORUMGRADER_TASK_QUEUE", "immediate")
    app = runpy.run_path(str(Path(__file__).resolve().parents[1] / "wsgi.py"))["app"]
    assert isinstance(app, Flask)
    assert app.test_client().get("/check").status_code == 200  # the self-check page, served by the built app
    app.extensions["forumgrader.db"].dispose()
