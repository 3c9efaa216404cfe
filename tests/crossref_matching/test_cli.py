"""`forumgrader check` and `forumgrader verify`, through the real command line against the local Crossref."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.cli import cli
from forumgrader.crossref.localserver import LocalCrossref
from forumgrader.discussions.formats import read_export
from forumgrader.discussions.model import ImportOptions
from forumgrader.store import checks as checks_service
from forumgrader.store.crossref_cache import cache_size
from forumgrader.store.imports import import_export
from forumgrader.store.models import Post, ReferenceCheck

pytestmark = pytest.mark.local_crossref(retries=1)

BLOG = "seeds/001_e57b5723c3460151.txt"
VIEW = "canvas/psychotherapy-biological-basis.view.json"
ANALYSIS_KEYS = {"index", "text", "start", "end", "fields", "type", "confidence", "clean"}


def run(app: Flask, *args: Any, stdin: str | None = None) -> Result:
    return app.test_cli_runner().invoke(cli, [str(arg) for arg in args], input=stdin)


def imported(session: Session, samples: Path) -> int:
    data = (samples / VIEW).read_bytes()
    export = read_export(data, filename=Path(VIEW).name, options=ImportOptions())
    summary = import_export(session, export, file_name=Path(VIEW).name, sha256=hashlib.sha256(data).hexdigest())
    session.commit()
    return int(summary.topics[0][0])


def test_check_json_adds_verdicts_to_the_analysis(app: Flask, samples: Path) -> None:
    result = run(app, "check", samples / BLOG, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    verdicts = {r["fields"]["authors"][0]["family"]: r["verdict"] for r in data["references"]}
    assert verdicts == {
        "Ader": "not_found",
        "Cohen": "verified",
        "Engel": "verified",
        "Gatchel": "mismatch",
        "Kiecolt-Glaser": "verified",
    }
    assert {"missing_doi"} <= {f["code"] for f in data["findings"]}
    assert set(data) >= {"references", "citations", "findings"}


def test_check_offline_is_the_analysis_alone_and_asks_no_one(
    app: Flask, samples: Path, crossref: LocalCrossref
) -> None:
    result = run(app, "check", samples / BLOG, "--offline", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert all(set(r) == ANALYSIS_KEYS for r in data["references"])
    assert crossref.stats()["total"] == 0


def test_check_prints_a_readable_report_and_exits_zero_with_flags(app: Flask, samples: Path) -> None:
    result = run(app, "check", samples / BLOG)
    assert result.exit_code == 0, result.output
    assert "! details differ from the record" in result.stdout
    assert "pages: you wrote “581”, the record says “581-624”" in result.stdout
    assert "? not found in Crossref" in result.stdout


def test_check_reads_stdin_and_a_crossref_url(app: Flask, samples: Path, crossref: LocalCrossref) -> None:
    app.config["CROSSREF_URL"] = "http://127.0.0.1:9"  # nothing listens there: the option must win
    text = (samples / BLOG).read_text(encoding="utf-8")
    result = run(app, "check", "-", "--json", "--crossref-url", crossref.url, "--mailto", "me@example.org", stdin=text)
    assert result.exit_code == 0, result.output
    assert "unchecked" not in {r["verdict"] for r in json.loads(result.stdout)["references"]}


def test_check_writes_bibtex_from_the_matched_records(app: Flask, samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "refs.bib"
    result = run(app, "check", samples / BLOG, "--bibtex", out)
    assert result.exit_code == 0, result.output
    entries = bibtexparser.parse_string(out.read_text(encoding="utf-8")).entries
    assert [e.get("doi").value if e.get("doi") else "" for e in entries] == [
        "",  # Ader et al.: not matched, written from what the reference says
        "10.1001/jama.298.14.1685",
        "10.1126/science.847460",
        "10.1037/0033-2909.133.4.581",
        "10.1037/0022-006x.70.3.537",
    ]
    assert entries[3]["pages"] == "581--624"  # the record's range, not the student's "581"


def test_check_accepts_a_reference_manager_export(app: Flask, tmp_path: Path) -> None:
    export = tmp_path / "zotero.bib"
    export.write_text(
        "@article{engel, author={Engel, George L.}, title={The need for a new medical model: a challenge for "
        "biomedicine}, journal={Science}, year={1977}, volume={196}, number={4286}, pages={129--136}}\n"
        "@article{engel2, author={Engel, George L.}, title={The need for a new medical model}, journal={Science}, "
        "year={1979}, volume={196}, number={4286}, pages={129--136}, doi={10.1126/science.847460}}\n",
        encoding="utf-8",
    )
    result = run(app, "check", export, "--json")
    assert result.exit_code == 0, result.output
    references = json.loads(result.stdout)["references"]
    assert [(r["verdict"], r["matched_doi"]) for r in references] == [
        ("verified", "10.1126/science.847460"),
        ("mismatch", "10.1126/science.847460"),
    ]
    assert references[1]["differences"][0] == {
        "field": "year",
        "cited": "1979",
        "record": "1977",
        "severity": "warning",
    }


def test_check_an_imported_post(app: Flask, session: Session, samples: Path) -> None:
    imported(session, samples)
    post = next(p for p in session.scalars(select(Post)) if "Malhotra, S., & Sahoo, A." in p.body_text)
    result = run(app, "check", f"post:{post.id}", "--json")
    assert result.exit_code == 0, result.output
    verdicts = {r["fields"]["authors"][0]["family"]: r["verdict"] for r in json.loads(result.stdout)["references"]}
    assert verdicts["Malhotra"] == "mismatch"


@pytest.mark.parametrize(
    ("target", "says"),
    [("post:999", "There is no post '999'"), ("missing.txt", "is not a file"), ("notes.xyz", "xyz")],
)
def test_check_explains_what_it_cannot_read(app: Flask, tmp_path: Path, target: str, says: str) -> None:
    (tmp_path / "notes.xyz").write_text("hello", encoding="utf-8")
    result = run(app, "check", target if target.startswith("post:") else tmp_path / target)
    assert result.exit_code == 1
    assert says in result.stderr and "Traceback" not in result.output


def test_verify_stores_verdicts_and_a_second_run_makes_no_request(
    app: Flask, session: Session, samples: Path, crossref: LocalCrossref
) -> None:
    topic = imported(session, samples)
    result = run(app, "verify", "--topic", topic)
    assert result.exit_code == 0, result.output
    assert "Checked 10 references (9 distinct)" in result.stdout
    session.rollback()
    verdicts = {row.text.split(",")[0]: row.verdict for row in session.scalars(select(ReferenceCheck))}
    assert (verdicts["Smid"], verdicts["Malhotra"], verdicts["Avasthi A"]) == ("verified", "mismatch", "broken_doi")
    crossref.reset()
    again = run(app, "verify")
    assert again.exit_code == 0, again.output
    assert "Nothing to check" in again.stdout
    assert crossref.stats()["total"] == 0


def test_verify_during_an_outage_keeps_nothing_and_says_to_retry(
    app: Flask, session: Session, samples: Path, crossref: LocalCrossref
) -> None:
    imported(session, samples)
    crossref.configure(fail=503)
    result = run(app, "verify")
    assert result.exit_code == 0, result.output
    assert "run the command again later" in result.stdout
    session.rollback()
    assert {row.verdict for row in session.scalars(select(ReferenceCheck))} == {"unchecked"}
    assert cache_size(session) == {}


def test_verify_an_unknown_topic(app: Flask) -> None:
    result = run(app, "verify", "--topic", 404)
    assert result.exit_code == 1 and "There is no topic 404" in result.stderr


def test_check_with_crossref_unreachable_leaves_everything_unchecked(app: Flask, samples: Path, session: Session):
    result = run(app, "check", samples / BLOG, "--json", "--crossref-url", "http://127.0.0.1:9")
    assert result.exit_code == 0, result.output
    assert {r["verdict"] for r in json.loads(result.stdout)["references"]} == {"unchecked"}
    assert cache_size(session) == {}


def test_verify_stopped_with_ctrl_c_keeps_what_it_checked(
    app: Flask, session: Session, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported(session, samples)
    real = checks_service.verify_references
    calls = {"chunks": 0}

    def stopping(*args: Any, **kwargs: Any) -> Any:
        calls["chunks"] += 1
        if calls["chunks"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(checks_service, "CHUNK", 4)
    monkeypatch.setattr(checks_service, "verify_references", stopping)
    result = run(app, "verify")
    assert result.exit_code == 130
    assert "run `forumgrader verify` again to continue" in result.stderr
    session.rollback()
    kept = len(session.scalars(select(ReferenceCheck).where(ReferenceCheck.verdict.is_not(None))).all())
    assert 4 <= kept < 10  # the first chunk: four distinct references, one of them listed in two posts
    monkeypatch.setattr(checks_service, "verify_references", real)
    again = run(app, "verify")
    assert f"Checked {10 - kept} references" in again.stdout
