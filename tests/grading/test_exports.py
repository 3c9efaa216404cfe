"""Grade files, each checked against the import rules the LMS documents (see lms-formats.md, sections 1.5, 2.3, 3)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from forumgrader.grading.exports import (
    ExportError,
    ExportOptions,
    GradeRow,
    MatchBy,
    canvas_gradebook_csv,
    d2l_grades_csv,
    moodle_grades_csv,
    readiness,
)

ROWS = [
    GradeRow(
        "Ana Rivera",
        "Rivera, Ana",
        "11",
        "S1",
        "arivera",
        "ana@example.edu",
        "NURS 6501 - 01",
        92.0,
        "Well done, Ana.\nYour sources were current.",
    ),
    GradeRow("Ben Ode", "Ode, Ben", "12", "S2", "bode", "ben@example.edu", "NURS 6501 - 01", 7.125),
    GradeRow("Cleo Park", "Park, Cleo", "13", "", "cpark", "cleo@example.edu", "", None),
]
OPTIONS = ExportOptions(item="Week 3 Discussion", points_possible=100, assignment_id="48213")


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_gradebook_follows_the_importer():
    text = canvas_gradebook_csv(ROWS, OPTIONS)
    table = parsed(text)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 3 Discussion (48213)"]
    # the importer wants Student,ID first and Section as the last student column
    assert table[0][:2] == ["Student", "ID"] and table[0][4] == "Section"
    assert re.match(r"\A(.*)\s\((\d+)\)\Z", table[0][5]).groups() == ("Week 3 Discussion", "48213")
    assert text.splitlines()[1] == "    Points Possible,,,,,100.00"  # four leading spaces
    assert table[2] == ["Rivera, Ana", "11", "S1", "arivera", "NURS 6501 - 01", "92.00"]
    assert text.splitlines()[2].startswith('"Rivera, Ana",')  # the comma in the name is quoted
    assert table[3][5] == "7.13"  # two decimals, halves rounded up as a gradebook does
    assert table[4][5] == ""  # no grade: the cell is left empty and Canvas leaves the score alone


@pytest.mark.parametrize("assignment_id", ["", "  "])
def test_canvas_refuses_without_the_assignment_id(assignment_id):
    with pytest.raises(ExportError, match="--assignment-id") as caught:
        canvas_gradebook_csv(ROWS, ExportOptions("Week 3 Discussion", 100, assignment_id))
    assert "new assignment column" in str(caught.value)


def test_canvas_refuses_an_assignment_id_that_is_not_a_number():
    with pytest.raises(ExportError, match="a number"):
        canvas_gradebook_csv(ROWS, ExportOptions("Week 3", 100, "week-3"))


def test_moodle_grade_import_by_email_or_id_number():
    table = parsed(moodle_grades_csv(ROWS, OPTIONS))
    assert table[0] == ["Email address", "Week 3 Discussion", "Feedback: Week 3 Discussion"]
    assert table[1] == ["ana@example.edu", "92.00", "Well done, Ana.\nYour sources were current."]
    assert table[3] == ["cleo@example.edu", "", ""]
    with pytest.raises(ExportError, match=r"1 student.*no ID number.*Cleo Park.*--match-by email"):
        moodle_grades_csv(ROWS, ExportOptions("Week 3 Discussion", 100, match_by=MatchBy.IDNUMBER))
    by_id = parsed(moodle_grades_csv(ROWS[:2], ExportOptions("Forum: Week 3 (Real)", 100, match_by=MatchBy.IDNUMBER)))
    assert by_id[0] == ["ID number", "Forum: Week 3 (Real)", "Feedback: Forum: Week 3 (Real)"]
    assert [row[0] for row in by_id[1:]] == ["S1", "S2"]


def test_d2l_grade_import():
    text = d2l_grades_csv([*ROWS, GradeRow("Dev", sis_user_id="#0042", points=50)], OPTIONS)
    table = parsed(text)
    assert table[0] == ["OrgDefinedId", "Username", "Week 3 Discussion Points Grade", "End-of-Line Indicator"]
    assert table[1] == ["S1", "arivera", "92.00", "#"]
    assert table[3] == ["", "cpark", "", "#"]
    assert table[4] == ["0042", "", "50.00", "#"]  # an exported "#0042" goes back bare
    assert all(line.endswith(",#") for line in text.splitlines()[1:])
    with pytest.raises(ExportError, match="neither an OrgDefinedId"):
        d2l_grades_csv([GradeRow("Nobody", email="x@example.edu", points=1)], OPTIONS)


MOODLE_FORUM = [  # as a Moodle forum export brings students in: Moodle's user id and a name, nothing else
    GradeRow("Hannah Whitfield", lms_user_id="57", points=65),
    GradeRow("Omar Haddad", lms_user_id="63", points=59),
]


def test_moodle_forum_students_are_matched_by_their_moodle_user_id():
    with pytest.raises(ExportError) as caught:
        moodle_grades_csv(MOODLE_FORUM, ExportOptions("Week 3", 100, ids_from="moodle"))
    assert str(caught.value) == (
        "2 student(s) have no email address for Moodle to match on: Hannah Whitfield, Omar Haddad; "
        "export with --match-by userid: every student has a Moodle user id"
    )
    table = parsed(moodle_grades_csv(MOODLE_FORUM, ExportOptions("Week 3", 100, match_by=MatchBy.USERID)))
    assert table == [["User id", "Week 3", "Feedback: Week 3"], ["57", "65.00", ""], ["63", "59.00", ""]]


def test_another_lms_user_ids_never_reach_a_gradebook_that_matches_on_them():
    # Canvas user ids are not Moodle's: matching on them would grade other students
    with pytest.raises(ExportError, match="user ids come from Canvas, not Moodle"):
        moodle_grades_csv(ROWS, ExportOptions("Week 3", 100, match_by=MatchBy.USERID, ids_from="canvas"))
    # Moodle's ids in Canvas's ID column would do the same: Canvas matches SIS ids, logins or names instead
    table = parsed(canvas_gradebook_csv(MOODLE_FORUM, ExportOptions("Week 3", 100, "48213", ids_from="moodle")))
    assert table[2] == ["Hannah Whitfield", "", "", "", "", "65.00"]


def test_when_no_id_covers_every_student_the_message_says_how_to_bring_them_in():
    rows = [GradeRow("Ana", email="ana@example.edu", points=1), GradeRow("Ben", sis_user_id="S2", points=2)]
    with pytest.raises(ExportError) as caught:
        moodle_grades_csv(rows, ExportOptions("Week 3", 100, ids_from="canvas"))
    assert str(caught.value) == (
        "1 student(s) have no email address for Moodle to match on: Ben; no other id covers every student either "
        "(--match-by idnumber would leave out 1): import the course's Moodle roster, which holds them (forumgrader "
        "roster import FILE --course NAME, or the course's roster page)"
    )


def test_a_grade_file_is_offered_only_when_every_student_has_an_id_its_gradebook_matches_on():
    from_discussion = [GradeRow("Ana", lms_user_id="57", points=1), GradeRow("Ben", lms_user_id="63", points=2)]
    # a Moodle forum's user ids are Moodle's: its file matches on them; Canvas and D2L have nothing to go by
    assert readiness("moodle", from_discussion, "moodle").match_by == (MatchBy.USERID,)
    canvas = readiness("canvas", from_discussion, "moodle")
    assert (canvas.ready, canvas.why) == (
        False,
        "Canvas matches students by their Canvas user id, SIS user id or login, and 2 of 2 students have none of them.",
    )
    d2l = readiness("d2l", from_discussion, "moodle")
    assert d2l.why == "D2L matches students by their OrgDefinedId or Username, and 2 of 2 students have neither."
    # the same students' Canvas user ids are Canvas's own when the posts came from Canvas
    assert readiness("canvas", from_discussion, "canvas").ready
    assert not readiness("moodle", from_discussion, "canvas").ready
    # a roster fills the ids: every student with an email makes Moodle's file, every Username D2L's
    rostered = [
        GradeRow("Ana", email="ana@example.edu", login_id="ana"),
        GradeRow("Ben", email="b@x.edu", login_id="b"),
    ]
    assert readiness("moodle", rostered, "d2l").match_by == (MatchBy.EMAIL,)
    assert readiness("d2l", rostered, "d2l").ready
