"""Applying a roster: members matched to the people who wrote (user id, email, an earlier roster's id, name, never a
guess), ids filled for the gradebooks, enrolled students who never posted added, and grade files that hold them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumgrader.discussions.model import (
    DiscussionExport,
    ExportFormat,
    Participant,
    PostRecord,
    ThreadRecord,
    TopicExport,
    TopicInfo,
)
from forumgrader.discussions.rosters import GradeColumn, RosterMember
from forumgrader.grading import load_rubric
from forumgrader.store.gradefiles import ABSENT_FEEDBACK, grade_file
from forumgrader.store.grades import grade_topic
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Person, Post, RosterImport, Thread, Topic
from forumgrader.store.rosters import apply_roster

NOW = datetime(2024, 9, 20, 12, tzinfo=UTC)
RUBRIC = load_rubric("graduate-discussion")


def course(session: Session, lms: str) -> tuple[Course, Topic]:
    found = Course(name=f"A {lms} course", lms=lms)
    session.add(found)
    session.flush()
    topic = Topic(course_id=found.id, title="Week 3 Discussion", due_initial_at=datetime(2024, 9, 11, tzinfo=UTC),
                  due_replies_at=datetime(2024, 9, 15, tzinfo=UTC))  # fmt: skip
    session.add(topic)
    session.flush()
    return found, topic


def wrote(session: Session, topic: Topic, person: Person, number: int = 1) -> None:
    thread = Thread(topic_id=topic.id, lms_thread_id=f"t{person.id}-{number}")
    session.add(thread)
    session.flush()
    session.add(Post(topic_id=topic.id, thread_id=thread.id, lms_post_id=f"p{person.id}-{number}",
                     author_id=person.id, created_at=datetime(2024, 9, 10, tzinfo=UTC),
                     body_text="Stress and the immune system. " * 60))  # fmt: skip
    session.flush()


def person(session: Session, found: Course, name: str, **ids: str) -> Person:
    made = Person(course_id=found.id, key=ids.pop("key", name), display_name=name, **ids)
    session.add(made)
    session.flush()
    return made


def test_a_canvas_gradebook_matches_by_user_id_fills_ids_and_adds_who_never_posted(session: Session) -> None:
    found, topic = course(session, "canvas")
    danielle = person(session, found, "Danielle Okafor", key="20931", lms_user_id="20931")
    wrote(session, topic, danielle)
    members = [
        RosterMember("Danielle Okafor", "Okafor, Danielle", "20931", "S0931", "dokafor", section="01", line=4),
        RosterMember("Zoe Park", "Park, Zoe", "20977", "S0977", "zpark", section="01", line=5),
    ]
    columns = [GradeColumn("Week 3 Discussion", "48213", 100.0), GradeColumn("Quiz 1", "48220", 10.0)]
    result = apply_roster(session, found, members, lms="canvas", file_name="grades.csv", sha256="a" * 64,
                          columns=columns)  # fmt: skip
    assert (result.members, result.matched, result.added, result.updated) == (2, {"user id": 1}, ("Zoe Park",), 1)
    assert (danielle.sis_user_id, danielle.login_id, danielle.sortable_name, danielle.enrolled) == (
        "S0931",
        "dokafor",
        "Okafor, Danielle",
        True,
    )
    zoe = session.scalars(select(Person).where(Person.display_name == "Zoe Park")).one()
    # keyed by her Canvas user id: a later export of the discussion with her first post finds her
    assert (zoe.key, zoe.lms_user_id, zoe.enrolled) == ("20977", "20977", True)
    assert result.topics_linked == ("Week 3 Discussion",) and topic.lms_assignment_id == "48213"
    # the same file again changes nothing; the same roster in another file finds nothing to change
    again = apply_roster(session, found, members, lms="canvas", file_name="grades.csv", sha256="a" * 64)
    assert again.already_imported_at is not None
    other = apply_roster(session, found, members, lms="canvas", file_name="grades (1).csv", sha256="b" * 64)
    assert (other.added, other.updated, other.matched) == ((), 0, {"user id": 2})
    assert session.scalar(select(func.count()).select_from(Person)) == 2
    assert session.scalar(select(func.count()).select_from(RosterImport)) == 2


def test_moodle_participants_match_by_email_else_by_name_and_never_guess(session: Session) -> None:
    found, topic = course(session, "moodle")
    hannah = person(session, found, "Hannah Whitfield", key="57", lms_user_id="57", email="h.w@example.edu")
    omar = person(session, found, "Omar Haddad", key="63", lms_user_id="63")
    alex_one = person(session, found, "Alex Kim", key="70", lms_user_id="70")
    alex_two = person(session, found, "Alex Kim", key="71", lms_user_id="71")
    dropped = person(session, found, "Rhea Dunn", key="80", lms_user_id="80")
    for writer in (hannah, omar, alex_one, alex_two, dropped):
        wrote(session, topic, writer)
    members = [
        RosterMember("Hannah Whitfield", "Whitfield, Hannah", sis_user_id="22-0457", email="h.w@example.edu", line=2),
        RosterMember("Omar Haddad", "Haddad, Omar", sis_user_id="22-0461", email="o.h@example.edu", line=3),
        RosterMember("Alex Kim", "Kim, Alex", email="alex.kim@example.edu", line=4),
    ]
    result = apply_roster(session, found, members, lms="moodle")
    assert result.matched == {"email": 1, "name": 1}
    assert (omar.email, omar.sis_user_id, omar.lms_user_id) == ("o.h@example.edu", "22-0461", "63")
    assert result.ambiguous == (
        "2 people in this course are called “Alex Kim” (line 4): we could not tell which one the roster means, so "
        "none was matched",
    )
    assert not alex_one.enrolled and not alex_two.email
    assert result.not_on_roster == ("Alex Kim", "Alex Kim", "Rhea Dunn") and not dropped.enrolled
    assert result.added == ()


def test_two_roster_rows_with_one_name_are_not_matched_to_the_one_who_wrote(session: Session) -> None:
    found, topic = course(session, "moodle")
    sam = person(session, found, "Sam Lee", key="90", lms_user_id="90")
    wrote(session, topic, sam)
    members = [RosterMember("Sam Lee", email="sam.lee@example.edu", line=2),
               RosterMember("Sam Lee", email="s.lee2@example.edu", line=3)]  # fmt: skip
    result = apply_roster(session, found, members, lms="moodle")
    assert result.matched == {} and not sam.email
    assert result.ambiguous == ("lines 2, 3 of the roster are all called “Sam Lee”: we could not tell which of them "
                                "wrote as Sam Lee, so none was matched",)  # fmt: skip


def test_the_grade_files_give_enrolled_students_who_never_posted_zero_or_blank(session: Session) -> None:
    found, topic = course(session, "canvas")
    ana = person(session, found, "Ana Rivera", key="11", lms_user_id="11")
    ben = person(session, found, "Ben Ode", key="12", lms_user_id="12")
    wrote(session, topic, ana)
    wrote(session, topic, ben)
    grade_topic(session, topic.id, RUBRIC, now=NOW)
    before = grade_file(session, topic, RUBRIC.name)
    assert (before.rostered, before.absent, before.unlisted) == (False, [], [])
    members = [RosterMember("Ana Rivera", lms_user_id="11", line=2), RosterMember("Cleo Wu", lms_user_id="13", line=3)]
    apply_roster(session, found, members, lms="canvas")
    files = grade_file(session, topic, RUBRIC.name)
    assert files.absent == ["Cleo Wu"] and files.rostered
    cleo = next(row for row in files.rows if row.name == "Cleo Wu")
    assert (cleo.points, cleo.feedback, cleo.lms_user_id) == (0.0, ABSENT_FEEDBACK, "13")
    # Ben wrote but is not on the roster: he keeps his grade
    assert [row.name for row in files.rows] == ["Ana Rivera", "Ben Ode", "Cleo Wu"]
    topic.absent_grade = "blank"
    blank = next(row for row in grade_file(session, topic, RUBRIC.name).rows if row.name == "Cleo Wu")
    assert (blank.points, blank.feedback) == (None, "")


def test_a_student_the_roster_added_is_adopted_by_the_first_export_they_appear_in(session: Session) -> None:
    found, _topic = course(session, "moodle")
    apply_roster(session, found, [RosterMember("Omar Haddad", email="o.h@example.edu", line=2)], lms="moodle")
    waiting = session.scalars(select(Person)).one()
    assert waiting.key == "roster:o.h@example.edu"
    post = PostRecord("1", "1", None, "63", datetime(2024, 9, 10, tzinfo=UTC), None, "Hi", "", "Hello.", 1)
    export = DiscussionExport(
        ExportFormat.MOODLE,
        "",
        (TopicExport(TopicInfo(title="Week 2"), (ThreadRecord("1", "Hi", (post,)),)),),
        (Participant("63", "Omar Haddad", lms_user_id="63"),),
    )
    import_export(session, export, file_name="discussion.csv", sha256=hashlib.sha256(b"x").hexdigest(),
                  course_name=found.name)  # fmt: skip
    assert session.scalar(select(func.count()).select_from(Person)) == 1
    assert (waiting.key, waiting.lms_user_id, waiting.email, waiting.enrolled) == ("63", "63", "o.h@example.edu", True)
