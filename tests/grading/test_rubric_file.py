"""Rubric files: the shipped rubrics, the schema, and errors that name the file, criterion and key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from forumgrader.grading.rubric import AppliesTo, RubricError, resolve_due
from forumgrader.grading.rubricfile import load_rubric, parse_rubric, rubric_to_toml, shipped_rubrics

GOOD = """
name = "tiny"
title = "Tiny rubric"

[[criteria]]
id = "main-posting"
name = "Main posting"
applies_to = "main_post"

[[criteria.levels]]
name = "Good"
points = 10
when = { sources_cited = { min = 2 } }

[[criteria.levels]]
name = "Fair"
points = 5
"""


def problems(text: str) -> list[str]:
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "rubric.toml")
    return caught.value.problems


def test_the_three_shipped_rubrics():
    assert shipped_rubrics() == ["canvas-discussion-60", "engagement-points", "graduate-discussion"]
    graduate = load_rubric("graduate-discussion")
    assert {c.id: c.possible for c in graduate.criteria} == {
        "main-posting": 45,
        "main-writing": 10,
        "main-timeliness": 5,
        "first-response": 9,
        "first-response-writing": 6,
        "first-response-timeliness": 5,
        "second-response": 9,
        "second-response-writing": 6,
        "second-response-timeliness": 5,
        "citation-integrity": 0,
    }
    assert graduate.possible == 100
    canvas = load_rubric("canvas-discussion-60")
    assert {c.id: c.possible for c in canvas.criteria} == {
        "content": 20,
        "engagement": 20,
        "timeliness": 10,
        "mechanics": 10,
        "citation-integrity": 0,
    }
    engagement = load_rubric("engagement-points")
    points = engagement.criterion("engagement-points")
    assert (points.possible, points.weekly_cap) == (100, 100)
    assert [(e.call.measure, e.call.param("min_words"), e.points) for e in points.earn] == [
        ("posts_written", 40, 40),
        ("replies_written", 20, 20),
        ("replies_received", None, 10),
    ]
    for rubric in (graduate, canvas, engagement):
        assert rubric.criterion("citation-integrity").applies_to is AppliesTo.PARTICIPATION


@pytest.mark.parametrize("name", ["graduate-discussion", "canvas-discussion-60", "engagement-points"])
def test_shipped_rubrics_write_back_to_the_same_rubric(name):
    rubric = load_rubric(name)
    assert parse_rubric(rubric_to_toml(rubric), f"{name}.toml") == rubric


def test_load_by_path_and_unknown_names(tmp_path: Path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert load_rubric(path).name == "tiny"
    assert load_rubric(str(path)).source == str(path)
    with pytest.raises(RubricError, match="graduate-discussion"):
        load_rubric("no-such-rubric")


def test_the_example_error_from_the_schema():
    text = GOOD.replace('name = "Fair"\npoints = 5', 'name = "Fair"\npoints = "ten"')
    assert problems(text) == [
        'rubric.toml: criterion "main-posting", key "levels[2].points": expected a number or [min, max], got "ten"'
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("[[criteria]]", "critera = 1\n[[criteria]]"),
            'rubric.toml: key "critera": unknown key (did you mean "criteria"?)',
        ),
        (
            ('name = "Fair"', 'name = "Fair"\npoint = 5'),
            'rubric.toml: criterion "main-posting", key "levels[2].point": unknown key (did you mean "points"?)',
        ),
        (
            ("sources_cited = { min = 2 }", "sources_cite = { min = 2 }"),
            'rubric.toml: criterion "main-posting", key "levels[1].when.sources_cite": unknown measure "sources_cite" '
            '(did you mean "sources_cited"?)',
        ),
        (
            ("sources_cited = { min = 2 }", 'sources_recent = { min = 2, years = "five" }'),
            'rubric.toml: criterion "main-posting", key "levels[1].when.sources_recent.years": '
            'expected a whole number, got "five"',
        ),
        (
            ("sources_cited = { min = 2 }", "sources_recent = { min = 2, yeras = 5 }"),
            'rubric.toml: criterion "main-posting", key "levels[1].when.sources_recent.yeras": unknown key '
            '(did you mean "years"?)',
        ),
        (
            ("sources_cited = { min = 2 }", "sources_cited = { min = 3, max = 2 }"),
            'rubric.toml: criterion "main-posting", key "levels[1].when.sources_cited": min (3) is above max (2)',
        ),
        (
            ("sources_cited = { min = 2 }", "sources_cited = { }"),
            'rubric.toml: criterion "main-posting", key "levels[1].when.sources_cited": give min, max or both',
        ),
        (
            ("sources_cited = { min = 2 }", "sources_cited = 2"),
            'rubric.toml: criterion "main-posting", key "levels[1].when.sources_cited": expected a table such as '
            "{ min = 3 }, got 2",
        ),
        (
            ("points = 5\n", "points = 5\nwhen = { words = { min = 1 } }\n"),
            'rubric.toml: criterion "main-posting", key "levels[2].when": the last level takes no conditions, so every '
            "student gets a level",
        ),
        (
            ("when = { sources_cited = { min = 2 } }\n", ""),
            'rubric.toml: criterion "main-posting", key "levels[1].when": missing: without conditions the levels after '
            "this one are never reached",
        ),
        (
            ('applies_to = "main_post"', 'applies_to = "main_post"\nrank = 2'),
            'rubric.toml: criterion "main-posting", key "rank": only criteria with applies_to = "each_reply" rank '
            "replies",
        ),
        (
            ('applies_to = "main_post"', 'applies_to = "the_main_post"'),
            'rubric.toml: criterion "main-posting", key "applies_to": expected one of "main_post", "each_reply", '
            '"participation", got "the_main_post"',
        ),
        (
            ('applies_to = "main_post"', 'applies_to = "participation"\nshow = ["minutes_late"]'),
            'rubric.toml: criterion "main-posting", key "show": measure "minutes_late" reads one post: use it in a '
            "main_post or each_reply criterion",
        ),
        (
            ('id = "main-posting"', 'id = "Main Posting"'),
            'rubric.toml: criterion "Main Posting", key "id": expected lower-case letters, digits, - and _ '
            '(e.g. "main-posting"), got "Main Posting"',
        ),
        (
            ('title = "Tiny rubric"', 'title = "Tiny rubric"\ntimezone = "Mars/Olympus"'),
            'rubric.toml: key "timezone": expected a time zone name such as "America/Chicago", got "Mars/Olympus"',
        ),
        (
            ('name = "Fair"\npoints = 5', 'name = "Fair"\npoints = [10, 5]'),
            'rubric.toml: criterion "main-posting", key "levels[2].points": expected a number or [min, max], '
            "got [10, 5]",
        ),
        (
            ('name = "Fair"\npoints = 5', 'name = "Fair"\npoints = 5\nscale = { words = { from = 0, to = 300 } }'),
            'rubric.toml: criterion "main-posting", key "levels[2].scale": only a level with a range of points '
            "([min, max]) can scale",
        ),
        (
            ("sources_cited = { min = 2 }", 'findings = { max = 0, severity = ["fatal"] }'),
            'rubric.toml: criterion "main-posting", key "levels[1].when.findings.severity": expected a list of texts '
            'from error, info, warning, got ["fatal"]',
        ),
    ],
)
def test_errors_name_the_file_criterion_and_key(change, expected):
    old, new = change
    assert old in GOOD
    assert problems(GOOD.replace(old, new, 1)) == [expected]


def test_nothing_in_a_rubric_file_is_evaluated():
    text = GOOD.replace("when = { sources_cited = { min = 2 } }", "when = \"__import__('os').system('rm -rf /')\"")
    assert problems(text) == [
        'rubric.toml: criterion "main-posting", key "levels[1].when": expected a table of conditions such as '
        "{ sources_cited = { min = 3 } }, got \"__import__('os').system('rm -rf /')\""
    ]


def test_every_problem_is_reported_at_once():
    text = GOOD.replace("points = 10", 'points = "ten"').replace("points = 5", "pionts = 5")
    found = problems(
        text + '\n[[criteria]]\nid = "main-posting"\nname = "Again"\napplies_to = "participation"\n'
        '[[criteria.levels]]\nname = "Only"\npoints = 1\n'
    )
    assert len(found) == 4, found
    assert any('"levels[1].points"' in p for p in found)
    assert any('"levels[2].pionts": unknown key' in p for p in found)
    assert any('"levels[2].points": missing' in p for p in found)
    assert any('"main-posting" is used by another criterion' in p for p in found)


def test_not_toml_and_no_criteria():
    assert problems("name = ")[0].startswith("rubric.toml: not valid TOML:")
    assert problems('name = "x"') == ['rubric.toml: key "criteria": missing: add at least one [[criteria]] table']


def test_engagement_points_need_a_counting_measure_and_a_cap():
    text = """
