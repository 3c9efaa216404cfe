"""No points for absent work: a criterion with nothing to assess gives the rubric's points for that case, an
override recomputes the level and the feedback, and the feedback always agrees with the points."""

from __future__ import annotations

from dataclasses import replace

import pytest

from forumgrader.grading import RubricError, load_rubric, parse_rubric
from forumgrader.grading.scoring import Override, apply_overrides, score_student

from .factories import DUE_INITIAL, DUE_REPLIES, NOW, at, post, source

GRADUATE = load_rubric("graduate-discussion")


def score(participation, rubric=GRADUATE, *, due_initial=DUE_INITIAL, due_replies=DUE_REPLIES):
    return score_student(rubric, participation, now=NOW, due_initial=due_initial, due_replies=due_replies)


def named(participation, name):
    return replace(participation, name=name)


def test_an_empty_post_earns_nothing_it_did_not_do(participation_of):
    found = score(participation_of("ana", post(words=0, text="")))
    by_id = {c.criterion: c for c in found.criteria}
    assert by_id["main-posting"].points == 0  # Poor, scaled by its 0 words
    assert (by_id["main-writing"].points, by_id["main-writing"].level) == (0, None)
    assert by_id["main-writing"].not_assessed == "nothing is cited, so there are no citations or references to check"
    assert by_id["citation-integrity"].not_assessed == "no references to check"
    assert by_id["main-timeliness"].points == 5  # it was posted, on time: that much was done
    assert found.total == 5
    assert "full marks" not in found.feedback and "Well done on main posting: timeliness." in found.feedback


def test_a_post_without_sources_never_outscores_the_same_post_with_them(participation_of):
    """Omar (no sources) against Hannah (the same post, citing 3 sources with one APA slip)."""
    omar = score(participation_of("omar", post("omar", words=320, when=at(10))))
    hannah = score(
        participation_of(
            "hannah",
            post(
                "hannah",
                words=320,
                when=at(10),
                citations=3,
                sources=(source(), source(), source()),
                findings=(("year_mismatch", "warning"),),
            ),
        )
    )
    for mine, theirs in zip(omar.criteria, hannah.criteria, strict=True):
        assert mine.points <= theirs.points, mine.criterion
    assert omar.total < hannah.total
    writing = omar.criterion("main-writing")
    assert (writing.points, writing.reason) == (
        0,
        "not assessed: nothing is cited, so there are no citations or references to check: 0/10",
    )


def test_the_feedback_of_a_post_without_sources_says_why_and_what_would_earn_the_points(participation_of):
    theirs = post("ben")
    omar = named(participation_of("omar", post("omar", words=280), theirs), "Omar")
    feedback = score(omar).feedback
    assert (
        "We could not assess “Main posting: writing”, because nothing is cited, so there are no citations or "
        "references to check (0 of 10 points). To earn these points, cite your sources in the text and list them "
        "in APA style."
    ) in feedback
    assert "Well done on main posting: writing" not in feedback
    # what would earn more is the next level up, with its points: never "full marks" on a criterion worth nothing
    assert "Room for improvement (31 points) asks for: at least 150 words with 2 credible sources." in feedback
    assert "Citation integrity" not in feedback


def test_a_criterion_worth_no_points_never_speaks_of_marks(participation_of):
    flagged = source("not_found", key="x", reviewed="confirmed", matched=False)
    found = score(participation_of("ana", post(words=320, citations=1, sources=(source(), flagged))))
    integrity = found.criterion("citation-integrity")
    assert (integrity.level, integrity.points, integrity.possible) == ("Needs correction", 0, 0)
    assert "Citation integrity (worth no points): 1 reference flagged" in found.feedback
    assert "full marks" not in found.feedback and "asks for: every reference" not in found.feedback.lower()


def test_without_a_due_date_the_rubric_decides_what_timeliness_gives(participation_of):
    ana = participation_of("ana", post(when=at(14)))
    default = score(ana, due_initial=None).criterion("main-timeliness")
    assert (default.points, default.provisional, default.level) == (0, True, None)
    text = GRADUATE_TIMELINESS.format(rule="not_assessed = 5")
    given = score(ana, parse_rubric(text), due_initial=None).criterion("main-timeliness")
    # a declared number is still only the instructor's to confirm when the topic lacks the date
    assert (given.points, given.provisional) == (5, True)
    cited_nothing = score(participation_of("ana", post()), parse_rubric(WRITING.format(rule="not_assessed = 2")))
    assert (cited_nothing.criterion("writing").points, cited_nothing.provisional) == (2, False)
    asked = score(participation_of("ana", post()), parse_rubric(WRITING.format(rule='not_assessed = "instructor"')))
    assert (asked.criterion("writing").points, asked.provisional) == (0, True)
    assert "your instructor will decide" in asked.feedback


