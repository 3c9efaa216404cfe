"""`forumgrader demo --no-serve`: a fresh database with a course per LMS (Canvas, Moodle, D2L) and its roster, checked
offline against the bundled snapshot, graded, every LMS's grade file writable, and demo accounts that sign in."""

from __future__ import annotations

import filecmp
import re
import runpy
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from forumgrader import create_app
from forumgrader.cli import cli
from forumgrader.store.accounts import authenticate
from forumgrader.store.db import Database
from forumgrader.store.gradefiles import grade_file
from forumgrader.store.models import Course, Grade, Membership, Person, ReferenceCheck, SnapshotWork, Topic, User

SAMPLES = Path(__file__).resolve().parents[2] / "forumgrader" / "samples"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture
def instance(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An instance folder shared by this module's tests, and no database configured: the demo keeps its own."""
    monkeypatch.setenv("FORUMGRADER_INSTANCE_PATH", str(folder / "instance"))
    monkeypatch.delenv("FORUMGRADER_DATABASE_URL", raising=False)
    monkeypatch.chdir(folder)
    return folder / "instance"


@pytest.fixture(scope="module")
def first(folder: Path) -> Result:
    """The demo run once for the module (it takes seconds): the first test reads it, the next starts afresh."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORUMGRADER_INSTANCE_PATH", str(folder / "instance"))
        patch.delenv("FORUMGRADER_DATABASE_URL", raising=False)
        patch.chdir(folder)
        return demo()


def demo(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["demo", "--no-serve", *args], input=input)


def logins(output: str) -> dict[str, str]:
    """The printed accounts: email -> password."""
    return dict(re.findall(r"^\s+\w+\s+(\S+@example\.edu)\s+password: (\S+)", output, flags=re.M))


def test_the_demo_prepares_a_course_per_lms_checked_and_graded_offline(instance: Path, first: Result) -> None:
    result = first
    assert result.exit_code == 0, result.output
    assert f"forumgrader demo on sqlite:///{instance / 'demo.sqlite'}" in result.output
    assert "Loaded 511 Crossref records from the bundled snapshot: no internet needed." in result.output
    assert "Roster gradebook-export.csv: 27 students, 2 of them never posted." in result.output
    accounts = logins(result.output)
    assert set(accounts) == {"admin@example.edu", "instructor@example.edu", "ta@example.edu",
                             "danielle@example.edu", "marcus@example.edu"}  # fmt: skip

    database = Database(f"sqlite:///{instance / 'demo.sqlite'}")
    with database.sessions() as session:
        courses = session.scalars(select(Course).order_by(Course.id)).all()
        assert [course.lms for course in courses] == ["canvas", "moodle", "d2l"]
        assert session.scalar(select(func.count()).select_from(SnapshotWork)) == 511
        verdicts = dict(
            session.execute(select(ReferenceCheck.verdict, func.count()).group_by(ReferenceCheck.verdict)).all()
        )
        # the students' real mistakes come out as real verdicts: doubled slashes, another work's DOI, swapped numbers
        assert verdicts["verified"] > 300 and {"mismatch", "wrong_doi", "broken_doi"} <= set(verdicts)
        for course in courses:
            topics = session.scalars(select(Topic).where(Topic.course_id == course.id)).all()
            assert len(topics) == 2
            for topic in topics:
                graded = session.scalar(select(func.count()).where(Grade.topic_id == topic.id)) or 0
                assert graded >= 24, topic.title
                # the due dates are set (Moodle's export has none: the demo sets them as on the settings page)
                assert topic.due_initial_at is not None and topic.due_replies_at is not None
                files = grade_file(session, topic, topic.rubric)
                assert len(files.rows) == 27 and len(files.absent) >= 2
                assert files.readiness()[course.lms].ready, (course.lms, files.readiness()[course.lms].why)
            enrolled = session.scalar(select(func.count()).where(Person.course_id == course.id,
                                                                 Person.enrolled.is_(True)))  # fmt: skip
            assert enrolled == 27
        danielle = session.scalars(select(Membership).join(User).where(User.email == "danielle@example.edu")).one()
        assert session.get_one(Person, danielle.person_id).display_name == "Danielle Okafor"
        instructor = session.scalars(select(User).where(User.email == "instructor@example.edu")).one()
        assert len(session.scalars(select(Membership).where(Membership.user_id == instructor.id)).all()) == 3

    with database.sessions() as session:
        for email, password in accounts.items():  # each printed password signs in
            assert authenticate(session, email, password) is not None, email
    database.dispose()


def test_the_sample_exports_are_what_the_committed_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """samples/make_samples.py is deterministic: run again, it writes the very files the demo imports."""
    monkeypatch.setattr(sys, "argv", ["make_samples.py", str(tmp_path)])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(SAMPLES / "make_samples.py"), run_name="__main__")
    assert done.value.code == 0
    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file())
    assert len(written) == 13
    for name in written:
        assert filecmp.cmp(tmp_path / name, SAMPLES / "demo" / name, shallow=False), name


def test_a_second_demo_asks_before_starting_afresh(instance: Path, first: Result) -> None:
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
    (instance / "demo.sqlite").unlink(missing_ok=True)
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
        assert len(session.scalars(select(Course.name)).all()) == 3
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
    result = demo("--yes")  # this module's demos share one instance folder
    assert result.exit_code == 0, result.output
    samples = re.search(r"The sample exports the demo imported are in (\S+) \(canvas/, moodle/, d2l/\)", result.output)
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
