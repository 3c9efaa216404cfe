"""`forumgrader import`: the JSON summary, readable output, one transaction per file, and errors on stderr."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.discussions.moodle import COLUMNS
from forumgrader.store import imports as import_service
from forumgrader.store.models import Course, ImportBatch, Person, Post, Topic

VIEW = "canvas/psychotherapy-biological-basis.view.json"


def run(app: Flask, *args: Any) -> Result:
    return app.test_cli_runner().invoke(cli, ["import", *map(str, args)])


def stored(session: Session) -> tuple[int, int, int, int]:
    session.rollback()  # see what the command committed
    return tuple(session.scalar(select(func.count(model.id))) or 0 for model in (Course, Topic, Post, ImportBatch))  # type: ignore[return-value]


def moodle_csv(rows: int, *, bad_last: str | None = None) -> str:
    lines = [",".join(COLUMNS)]
    for number in range(1, rows + 1):
        created = bad_last if bad_last and number == rows else str(1716933420 + number * 600)
        parent = 0 if number == 1 else 1
        lines.append(
            f'{number},7,{parent},{50 + number % 9},Student {number % 9},"{created}",{1716933420 + number * 600},1,'
            f'Re: Week 3,"<p>Post {number}</p>\n<p>two lines</p>",1,0,,0,0,0,0,,3,20'
        )
    return "\n".join(lines) + "\n"


def test_json_summary_of_the_canvas_sample(app: Flask, samples: Path, session: Session) -> None:
    result = run(app, samples / VIEW, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    topic = session.scalars(select(Topic)).one()
    assert summary == {
        "course": "Canvas course 1547",
        "topic": topic.id,
        "topics": [topic.id],
        "threads": 2,
        "posts": 5,
        "replies": 4,
        "private": 0,
        "people": 4,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "already_imported_at": None,
    }
    assert topic.title == "Psychotherapy Biological Basis"  # the topic JSON beside the view was found


def test_json_summary_of_the_moodle_sample_and_the_drafts(app: Flask, samples: Path) -> None:
    moodle = json.loads(run(app, samples / "moodle" / "discussion.csv", "--json", "--course", "PSY 610").stdout)
    assert {key: moodle[key] for key in ("course", "threads", "posts", "replies", "private", "people", "created")} == {
        "course": "PSY 610",
        "threads": 2,
        "posts": 5,
        "replies": 3,
        "private": 1,
        "people": 3,
        "created": 5,
    }
    for seed in sorted((samples / "seeds").glob("*.txt")):
        draft = json.loads(run(app, seed, "--json", "--course", "PSY 610", "--author", "Tyler Hughes").stdout)
        assert (draft["posts"], draft["replies"], draft["people"], draft["created"]) == (1, 0, 1, 1)
        assert draft["topic"] != moodle["topic"]


def test_readable_summary_and_a_second_import(app: Flask, samples: Path) -> None:
    first = run(app, samples / "moodle" / "discussion.csv")
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0] == (
        "Imported discussion.csv (moodle) into course 'discussion'. Use --course to choose another course name."
    )
    assert "2 threads, 5 posts (3 replies, 1 private) by 3 people" in first.stdout
    assert "5 new, 0 updated, 0 unchanged" in first.stdout
    again = run(app, samples / "moodle" / "discussion.csv")
    assert again.exit_code == 0
    assert "discussion.csv was already imported on " in again.stdout and "; nothing changed." in again.stdout
    assert "0 new, 0 updated, 5 unchanged" in again.stdout


def test_a_malformed_row_late_in_the_file_imports_nothing(app: Flask, tmp_path: Path, session: Session) -> None:
    path = tmp_path / "discussion.csv"
    path.write_text(moodle_csv(40, bad_last="Friday, 31 June 2024, 9:15 AM"))
    result = run(app, path)
    assert result.exit_code == 1
    assert "line 80, field `created`" in result.stderr  # each message spans two lines
    assert "Nothing was imported" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert stored(session) == (0, 0, 0, 0)


def test_a_failure_while_storing_rolls_everything_back(
    app: Flask, tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "discussion.csv"
    path.write_text(moodle_csv(10))
    assert run(app, path, "--course", "Before").exit_code == 0
    before = stored(session)
    path.write_text(moodle_csv(12))  # a later export: 2 new posts
    real_fill, calls = import_service._fill_post, []

    def failing_fill(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("INSERT INTO post ...", {}, Exception("disk I/O error"))
        real_fill(*args)

    monkeypatch.setattr(import_service, "_fill_post", failing_fill)
    result = run(app, path, "--course", "Before")
    assert result.exit_code == 1 and "the database refused it" in result.stderr and "disk I/O error" in result.stderr
    assert stored(session) == before


def test_a_malformed_canvas_entry_is_named(app: Flask, tmp_path: Path, samples: Path, session: Session) -> None:
    view = json.loads((samples / VIEW).read_text())
    view["view"][0]["replies"][1]["created_at"] = "31/06/2024"
    path = tmp_path / "view.json"
    path.write_text(json.dumps(view))
    result = run(app, path)
    assert result.exit_code == 1
    assert "entry 7014, field `created_at`" in result.stderr
    assert stored(session) == (0, 0, 0, 0)


def test_files_over_the_size_limit_are_refused(
    app_config: dict[str, Any], request: pytest.FixtureRequest, samples: Path
) -> None:
    app_config["MAX_IMPORT_BYTES"] = 4096  # before the app is built
    app: Flask = request.getfixturevalue("app")
    session: Session = request.getfixturevalue("session")
    result = run(app, samples / VIEW)
    assert result.exit_code == 1
    assert "KB, over the 4.0 KB import limit" in result.stderr and "MAX_IMPORT_BYTES" in result.stderr
    assert stored(session) == (0, 0, 0, 0)


def test_the_topic_json_is_found_beside_the_view_or_given(app: Flask, tmp_path: Path, samples: Path) -> None:
    shutil.copy(samples / VIEW, tmp_path / "week3.json")
    alone = json.loads(run(app, tmp_path / "week3.json", "--json", "--course", "A").stdout)
    shutil.copy(samples / "canvas" / "psychotherapy-biological-basis.topic.json", tmp_path / "topic.json")
    (tmp_path / "other").mkdir()
    shutil.copy(samples / VIEW, tmp_path / "other" / "week3.json")
    beside = json.loads(
        run(
            app, tmp_path / "other" / "week3.json", "--json", "--course", "B", "--topic-json", tmp_path / "topic.json"
        ).stdout
    )
    found = json.loads(run(app, tmp_path / "week3.json", "--json", "--course", "C").stdout)
    with app.app_context():
        from forumgrader import store

        titles = {topic.course.name: topic.title for topic in store.session().scalars(select(Topic))}
    assert titles == {"A": "week3", "B": "Psychotherapy Biological Basis", "C": "Psychotherapy Biological Basis"}
    assert alone["posts"] == beside["posts"] == found["posts"] == 5


def test_a_csv_layout_named_column_by_column(app: Flask, tmp_path: Path, session: Session) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Entry;Reply to;Student;Body\nA1;;Ana Rivera;First post\nA2;A1;Ben Osei;<p>A reply</p>\n")
    refused = run(app, path)
    assert refused.exit_code == 1 and "--column FIELD=HEADER" in refused.stderr
    result = run(
        app,
        path,
        "--format",
        "csv",
        "--json",
        "--column",
        "post_id=Entry",
        "--column",
        "post_parent_id=Reply to",
        "--column",
        "post_author_name=Student",
        "--column",
        "post_message=Body",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["replies"] == 1
    assert sorted(session.scalars(select(Person.display_name))) == ["Ana Rivera", "Ben Osei"]


def test_naming_the_columns_is_enough_to_read_a_csv_of_posts(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Entry;Student;Body\nA1;Ana Rivera;First post\n")
    result = run(app, path, "--json", "--column", "post_id=Entry", "--column", "post_author_name=Student",
                 "--column", "post_message=Body")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["posts"] == 1


def test_bad_options_are_usage_errors(app: Flask, samples: Path) -> None:
    assert run(app, samples / VIEW, "--timezone", "Mars/Olympus").exit_code == 2
    assert run(app, samples / VIEW, "--format", "blackboard").exit_code == 2
    assert run(app, samples / VIEW, "--column", "post_id").exit_code == 2