[[criteria]]
id = "points"
name = "Points"
applies_to = "participation"
earn = [{ measure = "words", points = 1 }]
"""
    assert problems(text) == [
        'rubric.toml: criterion "points", key "cap": expected the criterion\'s points possible (a number above 0), '
        "got null",
        'rubric.toml: criterion "points", key "earn[1].measure": measure "words" does not count posts; points can be '
        "earned from: posts_written, replies_received, replies_written",
    ]


def test_manual_criteria_take_no_conditions():
    text = GOOD.replace('applies_to = "main_post"', 'applies_to = "main_post"\nmanual = true')
    assert problems(text) == [
        'rubric.toml: criterion "main-posting", key "levels[1].when": a manual criterion\'s levels take no '
        "conditions: the instructor picks"
    ]
    manual = parse_rubric(text.replace("when = { sources_cited = { min = 2 } }\n", ""))
    assert manual.criterion("main-posting").manual


def test_prompt_parts_and_labelled_conditions():
    text = (
        GOOD.replace(
            "when = { sources_cited = { min = 2 } }",
            """
[criteria.levels.when]
serious = { measure = "findings", severity = ["error", "warning"], max = 0 }
notes = { measure = "findings", severity = ["info"], max = 2 }""",
        )
        + """
[[prompt]]
part = "Biological basis"
keywords = [["biolog*", "brain"], "psychotherapy"]
"""
    )
    rubric = parse_rubric(text)
    assert rubric.prompt[0].groups == (("biolog*", "brain"), ("psychotherapy",))
    bounds = rubric.criterion("main-posting").levels[0].when
    assert [(b.label, b.call.param("severity"), b.maximum) for b in bounds] == [
        ("serious", ("error", "warning"), 0),
        ("notes", ("info",), 2),
    ]
    assert parse_rubric(rubric_to_toml(rubric)) == rubric
    broken = GOOD + '\n[[prompt]]\npart = "x"\nkeywords = [3]\n'
    assert problems(broken) == [
        'rubric.toml: key "prompt[1].keywords": expected keywords (texts) or lists of keywords, got 3'
    ]


def test_due_dates_in_the_rubric_and_derived_ones():
    text = GOOD.replace(
        'title = "Tiny rubric"',
        """title = "Tiny rubric"
