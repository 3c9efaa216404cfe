"""`forumgrader demo --no-serve`: a fresh database with the sample course, checked offline against the bundled
snapshot, graded, and demo accounts whose printed passwords sign in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from forumgrader import create_app
from forumgrader.cli import cli
from forumgrader.store.accounts import authenticate
from forumgrader.store.db import Database
from forumgrader.store.models import Course, Grade, Membership, Person, ReferenceCheck, SnapshotWork, Topic, User


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder, and no database configured: the demo keeps its own."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(folder))
    monkeypatch.delenv("FORUMGRADER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return folder


def demo(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["demo", "--no-serve", *args], input=input)


def logins(output: str) -> dict[str, str]:
    """The printed accounts: email -> password."""
    return dict(re.findall(r"^\s+\w+\s+(\S+@example\.edu)\s+password: (\S+)", output, flags=re.M))


def test_the_demo_prepares_a_checked_and_graded_course_offline(instance: Path) -> None:
    result = demo()
    assert result.exit_code == 0, result.output
    assert f"forumgrader demo on sqlite:///{instance / 'demo.sqlite'}" in result.output
    assert "Loaded 511 Crossref records from the bundled snapshot: no internet needed." in result.output
    assert (
        "Psychotherapy Biological Basis: references 3 verified, 2 with details that differ, 1 with a broken DOI, "
        "4 not checked; 4 students graded, 1 provisional"
    ) in result.output
    accounts = logins(result.output)
    assert set(accounts) == {
        "admin@example.edu",
        "instructor@example.edu",
        "ta@example.edu",
        "danielle@example.edu",
        "marcus@example.edu",
    }
    assert "Sign in at http://127.0.0.1:5000/ as:" in result.output

    database = Database(f"sqlite:///{instance / 'demo.sqlite'}")
    with database.sessions() as session:
        course = session.scalars(select(Course)).one()
        titles = session.scalars(select(Topic.title).where(Topic.course_id == course.id).order_by(Topic.id)).all()
        assert titles == ["Psychotherapy Biological Basis", "Week 2: Mind, body and psychotherapy"]
        assert session.scalar(select(func.count()).select_from(SnapshotWork)) == 511
        verdicts = dict(
            session.execute(select(ReferenceCheck.verdict, func.count()).group_by(ReferenceCheck.verdict)).all()
        )
        assert verdicts == {"verified": 6, "mismatch": 3, "broken_doi": 1, "unchecked": 5}
        assert session.scalar(select(func.count()).select_from(Grade)) == 6  # four Canvas students, two Moodle ones
        danielle = session.scalars(select(Membership).join(User).where(User.email == "danielle@example.edu")).one()
        assert session.get_one(Person, danielle.person_id).display_name == "Danielle Okafor"

    with database.sessions() as session:
        for email, password in accounts.items():  # each printed password signs in
            assert authenticate(session, email, password) is not None, email
    database.dispose()


def test_a_second_demo_asks_before_starting_afresh(instance: Path) -> None:
    first = demo()
    assert first.exit_code == 0, first.output
    kept = demo(input="n\n")
    assert kept.exit_code == 1
    assert "holds an earlier demo. Start again from scratch? [Y/n]" in kept.output
    assert "Nothing changed." in kept.output
    again = demo("--yes")
    assert again.exit_code == 0, again.output
    assert logins(again.output)["admin@example.edu"] != logins(first.output)["admin@example.edu"]


def test_the_demo_asks_before_erasing_a_configured_database(
    instance: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORUMGRADER_DATABASE_URL", database_url)
    refused = demo(input="\n")  # the default answer is no
    assert refused.exit_code == 1
    assert "is not empty: erase every forumgrader table in it? [y/N]" in refused.output
    result = demo("--yes")
    assert result.exit_code == 0, result.output
    assert not (instance / "demo.sqlite").exists()
    assert len(logins(result.output)) == 5
    database = Database(database_url)
    with database.sessions() as session:
        assert session.scalars(select(Course.name)).all() == ["PSY 5120 Biological Bases of Psychotherapy (demo)"]
    database.dispose()


def test_a_second_demo_without_a_terminal_says_to_pass_yes(instance: Path) -> None:
    assert demo().exit_code == 0
    unanswered = demo(input="")  # no terminal: the question meets the end of the input
    assert unanswered.exit_code == 1
    assert "Aborted!" not in unanswered.output
    _, _, rest = unanswered.output.partition("Start again from scratch? [Y/n]: ")
    assert rest.startswith("\nError: No answer came") and "pass --yes" in rest


def test_the_demo_says_where_the_samples_are_and_how_commands_reach_its_database(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = demo()
    assert result.exit_code == 0, result.output
    samples = re.search(r"The sample exports the demo imported are in (\S+) \(canvas/, moodle/\)", result.output)
    assert samples and (Path(samples[1]) / "moodle").is_dir() and (Path(samples[1]) / "canvas").is_dir()
    exported = re.search(
        r"^  export (FORUMGRADER_DATABASE_URL=\S+) (FORUMGRADER_METADATA_SOURCE=\S+)$", result.output, re.M
    )
    assert exported, result.output
    topic = re.search(r"Then try, for example: forumgrader grade (\d+)", result.output)
    assert topic
    for assignment in exported.groups():  # as the shell would after the printed `export`
        name, _, value = assignment.partition("=")
        monkeypatch.setenv(name, value)
    graded = CliRunner().invoke(cli, ["grade", topic[1]], obj=ScriptInfo(create_app=create_app))
    assert graded.exit_code == 0, graded.output
    assert "Danielle Okafor" in graded.output
    assert not (instance / "forumgrader.sqlite").exists()


def test_an_offline_check_leaves_no_instance_folder_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORUMGRADER_INSTANCE_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    draft = tmp_path / "draft.txt"
    draft.write_text("Sleep helps memory (Walker, 2017).\n\nReferences\n\nWalker, M. (2017). Why we sleep. Scribner.\n")
    result = CliRunner().invoke(cli, ["check", str(draft), "--offline"], obj=ScriptInfo(create_app=create_app))
    assert result.exit_code == 0, result.output
    assert "Walker" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["draft.txt"]
