"""Scoring: levels chosen by rules, replies ranked, points per post, provisional scores, overrides and feedback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forumgrader.grading.rubricfile import load_rubric, parse_rubric
from forumgrader.grading.scoring import Override, apply_overrides, score_student

from .factories import DUE_INITIAL, DUE_REPLIES, NOW, at, post, source

RUBRIC = parse_rubric("""
name = "test"
title = "Test rubric"

[[criteria]]
id = "main"
name = "Main post"
applies_to = "main_post"
show = ["sources_cited"]

[[criteria.levels]]
name = "Strong"
points = 10
description = "Three credible sources and 300 words."
when = { sources_credible = { min = 3 }, words = { min = 300 } }

[[criteria.levels]]
name = "Supported"
points = [6, 8]
scale = { words = { from = 100, to = 300 } }
when = { sources_credible = { min = 1 } }

[[criteria.levels]]
name = "Unsupported"
points = 2

[[criteria]]
id = "on-time"
name = "On time"
applies_to = "main_post"

[[criteria.levels]]
name = "On time"
points = 5
when = { minutes_late = { max = 0 } }

[[criteria.levels]]
name = "Late"
points = 1

[[criteria]]
id = "reply"
name = "Reply"
applies_to = "each_reply"
rank = 1

[[criteria.levels]]
name = "Long"
points = 4
when = { words = { min = 150 } }

[[criteria.levels]]
name = "Short"
points = 2

[[criteria]]
id = "second-reply"
name = "Second reply"
applies_to = "each_reply"
rank = 2

[[criteria.levels]]
name = "Long"
points = 4
when = { words = { min = 150 } }

[[criteria.levels]]
name = "Short"
points = 2
""")


def score(participation, rubric=RUBRIC, *, now=NOW, due_initial=DUE_INITIAL, due_replies=DUE_REPLIES):
    return score_student(rubric, participation, now=now, due_initial=due_initial, due_replies=due_replies)


def three_sources():
    return (source(), source(), source())


def test_the_first_level_whose_conditions_all_hold_wins(participation_of):
    strong = score(participation_of("ana", post(words=320, sources=three_sources())))
    assert strong.criterion("main").level == "Strong"
    assert strong.criterion("main").reason == (
        "3 sources cited, 3 credible sources, 320 words (not counting the reference list): Strong, 10/10"
    )
    # 290 words misses Strong; one credible source is enough for Supported
    supported = score(participation_of("ana", post(words=290, sources=three_sources())))
    assert supported.criterion("main").level == "Supported"


@pytest.mark.parametrize(("words", "points"), [(100, 6), (200, 7), (250, 7.5), (299, 7.99), (50, 6)])
def test_a_range_level_scales_with_its_measure(participation_of, words, points):
    found = score(participation_of("ana", post(words=words, sources=(source(),)))).criterion("main")
    assert (found.level, found.points) == ("Supported", points)


def test_without_a_due_date_timeliness_is_not_assessed_and_waits_for_the_instructor(participation_of):
    ana = participation_of("ana", post(when=at(14)))
    undated = score(ana, due_initial=None)
    found = undated.criterion("on-time")
    assert (found.level, found.points, found.provisional) == (None, 0, True)
    assert found.not_assessed == "no due date is set for the main post"
    assert found.reason == "not assessed: no due date is set for the main post: 0/5 until your instructor decides"
    assert undated.provisional
    assert (
        "We could not assess “On time” yet, because no due date is set for the main post; your instructor will decide."
        in undated.feedback
    )
    late = score(ana).criterion("on-time")
    assert (late.level, late.points, late.not_assessed) == ("Late", 1, "")


def test_missing_main_post_scores_nothing_and_waits_while_not_due(participation_of):
    theirs = post("ben")
    ana = participation_of("ana", theirs, post("ana", parent=theirs.post_id))
    found = score(ana).criterion("main")
    assert (found.points, found.reason, found.provisional, found.missing) == (
        0,
        "no main post: 0/10",
        False,
        "main post",
    )
    early = score(ana, now=datetime(2024, 9, 9, tzinfo=UTC)).criterion("main")
    assert early.provisional
    assert early.reason == "no main post yet, not due until Wed 11 Sep 23:59: 0/10 for now"


def test_replies_are_ranked_best_first_with_ties_to_the_earlier(participation_of):
    theirs = post("ben")
    short_early = post("ana", words=80, when=at(11), parent=theirs.post_id)
    long_late = post("ana", words=200, when=at(13), parent=theirs.post_id)
    short_late = post("ana", words=90, when=at(14), parent=theirs.post_id)
    found = score(participation_of("ana", theirs, short_early, long_late, short_late))
    first, second = found.criterion("reply"), found.criterion("second-reply")
    assert (first.level, first.points) == ("Long", 4)
    assert first.reason.startswith("first reply (Fri 13 Sep): 200 words")
    assert (second.level, second.points) == ("Short", 2)
    assert second.reason.startswith("second reply (Wed 11 Sep): 80 words")  # the earlier of the two short ones


def test_chronological_order_and_best_n(participation_of):
    rubric = parse_rubric("""