timezone = "America/Denver"

[due]
replies = 2024-09-15
initial_days_before_replies = 4
""",
    )
    rubric = parse_rubric(text)
    denver = ZoneInfo("America/Denver")
    assert rubric.due.replies == datetime(2024, 9, 15, 23, 59, 59, tzinfo=denver)  # a date means the end of that day
    topic_initial = datetime(2024, 9, 12, 5, 59, tzinfo=UTC)
    # the rubric's own date wins over the topic's; the topic's initial due date wins over the derived one
    assert resolve_due(rubric, topic_initial, None) == (topic_initial, rubric.due.replies)
    initial, replies = resolve_due(rubric, None, datetime(2030, 1, 1, tzinfo=UTC))
    assert replies == rubric.due.replies and initial == replies - timedelta(days=4)
    local = parse_rubric(text.replace("replies = 2024-09-15", "replies = 2024-09-15T20:00:00"))
    assert local.due.replies == datetime(2024, 9, 15, 20, 0, tzinfo=denver)


README = Path(__file__).resolve().parents[2] / "rubrics" / "README.md"


def test_the_schema_documentation_covers_every_key_and_measure_and_its_example_is_valid():
    from forumgrader.grading.measures import MEASURES
    from forumgrader.grading.rubricreader import CRITERION_KEYS, DUE_KEYS, LEVEL_KEYS, TOP_KEYS

    text = README.read_text(encoding="utf-8")
    for key in (*TOP_KEYS, *DUE_KEYS, *CRITERION_KEYS, *LEVEL_KEYS, *MEASURES):
        assert f"`{key}`" in text, key
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    rubric = parse_rubric(example, "week3.toml")
    assert (rubric.name, rubric.possible, len(rubric.prompt)) == ("week3", 45, 2)
    assert rubric.due.initial == datetime(2024, 9, 11, 23, 59, tzinfo=ZoneInfo("America/Denver"))