GRADUATE_TIMELINESS = """
[[criteria]]
id = "main-timeliness"
name = "Timeliness"
applies_to = "main_post"
{rule}
[[criteria.levels]]
name = "On time"
points = 5
when = {{ minutes_late = {{ max = 0 }} }}
[[criteria.levels]]
name = "Late"
points = 1
"""

WRITING = """
[[criteria]]
id = "writing"
name = "APA"
applies_to = "main_post"
{rule}
[[criteria.levels]]
name = "Clean"
points = 3
when = {{ findings = {{ max = 0 }} }}
[[criteria.levels]]
name = "Slips"
points = 1
"""


def test_a_level_decided_by_other_conditions_is_still_given(participation_of):
    """Only when the student's level cannot be told without the missing measure is the criterion not assessed."""
    rubric = parse_rubric("""
[[criteria]]
id = "c"
name = "Main post"
applies_to = "main_post"
[[criteria.levels]]
name = "Full"
points = 10
when = { words = { min = 300 }, findings = { max = 0 } }
[[criteria.levels]]
name = "Short"
points = 4
""")
    short = score(participation_of("ana", post(words=100)), rubric).criterion("c")
    assert (short.level, short.points, short.not_assessed) == ("Short", 4, "")  # 100 words rule Full out
    long = score(participation_of("ana", post(words=400)), rubric).criterion("c")
    assert (long.level, long.points, long.not_assessed) == (None, 0, "nothing is cited, so there are no "
                                                            "citations or references to check")  # fmt: skip


def test_an_override_recomputes_the_level_and_the_feedback(participation_of):
    theirs = post("ben")
    zed = named(participation_of("zed", post("zed", parent=theirs.post_id, words=160, when=at(13)), theirs), "Zed")
    computed = score(zed)
    assert computed.criterion("main-posting").missing == "main post"
    changed = apply_overrides(computed, GRADUATE, {"main-posting": Override(38, "The main post came by email.")})
    main = changed.criterion("main-posting")
    # 38 reaches Proficient (36) but not Excellent (40)
    assert (main.level, main.points, main.missing, main.evidence) == (
        "Proficient",
        38,
        "",
        "The main post came by email.",
    )
    assert "Main posting (38/45): set by your instructor: The main post came by email." in changed.feedback
    # the other criteria of the main post still miss it, and the sentence counts only them
    assert "We did not find a main post or a second reply from you in this discussion; they are worth 35 points." in (
        changed.feedback
    )
    lowest = apply_overrides(computed, GRADUATE, {"main-posting": Override(0, "Nothing usable.")})
    assert lowest.criterion("main-posting").level == "Poor"


def test_an_override_settles_a_criterion_that_was_not_assessed(participation_of):
    ana = participation_of("ana", post(when=at(14)))
    undated = score(ana, due_initial=None)
    decided = apply_overrides(undated, GRADUATE, {"main-timeliness": Override(5, "Posted before the live session.")})
    timeliness = decided.criterion("main-timeliness")
    assert (timeliness.points, timeliness.level, timeliness.provisional, timeliness.not_assessed) == (
        5,
        "On time",
        False,
        "",
    )
    assert "computed: 0, not assessed" in timeliness.reason
    assert "because no due date is set" in undated.feedback and "because no due date" not in decided.feedback


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("not_assessed = 12", 'key "not_assessed": expected points from 0 to 5, or "instructor", got 12'),
        ('not_assessed = "later"', 'key "not_assessed": expected points from 0 to 5, or "instructor", got "later"'),
    ],
)
def test_a_rubric_file_declares_what_not_assessed_gives(rule, problem):
    with pytest.raises(RubricError) as error:
        parse_rubric(GRADUATE_TIMELINESS.format(rule=rule), "week.toml")
    assert error.value.problems == [f'week.toml: criterion "main-timeliness", {problem}']


def test_prompt_coverage_without_parts_of_the_prompt_is_refused():
    text = """
[[criteria]]
id = "main"
name = "Main"
applies_to = "main_post"
[[criteria.levels]]
name = "All"
points = 5
when = { prompt_coverage = { min = 1.0 } }
[[criteria.levels]]
name = "Some"
points = 2
"""
    with pytest.raises(RubricError) as error:
        parse_rubric(text, "week.toml")
    assert error.value.problems == [
        'week.toml: criterion "main", key "levels[1].when.prompt_coverage": the rubric names no parts of the prompt '
        "(add [[prompt]] tables), so every student would be not assessed on this criterion: add the parts, or "
        "remove this condition"
    ]
    parse_rubric(text.replace("[[criteria]]", '[[prompt]]\npart = "a"\nkeywords = ["x"]\n\n[[criteria]]', 1))