[[criteria]]
id = "replies"
name = "Replies"
applies_to = "each_reply"
best = 2
order = "chronological"
[[criteria.levels]]
name = "Long"
points = 4
when = { words = { min = 150 } }
[[criteria.levels]]
name = "Short"
points = 2
""")
    theirs = post("ben")
    replies = [post("ana", words=n, when=at(11 + i), parent=theirs.post_id) for i, n in enumerate((80, 200, 300))]
    found = score(participation_of("ana", theirs, *replies), rubric).criterion("replies")
    assert (found.points, found.possible) == (6, 8)  # the first two in time: 2 + 4
    assert found.reason.endswith("total 6/8")
    one = score(participation_of("ana", theirs, replies[1]), rubric).criterion("replies")
    assert one.points == 4
    assert "no second reply (1 reply written): 0/4" in one.reason


def test_a_missing_second_reply(participation_of):
    theirs = post("ben")
    found = score(participation_of("ana", theirs, post("ana", parent=theirs.post_id))).criterion("second-reply")
    assert (found.points, found.reason, found.missing) == (
        0,
        "no second reply (1 reply written): 0/4",
        "second reply",
    )


def test_a_pending_review_makes_the_score_provisional_and_says_how_many(participation_of):
    pending = (source(), source("not_found", key="a"), source("broken_doi", key="b"))
    found = score(participation_of("ana", post(words=320, sources=pending)))
    main = found.criterion("main")
    assert main.provisional and found.provisional and found.awaiting == 2
    assert main.reason.endswith("; 2 references await review")
    assert main.level == "Strong"  # unreviewed flags are not held against the student
    reviewed = (
        source(),
        source("not_found", key="a", reviewed="dismissed"),
        source("broken_doi", key="b", reviewed="confirmed"),
    )
    after = score(participation_of("ana", post(words=320, sources=reviewed)))
    assert not after.provisional
    assert after.criterion("main").level == "Supported"  # the confirmed broken DOI matched no record


def test_no_posts_at_all(participation_of):
    found = score(participation_of("ana"))
    assert found.total == 0 and all(
        c.reason.startswith("no posts in this topic") or c.reason.startswith("no main") for c in found.criteria
    )


def test_manual_criteria_wait_for_the_instructor(participation_of):
    rubric = parse_rubric("""
