"""Each shipped rubric on the seed discussion, with the points an instructor reading the posts would expect.

The seed discussion (samples/seeds/000) is one thread: Ana's initial post and three replies to it, by Ben
("response 1"), Cleo ("response 2") and Dev (the unlabelled third reply). Eli posts the scraped blog post (001) as a
main post nobody answers; Fay posts the encyclopedia text (002), which cites nothing.

Times (UTC): initial posts due Wed 11 Sep 2024 23:59, replies due Sun 15 Sep 23:59, graded on Fri 20 Sep.
Ana posts Tue 10 Sep, Fay Wed 11 Sep 20:00, Eli Thu 12 Sep 10:00 (10 h late), Ben Thu 12, Cleo Fri 13,
Dev Mon 16 Sep 09:00 (9 h late).

Verdicts assumed (what the verification engineer expects from the seed records in samples/crossref):
  Ana:  Avasthi broken_doi (a malformed DOI, no record matched), Jokinen not_found (the Journal of Individual
        Psychology is not in Crossref's sample), Moreira verified, Smid verified.
  Ben:  Jesus not_found, Malhotra mismatch (authors).
  Cleo: Marwood mismatch (pages), Leppanen verified.
  Dev:  Jokinen not_found, Sunderani not_found.
  Eli:  Ader not_found (not in the sample), Cohen, Engel, Gatchel, Kiecolt-Glaser verified.
No flag has been reviewed yet unless a test says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from forumgrader.citations import analyse
from forumgrader.grading import FindingFacts, load_rubric, participations, post_facts, score_student, source_facts


def when(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 9, day, hour, minute, tzinfo=UTC)


DUE_INITIAL, DUE_REPLIES, NOW = when(11, 23, 59), when(15, 23, 59), when(20, 12)


def seed_texts(samples: Path) -> dict[str, str]:
    text = (samples / "seeds" / "000_d55d0333e560cda0.txt").read_text(encoding="utf-8")
    initial, rest = text.split("\nresponse 1\n", 1)
    reply1, rest = rest.split("\nresponse 2\n", 1)
    third = rest.index("I really enjoyed reading what you wrote.")
    return {
        "ana": initial,
        "ben": reply1,
        "cleo": rest[:third],
        "dev": rest[third:],
        "eli": (samples / "seeds" / "001_e57b5723c3460151.txt").read_text(encoding="utf-8"),
        "fay": (samples / "seeds" / "002_b3eb8ec8c5be9529.txt").read_text(encoding="utf-8"),
    }


POSTS = {  # author: (parent author, posted at, verdict per reference in list order)
    "ana": (None, when(10, 18), ["broken_doi", "not_found", "verified", "verified"]),
    "ben": ("ana", when(12, 14), ["not_found", "mismatch"]),
    "cleo": ("ana", when(13, 9), ["mismatch", "verified"]),
    "dev": ("ana", when(16, 9), ["not_found", "not_found"]),
    "eli": (None, when(12, 10), ["not_found", "verified", "verified", "verified", "verified"]),
    "fay": (None, when(11, 20), []),
}


def build(samples: Path, reviews: dict[tuple[str, int], str] | None = None):
    posts = []
    for author, text in seed_texts(samples).items():
        parent, posted, verdicts = POSTS[author]
        report = analyse(text)
        sources = [
            source_facts(
                reference,
                verdict,
                key=f"{author}-{reference.index}",
                reviewed=(reviews or {}).get((author, reference.index)),
            )
            for reference, verdict in zip(report.references, verdicts, strict=True)
        ]
        findings = [FindingFacts(f.code, f.severity.value, f.message) for f in report.findings]
        posts.append(
            post_facts(
                author,
                author,
                text,
                created_at=posted,
                reference_list=report.reference_list,
                references=sources,
                findings=findings,
                parent_id=parent,
            )
        )
    return participations(posts, list(POSTS))


@pytest.fixture(scope="module")
def seed(samples: Path):
    return build(samples)


def scores(seed, rubric_name: str):
    rubric = load_rubric(rubric_name)
    return {
        who: score_student(rubric, p, now=NOW, due_initial=DUE_INITIAL, due_replies=DUE_REPLIES)
        for who, p in seed.items()
    }


def points(score) -> dict[str, float]:
    return {c.criterion: c.points for c in score.criteria if c.possible}


def test_what_the_seed_posts_hold(seed):
    ana = seed["ana"]
    assert ana.main_post.words == 391  # the title line twice, four paragraphs; the reference list not counted
    assert [r.student for r in seed.values() if r.main_post] == ["ana", "eli", "fay"]
    assert [p.author for p in ana.replies_received] == ["ben", "cleo", "dev"]
    assert [seed[who].replies[0].words for who in ("ben", "cleo", "dev")] == [244, 225, 350]
    assert (seed["eli"].main_post.words, seed["eli"].main_post.quoted_words) == (584, 3)  # "fight or flight"
    assert (seed["fay"].main_post.words, seed["fay"].main_post.references) == (280, ())


def test_graduate_rubric_on_the_seed_discussion(seed):
    found = scores(seed, "graduate-discussion")
    # Ana: 4 sources, all credible for now (Avasthi and Jokinen await review), 3 from 2019 or later (Smid 2018 is
    # 6 years old), 391 words -> Outstanding 45. Writing: a malformed DOI (error) and a 2020/2022 year mismatch
    # (warning) -> Fair 6. Posted Tuesday, before Wednesday's due date -> 5. She wrote no replies -> 0 for both.
    assert points(found["ana"]) == {
        "main-posting": 45,
        "main-writing": 6,
        "main-timeliness": 5,
        "first-response": 0,
        "first-response-writing": 0,
        "first-response-timeliness": 0,
        "second-response": 0,
        "second-response-writing": 0,
        "second-response-timeliness": 0,
    }
    assert (found["ana"].total, found["ana"].provisional, found["ana"].awaiting) == (56, True, 2)
    assert found["ana"].criterion("main-posting").reason == (
        "4 sources cited, 2 verified, 4 credible sources, 3 within 5 years, 391 words (not counting the reference "
        "list): Outstanding, 45/45; 2 references await review"
    )
    # Ben: one reply, 244 words, Malhotra (a record matched) and Jesus (awaiting review) -> Excellent 9;
    # the cut-off "Http://" link is a warning -> Good 5; posted Thursday -> 5. No main post, no second reply.
    assert (found["ben"].total, found["ben"].provisional) == (19, True)
    assert points(found["ben"])["first-response"] == 9 and points(found["ben"])["first-response-writing"] == 5
    # Cleo: 225 words, Marwood and Leppanen both matched -> 9; only two notes (list order, a glued volume) -> 6;
    # Friday -> 5. Nothing awaits review.
    assert (found["cleo"].total, found["cleo"].provisional) == (20, False)
    # Dev: 350 words, two sources awaiting review -> 9; two glued-volume notes -> 6; Monday 09:00 is 9 hours after
    # Sunday's due date -> "A day late" 3.
    assert (found["dev"].total, found["dev"].provisional) == (18, True)
    assert found["dev"].criterion("first-response-timeliness").level == "A day late"
    # Eli (the blog): 5 credible sources but none within 5 years (1977-2007), 584 words -> Proficient 36;
    # four "et al." slips and a "pp." note, no errors or warnings -> Good 8; Thursday 10:00 -> a day late 3.
    assert points(found["eli"])["main-posting"] == 36 and found["eli"].total == 47
    # Fay (the encyclopedia text): no sources -> Poor, scaled by length: 280 of 300 words -> 28; she cites nothing,
    # so her writing is not assessed -> 0 (never the 10 of a post with no citation errors); Wednesday 20:00 -> 5.
    assert points(found["fay"])["main-posting"] == 28 and found["fay"].total == 33
    writing = found["fay"].criterion("main-writing")
    assert (writing.points, writing.level, writing.provisional) == (0, None, False)
    assert writing.not_assessed == "nothing is cited, so there are no citations or references to check"
    assert not found["fay"].provisional
    # with no sources, Fay never outscores a student who cites them
    assert found["fay"].total < found["eli"].total


def test_canvas_rubric_on_the_seed_discussion(seed):
    found = scores(seed, "canvas-discussion-60")
    # Ana: content Excellent (2+ credible sources, 250+ words), 15 + 5 x (391 - 250) / 150 = 19.7; engagement 0
    # (no replies); on time 10; mechanics: two errors or warnings -> Satisfactory 8.
    assert points(found["ana"]) == {"content": 19.7, "engagement": 0, "timeliness": 10, "mechanics": 8}
    assert found["ana"].total == 37.7
    # Ben, Cleo and Dev: no initial post (content and timeliness 0); one reply of 50+ words -> Satisfactory 14;
    # mechanics Excellent, 8 + 0.5 for each APA note under 4: Ben has none (10), Cleo and Dev two each (9).
    assert points(found["ben"]) == {"content": 0, "engagement": 14, "timeliness": 0, "mechanics": 10}
    assert (found["cleo"].total, found["dev"].total) == (23, 23)
    # Eli: 584 words and 5 credible sources -> 20; no replies -> 0; 10 hours late -> 4; five notes -> 8.
    assert points(found["eli"]) == {"content": 20, "engagement": 0, "timeliness": 4, "mechanics": 8}
    # Fay: no source -> Needs improvement, 280 words fill its 0-10 range -> 10; on time 10; she cites nothing, so
    # her mechanics and APA are not assessed -> 0.
    assert points(found["fay"]) == {"content": 10, "engagement": 0, "timeliness": 10, "mechanics": 0}


def test_engagement_points_on_the_seed_discussion(seed):
    found = scores(seed, "engagement-points")
    # Ana: her post (40) and three replies received (3 x 10); Dev's comes the next week, still under each week's cap.
    assert found["ana"].total == 70
    assert found["ana"].criterion("engagement-points").reason == (
        "1 post of at least 40 words (+40), no replies of at least 20 words (+0), 3 replies received (+30) = 70: 70/100"
    )
    # Ben, Cleo and Dev: one comment each (20); Eli and Fay: one post each, never answered (40).
    assert {who: s.total for who, s in found.items()} == {
        "ana": 70,
        "ben": 20,
        "cleo": 20,
        "dev": 20,
        "eli": 40,
        "fay": 40,
    }


@pytest.mark.parametrize("rubric_name", ["graduate-discussion", "canvas-discussion-60", "engagement-points"])
def test_citation_integrity_on_the_seed_discussion(seed, rubric_name):
    found = scores(seed, rubric_name)
    levels = {
        who: (s.criterion("citation-integrity").level, s.criterion("citation-integrity").provisional)
        for who, s in found.items()
    }
    # Unreviewed flags are not held against anyone: they wait, and hold the score as provisional. A mismatch is a
    # small difference. The encyclopedia text has nothing to check: not assessed, worth nothing either way.
    assert levels == {
        "ana": ("No concerns", True),
        "ben": ("Small differences", True),
        "cleo": ("Small differences", False),
        "dev": ("No concerns", True),
        "eli": ("No concerns", True),
        "fay": (None, False),
    }
    assert found["fay"].criterion("citation-integrity").not_assessed == "no references to check"
    # Cleo's page-range difference waits in the review queue too, and the reason says it cannot move her score
    assert (
        found["cleo"]
        .criterion("citation-integrity")
        .reason.endswith("; 1 reference with small differences awaits review; it does not change the score")
    )


def test_after_a_ta_reviews_anas_flags(samples):
    # The TA confirms the Avasthi DOI is broken (and no record was matched) and dismisses the Jokinen flag (the
    # article exists; its journal is not in Crossref).
    seed = build(samples, {("ana", 0): "confirmed", ("ana", 1): "dismissed"})
    ana = scores(seed, "graduate-discussion")["ana"]
    # 3 credible sources remain (Jokinen, Moreira, Smid), 2 of them from 2022 -> Excellent 40 instead of 45.
    assert points(ana)["main-posting"] == 40
    assert (
        "(not counted: Avasthi et al. (2022), its DOI does not resolve (confirmed by a TA))"
        in ana.criterion("main-posting").reason
    )
    assert ana.criterion("citation-integrity").level == "Needs correction"
    assert (ana.total, ana.provisional) == (51, False)
    assert "teaching assistant" not in ana.feedback and "fabricat" not in ana.feedback.lower()
