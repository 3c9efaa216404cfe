"""Which post is the main post, what counts as a reply, words outside quotes and references, how sources stand."""

from __future__ import annotations

import pytest

from forumgrader.citations import analyse
from forumgrader.grading.facts import Standing, participations, post_facts, source_facts

from .factories import at, post, source


def test_main_post_is_the_earliest_top_level_post():
    later = post("ana", when=at(12))
    first = post("ana", when=at(10))
    reply = post("ana", when=at(9), parent=999)
    found = participations([later, first, reply], ["ana"])["ana"]
    assert found.main_post is first
    assert found.all_posts == (reply, first, later)  # oldest first


def test_in_a_forum_the_instructor_opened_the_main_post_is_the_answer_to_the_instructor():
    prompt = post("prof", when=at(9))
    answer = post("ana", when=at(10), parent=prompt.post_id)
    peer = post("ben", when=at(10, 13), parent=prompt.post_id)
    reply = post("ana", when=at(11), parent=peer.post_id)
    found = participations([prompt, answer, peer, reply], ["ana", "ben"], staff={"prof"})
    assert found["ana"].main_post is answer
    assert found["ana"].replies == (reply,)
    assert found["ben"].main_post is peer
    assert found["ben"].replies_received == (reply,)
    # without knowing who the instructor is, no answer is a main post
    assert participations([prompt, answer], ["ana"])["ana"].main_post is None


def test_replies_exclude_private_deleted_and_answers_to_oneself():
    main = post("ana", when=at(10))
    other = post("ben", when=at(10))
    to_ben = post("ana", when=at(11), parent=other.post_id)
    to_self = post("ana", when=at(12), parent=main.post_id)
    private = post("ana", when=at(13), parent=other.post_id, private=True)
    deleted = post("ana", when=at(14), parent=other.post_id, deleted=True)
    ana = participations([main, other, to_ben, to_self, private, deleted], ["ana", "ben"])["ana"]
    assert ana.replies == (to_ben,)
    assert deleted not in ana.all_posts


def test_replies_received_count_other_peoples_visible_answers():
    main = post("ana", when=at(10))
    answers = [post("ben", when=at(11), parent=main.post_id), post("cleo", when=at(12), parent=main.post_id)]
    own = post("ana", when=at(13), parent=main.post_id)
    hidden = post("prof", when=at(14), parent=main.post_id, private=True)
    gone = post("dev", when=at(15), parent=main.post_id, deleted=True)
    ana = participations([main, *answers, own, hidden, gone], ["ana"])["ana"]
    assert ana.replies_received == tuple(answers)


def test_a_reply_to_a_deleted_post_still_counts_as_a_reply():
    gone = post("ben", when=at(9), deleted=True)
    reply = post("ana", when=at(10), parent=gone.post_id)
    assert participations([gone, reply], ["ana"])["ana"].replies == (reply,)


def test_words_leave_out_the_reference_list_and_quotations():
    text = (
        'Stress triggers the "fight or flight" response, and “chronic stress harms” health (Cohen, 2007).\n\n'
        "References\nCohen, S. (2007). Psychological stress and disease. JAMA, 298(14), 1685-1687.\n"
    )
    report = analyse(text)
    facts = post_facts(1, "ana", text, created_at=at(10), reference_list=report.reference_list)
    # 14 words before the list, of which 6 are quoted; "(Cohen," and "2007)." count as words, as a teacher counts
    assert facts.quoted_words == 6
    assert facts.words == 14 - 6
    assert "Psychological" not in facts.text


@pytest.mark.parametrize(
    ("verdict", "reviewed", "retracted", "matched", "standing", "credible"),
    [
        ("verified", None, False, True, Standing.FINE, True),
        ("mismatch", None, False, True, Standing.MINOR, True),
        ("mismatch", "dismissed", False, True, Standing.FINE, True),
        ("not_indexed", None, False, False, Standing.NEUTRAL, True),
        ("unchecked", None, False, False, Standing.NEUTRAL, True),
        (None, None, False, False, Standing.NEUTRAL, True),
        ("not_found", None, False, False, Standing.AWAITING, True),  # counted until a TA looks
        ("not_found", "confirmed", False, False, Standing.FLAGGED, False),
        ("not_found", "dismissed", False, False, Standing.FINE, True),
        ("broken_doi", "confirmed", False, True, Standing.FLAGGED, True),  # the right record was found: it exists
        ("wrong_doi", "confirmed", False, False, Standing.FLAGGED, False),
        ("verified", None, True, True, Standing.AWAITING, False),  # retracted: never credible
        ("verified", "dismissed", True, True, Standing.FINE, False),
    ],
)
def test_how_each_source_counts(verdict, reviewed, retracted, matched, standing, credible):
    found = source(verdict, reviewed=reviewed, retracted=retracted, matched=matched)
    assert found.standing is standing
    assert found.credible is credible
    assert found.awaiting is (standing is Standing.AWAITING)


def test_source_facts_from_an_analysed_reference():
    text = "As Luna (2020) shows.\n\nReferences\nLuna, A. (2020). Sleep and stress. Sleep Review, 12(3), 45-67.\n"
    reference = analyse(text).references[0]
    found = source_facts(reference, "mismatch", key="abc")
    assert (found.year, found.type, found.label, found.key) == (2020, "journal-article", "Luna (2020)", "abc")
    assert found.matched and found.peer_reviewed
    assert not source_facts(reference, "not_found").matched