[[criteria]]
id = "insight"
name = "Insight"
applies_to = "participation"
manual = true
[[criteria.levels]]
name = "Deep"
points = 5
[[criteria.levels]]
name = "Shallow"
points = [0, 3]
""")
    found = score(participation_of("ana", post()), rubric)
    assert (found.total, found.provisional) == (0, True)
    assert found.criterion("insight").reason == "marked by the instructor: not marked yet"
    marked = apply_overrides(found, rubric, {"insight": Override(2.5, "a thoughtful connection to practice")})
    assert (marked.total, marked.provisional) == (2.5, False)
    assert marked.criterion("insight").level == "Shallow"


def test_engagement_points_with_a_weekly_cap(participation_of):
    rubric = load_rubric("engagement-points")
    theirs = post("ben", when=at(2))
    week_one = [
        post("ana", words=50, when=at(3)),
        post("ana", words=60, when=at(4)),
        post("ana", words=25, when=at(5), parent=theirs.post_id),
    ]  # 40 + 40 + 20 = 100
    week_two = [post("ana", words=45, when=at(10))]  # 40
    received = [post("cleo", words=5, when=at(11), parent=week_one[0].post_id)]  # in week two: 10
    found = score(participation_of("ana", theirs, *week_one, *week_two, *received), rubric).criterion(
        "engagement-points"
    )
    assert found.points == 100  # 100 in week one + 50 in week two = 150, at most 100 in all
    assert found.reason == (
        "3 posts of at least 40 words (+120), 1 reply of at least 20 words (+20), 1 reply received (+10) = 150, "
        "at most 100 in all: 100/100"
    )
    crammed = [*week_one, post("ana", words=41, when=at(6))]  # 140 in one week
    capped = score(participation_of("ana", theirs, *crammed), rubric).criterion("engagement-points")
    assert capped.points == 100
    assert "at most 100 a week (1 week over): 100" in capped.reason


def test_overrides_replace_points_keep_the_computed_reason_and_survive_rescoring(participation_of):
    ana = participation_of("ana", post(words=120, sources=(source(),), when=at(14)))
    computed = score(ana)
    assert computed.criterion("main").points == 6.2  # 6 + 2 x (120 - 100) / 200
    overridden = apply_overrides(computed, RUBRIC, {"main": Override(9, "strong synthesis of the readings")})
    main = overridden.criterion("main")
    # 9 is above Supported's 8 and below Strong's 10: the level it reaches is Supported
    assert (main.points, main.overridden, main.level) == (9, True, "Supported")
    assert main.reason == "set by the instructor to 9/10: strong synthesis of the readings (computed: 6.2, Supported)"
    assert overridden.total == computed.total - 6.2 + 9
    assert "strong synthesis of the readings" in overridden.feedback
    assert apply_overrides(score(ana), RUBRIC, {"main": Override(9, "strong synthesis of the readings")}) == overridden


def test_the_same_data_gives_the_same_scores(participation_of):
    theirs = post("ben")
    ana = participation_of("ana", post(words=310, sources=three_sources()), post("ana", parent=theirs.post_id), theirs)
    rubric = load_rubric("graduate-discussion")
    assert score(ana, rubric) == score(ana, rubric)


def test_feedback_speaks_to_the_student_kindly(participation_of):
    theirs = post("ben")
    ana = participation_of(
        "ana", post(words=320, sources=(*three_sources(), source("not_found", key="x")), when=at(14)), theirs
    )
    from dataclasses import replace

    ana = replace(ana, name="Ana")
    found = score(ana)
    assert found.feedback.startswith("Hi Ana, thank you for taking part in this discussion. Your score is 11 of 23")
    assert "Well done" not in found.feedback  # the full main-post score waits for a review, and it was late
    assert "Main post (10/10)" not in found.feedback
    assert (
        "We did not find a first reply or a second reply from you in this discussion; they are worth 8 points."
        in found.feedback
    )
    assert "On time (1/5): main post posted 2 days 12 h after the due date (Wed 11 Sep 23:59)." in found.feedback
    assert found.feedback.endswith(
        "1 of your references is still being looked at by a teaching assistant, so this score may still change."
    )
    assert "fabricat" not in found.feedback.lower()
