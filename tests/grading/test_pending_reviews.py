"""Small differences (mismatch) in the TA's review queue: said in the reasons, holding the score only if it can move."""

from __future__ import annotations

from forumgrader.grading.rubricfile import parse_rubric
from forumgrader.grading.scoring import score_student

from .factories import DUE_INITIAL, DUE_REPLIES, NOW, post, source

SHIPPED_LIKE = parse_rubric("""
[[criteria]]
id = "main"
name = "Main post"
applies_to = "main_post"
[[criteria.levels]]
name = "Supported"
points = 10
when = { sources_credible = { min = 1 } }
[[criteria.levels]]
name = "Unsupported"
points = 0

[[criteria]]
id = "integrity"
name = "Citation integrity"
applies_to = "participation"
[[criteria.levels]]
name = "No concerns"
points = 0
when = { references_flagged = { max = 0 }, references_minor = { max = 0 } }
[[criteria.levels]]
name = "Small differences"
points = 0
when = { references_flagged = { max = 0 } }
[[criteria.levels]]
name = "Needs correction"
points = 0
""")

ACCURACY = parse_rubric("""
[[criteria]]
id = "accuracy"
name = "Accurate references"
applies_to = "main_post"
[[criteria.levels]]
name = "Exact"
points = 5
when = { references_minor = { max = 0 } }
[[criteria.levels]]
name = "One slip"
points = 4
when = { references_minor = { max = 1 } }
[[criteria.levels]]
name = "Close"
points = 3
""")

REPLY_ACCURACY = parse_rubric("""
[[criteria]]
id = "reply"
name = "Best reply"
applies_to = "each_reply"
[[criteria.levels]]
name = "Exact"
points = 5
when = { references_minor = { max = 0 } }
[[criteria.levels]]
name = "Close"
points = 3
""")


def score(participation, rubric):
    return score_student(rubric, participation, now=NOW, due_initial=DUE_INITIAL, due_replies=DUE_REPLIES)


def test_a_small_difference_awaiting_review_is_said_but_does_not_hold_the_score(participation_of):
    found = score(participation_of("ana", post(sources=(source("mismatch", key="m"),))), SHIPPED_LIKE)
    integrity = found.criterion("integrity")
    assert (integrity.level, integrity.provisional, found.provisional) == ("Small differences", False, False)
    assert integrity.reason.endswith("; 1 reference with small differences awaits review; it does not change the score")
    assert (found.awaiting, found.awaiting_minor) == (0, 1)
    assert found.feedback.endswith(
        "differs from its published record in small details; this does not change your score."
    )
    assert "may still change" not in found.feedback
    for decision, level in (("dismissed", "No concerns"), ("confirmed", "Small differences")):
        reviewed = source("mismatch", key="m", reviewed=decision)
        after = score(participation_of("ana", post(sources=(reviewed,))), SHIPPED_LIKE)
        assert after.criterion("integrity").level == level
        assert "awaits review" not in after.criterion("integrity").reason and after.awaiting_minor == 0


def test_when_the_points_depend_on_it_a_small_difference_holds_the_score(participation_of):
    two = (source("mismatch", key="m1"), source("mismatch", key="m2"))
    found = score(participation_of("ana", post(sources=two)), ACCURACY)
    accuracy = found.criterion("accuracy")
    # dismissing one of the two would make it "One slip" (4): the 3 points are not final
    assert (accuracy.level, accuracy.points, accuracy.provisional) == ("Close", 3, True)
    assert accuracy.reason.endswith("): Close, 3/5; 2 references await review")
    assert (found.awaiting, found.awaiting_minor, found.provisional) == (2, 0, True)
    settled = (source("mismatch", key="m1", reviewed="confirmed"), source("mismatch", key="m2", reviewed="confirmed"))
    assert not score(participation_of("ana", post(sources=settled)), ACCURACY).provisional


def test_a_lower_ranked_reply_that_could_overtake_holds_the_score(participation_of):
    theirs = post("ben")
    kept = post("ana", parent=theirs.post_id, sources=(source("mismatch", key="k", reviewed="confirmed"),))
    behind = post("ana", parent=theirs.post_id, sources=(source("mismatch", key="b"),))
    found = score(participation_of("ana", theirs, kept, behind), REPLY_ACCURACY).criterion("reply")
    # both replies are Close (3); the earlier is scored, the later would be Exact (5) once its difference is dismissed
    assert (found.points, found.provisional, found.awaiting) == (3, True, ("b",))
    exact = post("ana", parent=theirs.post_id, sources=(source(),))
    settled = score(participation_of("ana", theirs, exact, behind), REPLY_ACCURACY).criterion("reply")
    assert (settled.points, settled.provisional, settled.awaiting, settled.awaiting_minor) == (5, False, (), ())
