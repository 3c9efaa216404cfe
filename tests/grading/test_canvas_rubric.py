"""Canvas rubric CSV both ways, checked against the importer's documented rules (enhanced rubrics CSV)."""

from __future__ import annotations

import csv
import io

import pytest

from forumgrader.grading.canvas_rubric import rubric_to_canvas_csv, rubrics_from_canvas_csv
from forumgrader.grading.rubric import RubricError
from forumgrader.grading.rubricfile import load_rubric, parse_rubric, rubric_to_toml

HEADER = ["Rubric Name", "Criteria Name", "Criteria Description", "Criteria Enable Range"]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_our_rubric_as_a_canvas_import():
    table = rows(rubric_to_canvas_csv(load_rubric("canvas-discussion-60")))
    assert table[0][:4] == HEADER
    assert table[0][4:] == ["Rating Name", "Rating Description", "Rating Points"] * 3
    content = table[1]
    assert content[:2] == ["Discussion board rubric (60 points)", "Content and comprehension"]
    assert content[3] == "true"  # "20 to >15 pts" ranges
    assert content[4::3] == ["Excellent", "Satisfactory", "Needs improvement"]
    assert content[6::3] == ["20", "15", "10"]  # a rating's points are the top of its range
    timeliness = table[3]
    assert (timeliness[1], timeliness[3], timeliness[6::3]) == ("Timeliness", "false", ["10", "4", "0"])
    # criterion points are each criterion's top rating, and they add up to the rubric's 60
    assert sum(max(float(p) for p in row[6::3] if p) for row in table[1:]) == 60


def test_best_n_and_engagement_points_in_canvas_terms():
    rubric = parse_rubric("""
[[criteria]]
id = "replies"
name = "Replies"
applies_to = "each_reply"
best = 2
[[criteria.levels]]
name = "Long"
points = 4.5
when = { words = { min = 150 } }
[[criteria.levels]]
name = "Short"
points = 2
""")
    assert rows(rubric_to_canvas_csv(rubric))[1][4:] == ["Long", "", "9", "Short", "", "4"]
    engagement = rows(rubric_to_canvas_csv(load_rubric("engagement-points")))[1]
    assert engagement[3] == "true" and engagement[6::3] == ["100", "0"]


@pytest.mark.parametrize("name", ["graduate-discussion", "canvas-discussion-60", "engagement-points"])
def test_round_trip_keeps_names_descriptions_and_points(name):
    rubric = load_rubric(name)
    (back,) = rubrics_from_canvas_csv(rubric_to_canvas_csv(rubric))
    assert back.title == rubric.title
    assert back.possible == rubric.possible
    for ours, theirs in zip(rubric.criteria, back.criteria, strict=True):
        assert (theirs.name, theirs.description, theirs.manual) == (ours.name, ours.description, True)
        if ours.levels:
            assert [level.name for level in theirs.levels] == [level.name for level in ours.levels]
            assert [level.description for level in theirs.levels] == [level.description for level in ours.levels]
    # and what came back is a valid rubric file
    assert parse_rubric(rubric_to_toml(back)) == back


CANVAS_SPEC_STYLE = (
    "Rubric Name,Criteria Name,Criteria Description,Criteria Enable Range,Rating Name 1,Rating Description 1,"
    "Rating Points 1,Rating Name 2,Rating Description 2,Rating Points 2,Rating Name 3,Rating Description 3,"
    "Rating Points 3\n"
    'Discussion,Content,Depth and sources,true,Excellent,Full depth,20,Satisfactory,Most of it,15,Needs work,,"10,5"\n'
    "Discussion,Timeliness,,false,On time,,10,Late,,4\n"  # ragged: two ratings only
    "\n"
    'Peer review,Feedback,,FALSE,Helpful,,"1,75",Missing,,0\n'
)


def test_canvas_csv_with_numbered_headers_ragged_rows_and_decimal_commas():
    discussion, peer = rubrics_from_canvas_csv(CANVAS_SPEC_STYLE, "rubrics.csv")
    assert (discussion.title, discussion.name, peer.title) == ("Discussion", "discussion", "Peer review")
    content, timeliness = discussion.criteria
    assert content.id == "content" and content.description == "Depth and sources"
    # with the range flag, a rating runs from the next lower rating's points up to its own
    assert [(lv.name, lv.points) for lv in content.levels] == [
        ("Excellent", (15, 20)),
        ("Satisfactory", (10.5, 15)),
        ("Needs work", (0, 10.5)),
    ]
    assert [lv.points for lv in timeliness.levels] == [(10, 10), (4, 4)]
    assert peer.criteria[0].levels[0].points == (1.75, 1.75)
    assert discussion.possible == 30 and peer.possible == 1.75


def test_plain_headers_and_semicolons():
    text = (
        "Rubric Name;Criteria Name;Criteria Description;Criteria Enable Range;Rating Name;Rating Description;"
        "Rating Points\nR;C;;false;A;;2,5\n"
    )
    (rubric,) = rubrics_from_canvas_csv(text)
    assert rubric.criteria[0].levels[0].points == (2.5, 2.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name,Criteria,Description,Range\n", "rubric.csv: line 1: expected the columns Rubric Name, Criteria Name"),
        (
            "Rubric Name,Criteria Name,Criteria Description,Criteria Enable Range,Rating Name,Points,Rating Points\n",
            "rubric.csv: line 1, column 6: expected 'Rating Description' (numbered or not), got 'Points'",
        ),
        (
            ",".join(HEADER) + ",Rating Name,Rating Description,Rating Points\n,C,,false,A,,1\n",
            "rubric.csv: line 2: Rubric Name is missing",
        ),
        (
            ",".join(HEADER) + ",Rating Name,Rating Description,Rating Points\nR,C,,false\n",
            "rubric.csv: line 2: criterion 'C' has no ratings",
        ),
        (
            ",".join(HEADER) + ",Rating Name,Rating Description,Rating Points\nR,C,,false,A,,many\n",
            "rubric.csv: line 2, rating 1: Rating Points: expected a number, got 'many'",
        ),
        (
            ",".join(HEADER) + ",Rating Name,Rating Description,Rating Points\nR,C,,maybe,A,,1\n",
            "rubric.csv: line 2: Criteria Enable Range: expected true or false, got 'maybe'",
        ),
    ],
)
def test_canvas_csv_problems_are_named(text, message):
    with pytest.raises(RubricError) as caught:
        rubrics_from_canvas_csv(text, "rubric.csv")
    assert caught.value.problems[0].startswith(message)
