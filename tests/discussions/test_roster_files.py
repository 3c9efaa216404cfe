"""Rosters: each LMS's own class list or gradebook export read into members with the ids its gradebook matches on,
with every problem named by line and column."""

from __future__ import annotations

import pytest
from test_spreadsheet_import import workbook

from forumgrader.discussions.model import ExportError, Role
from forumgrader.discussions.rosters import GradeColumn, RosterLms, RosterMember, plain_name, read_roster

# Grades > Export in Canvas: the "Manual Posting" row and the "Points Possible" row come before the students,
# names are "Last, First", the Student View user comes last, and a name starting with "=" is quoted as a formula.
CANVAS = (
    b"Student,ID,SIS User ID,SIS Login ID,Section,Week 3 Discussion: Psychotherapy (48213),Quiz 1 (48220),"
    b"Current Points,Final Points\n"
    b",,,,,Manual Posting,,,\n"
    b"    Points Possible,,,,,100.00,10.00,(read only),(read only)\n"
    b'"Okafor, Danielle",20931,S0931,dokafor,PSY 5120 01,88.00,9.00,97.00,97.00\n'
    b'"Bennett, Marcus",20940,S0940,mbennett,PSY 5120 01,,8.00,8.00,8.00\n'
    b'"=""Eve, Adam""",20999,,eadam,PSY 5120 02,N/A,EX,0.00,0.00\n'
    b'"Student, Test",21000,,,PSY 5120 01,,,0.00,0.00\n'
)

MOODLE_PARTICIPANTS = (
    b"First name,Last name,ID number,Email address\n"
    b"Hannah,Whitfield,22-0457,h.whitfield@student.example.edu\n"
    b"Omar,Haddad,22-0461,o.haddad@student.example.edu\n"
)

# Grades > Export > Plain text file: profile fields, each item "<module>: <name> (Real)", the time it was taken
MOODLE_GRADES = (
    b'"First name","Last name","ID number",Institution,Department,"Email address",'
    b'"Forum: Week 2: Mind, body and psychotherapy (Real)","Course total (Real)","Last downloaded from this course"\n'
    b"Hannah,Whitfield,22-0457,,Psychology,h.whitfield@student.example.edu,-,0.00,1717420800\n"
)

# Grades > Export in Brightspace, key field Both: ids carry a "#" so spreadsheets keep leading zeros
D2L = (
    b"OrgDefinedId,Username,Last Name,First Name,Email,Week 4 Discussion Points Grade <Numeric MaxPoints:50 "
    b"Category:Discussions>,Calculated Final Grade Numerator,End-of-Line Indicator\n"
    b"#000462974,#mstokes,Stokes,Megan,megan.stokes@example.edu,,,#\n"
    b"#000892801,#mboatwright,Boatwright,Mariah,mariah.boatwright@example.edu,42,,#\n"
)


def test_a_canvas_gradebook_export_gives_canvas_ids_and_assignment_columns():
    roster = read_roster(CANVAS, filename="2024-06-03_PSY_5120_Grades.csv")
    assert (roster.lms, roster.kind) == (RosterLms.CANVAS, "Canvas gradebook export")
    assert roster.members[0] == RosterMember(
        name="Danielle Okafor",
        sortable_name="Okafor, Danielle",
        lms_user_id="20931",
        sis_user_id="S0931",
        login_id="dokafor",
        section="PSY 5120 01",
        line=4,
    )
    # the formula-quoted name is read as the name; the Student View user is not a student
    assert [member.name for member in roster.members] == ["Danielle Okafor", "Marcus Bennett", "Adam Eve"]
    assert roster.columns == (
        GradeColumn("Week 3 Discussion: Psychotherapy", "48213", 100.0),
        GradeColumn("Quiz 1", "48220", 10.0),
    )


def test_moodle_participants_and_grades_give_email_and_id_number():
    participants = read_roster(MOODLE_PARTICIPANTS, filename="courseid_812_participants.csv")
    assert (participants.lms, participants.kind) == (RosterLms.MOODLE, "Moodle participants")
    assert participants.members[1] == RosterMember(
        name="Omar Haddad",
        sortable_name="Haddad, Omar",
        sis_user_id="22-0461",
        email="o.haddad@student.example.edu",
        line=3,
    )
    grades = read_roster(MOODLE_GRADES, filename="PSY 5120 Grades.csv")
    assert grades.kind == "Moodle grades export"
    assert grades.columns == (GradeColumn("Week 2: Mind, body and psychotherapy"),)


def test_a_d2l_grades_export_gives_org_defined_ids_and_usernames_without_their_hash():
    roster = read_roster(D2L, filename="NURS 3310_GradesExport_2024-10-06-19-02.csv")
    assert (roster.lms, roster.kind) == (RosterLms.D2L, "D2L grades export")
    first = roster.members[0]
    assert (first.name, first.sis_user_id, first.login_id, first.email) == (
        "Megan Stokes",
        "000462974",
        "mstokes",
        "megan.stokes@example.edu",
    )
    assert roster.columns == (GradeColumn("Week 4 Discussion", points_possible=50.0),)


def test_a_roster_saved_as_an_excel_workbook_reads_like_its_csv():
    rows = [line.split(",") for line in MOODLE_PARTICIPANTS.decode().splitlines()]
    from_excel = read_roster(workbook(rows), filename="participants.xlsx")
    assert from_excel.members == read_roster(MOODLE_PARTICIPANTS).members


def test_staff_in_a_roster_are_not_students():
    text = "First name,Last name,Email address,Roles\nAlan,Brooks,a.brooks@example.edu,Teacher\n" \
           "Hannah,Whitfield,h@example.edu,Student\n"  # fmt: skip
    roster = read_roster(text.encode())
    assert [(member.name, member.role) for member in roster.members] == [
        ("Alan Brooks", Role.INSTRUCTOR),
        ("Hannah Whitfield", Role.STUDENT),
    ]


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (CANVAS.replace(b"20940", b"abc"), (5, "ID"), "the Canvas user id is a number, not 'abc'"),
        (
            MOODLE_PARTICIPANTS + b"Omar,Haddad,22-0461,someone@example.edu\n",
            (4, "ID number"),
            "22-0461 is listed twice (first at line 3): keep one row",
        ),
        (b"Name,Score\nAna,3\n", (1, None), "the columns of roster.csv (Name, Score...) are not a roster we know"),
        (b"First name,Last name,Email address\n", (None, None), "roster.csv lists no students"),
    ],
)
def test_a_roster_with_a_problem_is_refused_naming_the_line_and_column(data, where, message):
    with pytest.raises(ExportError) as caught:
        read_roster(data)
    assert (caught.value.line, caught.value.field) == where
    assert caught.value.message.startswith(message)


def test_names_match_whatever_their_case_accents_and_punctuation():
    assert plain_name("O'Neil,  Zoë") == plain_name("oneil zoe")
    assert plain_name("Jean-Luc Picard") != plain_name("Jean Luc")
