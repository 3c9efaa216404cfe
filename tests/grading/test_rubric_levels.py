"""Levels as instructors write them: best first, ranges that may share an end or leave a gap but never overlap."""

from __future__ import annotations

import pytest

from forumgrader.grading.canvas_rubric import rubrics_from_canvas_csv
from forumgrader.grading.rubric import RubricError
from forumgrader.grading.rubricfile import parse_rubric, rubric_to_toml
from forumgrader.grading.scoring import Override, apply_overrides, score_student

from .factories import DUE_INITIAL, DUE_REPLIES, NOW, post

LEVELS = """
[[criteria]]
id = "main-posting"
name = "Main posting"
applies_to = "main_post"

[[criteria.levels]]
name = "Excellent"
points = {top}
when = {{ words = {{ min = 300 }} }}

[[criteria.levels]]
name = "Fair"
points = {lower}
"""


def problems(top: str, lower: str) -> list[str]:
    with pytest.raises(RubricError) as caught:
        parse_rubric(LEVELS.format(top=top, lower=lower), "week3.toml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("top", "lower", "message"),
    [
        ("[30, 40]", "[0, 35]", "[0, 35] overlaps levels[1] ([30, 40]): 30 to 35 points fit both"),
        ("[30, 40]", "35", "35 overlaps levels[1] ([30, 40]): 35 points fit both"),
        ("10", "12", "levels go best first, but this one gives up to 12, more than levels[1] (10)"),
    ],
)
def test_levels_that_overlap_or_go_worst_first_are_refused(top, lower, message):
    assert problems(top, lower) == [f'week3.toml: criterion "main-posting", key "levels[2].points": {message}']


@pytest.mark.parametrize(
    ("top", "lower"),
    [
        ("[15, 20]", "[10, 15]"),  # Canvas's "20 to >15" and "15 to >10": a shared end
        ("[40, 43]", "[35, 39]"),  # whole-point bands, as published rubrics write them
        ("45", "[0, 30]"),  # a gap: no score between 30 and 45
        ("0", "0"),  # levels worth nothing, told apart by their conditions
    ],
)
def test_shared_ends_and_gaps_are_fine(top, lower):
    parse_rubric(LEVELS.format(top=top, lower=lower))


def test_a_canvas_rubric_with_its_ratings_lowest_first_becomes_levels_best_first():
    text = (
        "Rubric Name,Criteria Name,Criteria Description,Criteria Enable Range,Rating Name,Rating Description,"
        "Rating Points,Rating Name,Rating Description,Rating Points,Rating Name,Rating Description,Rating Points\n"
        "Week 3,Content,,true,Beginning,,5,Developing,,10,Exemplary,,20\n"
    )
    (rubric,) = rubrics_from_canvas_csv(text)
    levels = rubric.criterion("content").levels
    assert [(level.name, level.points) for level in levels] == [
        ("Exemplary", (10, 20)),
        ("Developing", (5, 10)),
        ("Beginning", (0, 5)),
    ]
    assert parse_rubric(rubric_to_toml(rubric)) == rubric


def test_an_override_of_several_replies_together_names_no_level(participation_of):
    rubric = parse_rubric("""
[[criteria]]
id = "replies"
name = "Replies"
applies_to = "each_reply"
best = 2
[[criteria.levels]]
name = "Long"
points = 4
when = { words = { min = 150 } }
[[criteria.levels]]
name = "Short"
points = 2
""")
    theirs = post("ben")
    computed = score_student(
        rubric,
        participation_of("ana", theirs, post("ana", parent=theirs.post_id)),
        now=NOW,
        due_initial=DUE_INITIAL,
        due_replies=DUE_REPLIES,
    )
    # 4 of 8 could be one long reply or two short ones: it is not the level "Long"
    changed = apply_overrides(computed, rubric, {"replies": Override(4, "both replies were thoughtful")})
    assert (changed.criterion("replies").points, changed.criterion("replies").level) == (4, None)
