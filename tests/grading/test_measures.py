"""Each measure on small posts: its value, and the evidence it gives in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from forumgrader.grading.facts import participations
from forumgrader.grading.measures import MEASURES, Context, Subject, evaluate
from forumgrader.grading.rubric import MeasureCall, PromptPart
from forumgrader.grading.rubricfile import parse_rubric

from .factories import NOW, at, post, source


def measure(name, subject, context, **params):
    return evaluate(MeasureCall(name, tuple(sorted(params.items()))), subject, context)


def on_post(name, the_post, context, *, as_reply=False, **params):
    student = the_post.author
    participation = participations([the_post], [student])[student]
    return measure(name, Subject(participation, the_post, as_reply), context, **params)


def test_every_measure_is_documented():
    assert all(found.help.strip() for found in MEASURES.values())
    assert {
        "words",
        "sources_cited",
        "sources_verified",
        "sources_recent",
        "sources_peer_reviewed",
        "findings",
        "replies_written",
        "reply_words",
        "posting_days",
        "minutes_late",
        "prompt_coverage",
    } <= set(MEASURES)


def test_words(context):
    found = on_post("words", post(words=312, quoted_words=14, sources=(source(),)), context)
    assert found.value == 312
    assert found.evidence == "312 words (not counting the reference list and 14 quoted words)"
    assert on_post("words", post(words=1), context).evidence == "1 word"


def test_sources_cited_verified_and_peer_reviewed(context):
    sources = (
        source("verified"),
        source("mismatch"),
        source("not_indexed", peer_reviewed=False),
        source("verified", retracted=True),
    )
    the_post = post(sources=sources)
    assert on_post("sources_cited", the_post, context).evidence == "4 sources cited"
    assert on_post("sources_verified", the_post, context).value == 2
    peer = on_post("sources_peer_reviewed", the_post, context)
    assert (peer.value, peer.evidence) == (2, "2 peer-reviewed")  # the retracted one does not count
    assert on_post("sources_cited", post(), context).evidence == "no sources cited"


def test_sources_credible_names_what_it_leaves_out_and_waits_for_reviews(context):
    gone = source("not_found", reviewed="confirmed", label="Jokinen and Hartshorne (2022)")
    retracted = source("verified", retracted=True, label="Wakefield et al. (1998)", year=1998)
    pending = source("not_found", key="pending", label="Sunderani and Moodley (2020)")
    found = on_post("sources_credible", post(sources=(source(), gone, retracted, pending)), context)
    assert found.value == 2
    assert found.evidence == (
        "2 credible sources (not counted: Jokinen and Hartshorne (2022), we could not find it (confirmed by a TA); "
        "Wakefield et al. (1998), retracted)"
    )
    assert found.awaiting == {"pending"}


@pytest.mark.parametrize(("years", "expected"), [(5, 2), (2, 1), (10, 3)])
def test_sources_recent_counts_credible_sources_within_years_of_the_post(context, years, expected):
    # posted in 2024: 2022 is 2 years back, 2019 is 5, 2015 is 9; the 2023 source could not be found (confirmed)
    sources = (
        source(year=2022),
        source(year=2019),
        source(year=2015),
        source("not_found", year=2023, reviewed="confirmed"),
    )
    found = on_post("sources_recent", post(when=at(10), sources=sources), context, years=years)
    assert found.value == expected
    assert found.evidence.endswith(f"within {years} years")


def test_sources_recent_uses_now_for_an_undated_post():
    undated = replace(post(sources=(source(year=2019),)), created_at=None)
    context = Context(NOW.replace(year=2030))
    assert on_post("sources_recent", undated, context, years=5).value == 0


def test_flagged_and_minor_references(context):
    sources = (
        source("broken_doi", reviewed="confirmed", label="Avasthi et al. (2022)"),
        source("not_found", key="wait"),
        source("wrong_doi", reviewed="dismissed"),
        source("mismatch", label="Marwood et al. (2018)"),
        source("mismatch", reviewed="dismissed"),
        source("not_indexed"),
        source("unchecked"),
    )
    flagged = on_post("references_flagged", post(sources=sources), context)
    assert (flagged.value, flagged.awaiting) == (1, {"wait"})
    assert flagged.evidence == "1 reference flagged (Avasthi et al. (2022): its DOI does not resolve)"
    minor = on_post("references_minor", post(sources=sources), context)
    assert minor.value == 1 and "Marwood et al. (2018)" in minor.evidence


def test_findings_by_severity_code_and_ignored_codes(context):
    the_post = post(
        findings=(
            ("malformed_doi", "error"),
            ("year_mismatch", "warning"),
            ("et_al_misuse", "info"),
            ("lms_artifact", "info"),
            ("glued_text", "info"),
        )
    )
    assert on_post("findings", the_post, context).value == 5
    serious = on_post("findings", the_post, context, severity=["error", "warning"])
    assert serious.evidence == (
        "2 citation errors or warnings (a DOI that cannot be right as written; "
        "a year that differs between citation and reference)"
    )
    notes = on_post("findings", the_post, context, severity=["info"], ignore=["lms_artifact"])
    assert (notes.value, notes.evidence) == (
        2,
        "2 citation notes (et al. used where APA does not use it, or left out; parts of a reference run together)",
    )
    assert on_post("findings", the_post, context, codes=["year_mismatch"]).value == 1


def test_minutes_and_days_late_use_the_due_date_of_the_kind_of_post(context):
    main = post(when=at(12, 2))  # Thu 02:00, 2 h 1 min after Wednesday 23:59
    late = on_post("minutes_late", main, context)
    assert late.value == 121
    assert late.evidence == "main post posted 2 h 1 min after the due date (Wed 11 Sep 23:59)"
    as_reply = on_post("minutes_late", main, context, as_reply=True)  # replies are due Sunday
    assert as_reply.value == -(3 * 24 * 60 + 21 * 60 + 59)
    assert "before the due date (Sun 15 Sep 23:59)" in as_reply.evidence
    assert on_post("days_late", main, context).value == pytest.approx(121 / 1440)


def test_a_student_posting_in_the_last_minute_of_a_due_day_is_on_time():
    chicago = ZoneInfo("America/Chicago")
    rubric = parse_rubric(
        'timezone = "America/Chicago"\n[due]\ninitial = 2024-09-11\n'
        '[[criteria]]\nid = "c"\nname = "C"\napplies_to = "main_post"\n[[criteria.levels]]\nname = "Any"\npoints = 1\n'
    )
    context = Context(NOW, rubric.due.initial, None, chicago)
    last_minute = on_post("minutes_late", post(when=datetime(2024, 9, 11, 23, 59, 30, tzinfo=chicago)), context)
    assert last_minute.value < 0
    assert last_minute.evidence == "main post posted less than a minute before the due date (Wed 11 Sep 23:59)"
    midnight = on_post("minutes_late", post(when=datetime(2024, 9, 12, 0, 0, 20, tzinfo=chicago)), context)
    assert midnight.evidence == "main post posted less than a minute after the due date (Wed 11 Sep 23:59)"


def test_lateness_without_a_due_date_is_not_assessed_and_left_to_the_instructor():
    found = on_post("minutes_late", post(), Context(NOW))
    assert found.value is None and not found.assessed
    assert found.gap is not None and found.gap.instructor
    assert found.evidence == "not assessed: no due date is set for the main post"
    reply = on_post("days_late", post(parent=1), Context(NOW), as_reply=True)
    assert reply.evidence == "not assessed: no due date is set for the replies"


def test_a_post_without_a_posting_time_is_not_assessed_for_lateness(context):
    found = on_post("minutes_late", replace(post(), created_at=None), context)
    assert not found.assessed and found.evidence == "not assessed: the main post has no posting time in the export"


def test_citation_measures_have_nothing_to_assess_in_a_post_that_cites_nothing(context):
    empty = post(words=0, text="")
    plain = post(words=280, text="Stress changes the immune response, as our reading says.")
    for the_post in (empty, plain):
        findings = on_post("findings", the_post, context, severity=["error", "warning"])
        assert not findings.assessed
        assert findings.evidence == "not assessed: nothing is cited, so there are no citations or references to check"
        assert not on_post("references_flagged", the_post, context).assessed
        assert not on_post("references_minor", the_post, context).assessed
        # counting sources is assessing: none were cited
        assert on_post("sources_credible", the_post, context).value == 0
    cited_without_list = post(citations=2, findings=(("missing_reference_list", "error"),))
    assert on_post("findings", cited_without_list, context).value == 1


def test_initial_and_replies_lateness_read_the_participation(context, participation_of):
    other = post("ben", when=at(9))
    replies = [post("ana", when=at(13), parent=other.post_id), post("ana", when=at(16, 1), parent=other.post_id)]
    ana = participation_of("ana", other, *replies)
    initial = measure("initial_minutes_late", Subject(ana), context)
    assert (initial.value, initial.evidence, initial.assessed) == (None, "no main post", True)
    posted = participation_of("ana", post("ana", when=at(13, 11, 59)))  # Friday noon, a day and a half late
    assert measure("initial_days_late", Subject(posted), context).value == 1.5
    second = measure("replies_minutes_late", Subject(ana), context, replies=2)
    assert second.value == 61  # Monday 01:00 against Sunday 23:59
    third = measure("replies_days_late", Subject(ana), context, replies=3)
    assert third.value is None and third.evidence == "only 2 replies, 3 needed"


def test_posting_days_are_counted_in_the_rubrics_time_zone(participation_of):
    posts = [post("ana", when=at(11, 2)), post("ana", when=at(11, 20)), post("ana", when=at(12, 20))]
    ana = participation_of("ana", *posts)
    utc = measure("posting_days", Subject(ana), Context(NOW, timezone=UTC))
    assert (utc.value, utc.evidence) == (2, "posted on 2 days (Wed 11 Sep, Thu 12 Sep)")
    # in Denver (UTC-6) Wednesday 02:00 UTC is still Tuesday evening
    denver = measure("posting_days", Subject(ana), Context(NOW, timezone=ZoneInfo("America/Denver")))
    assert denver.value == 3


def test_posts_replies_and_replies_received(context, participation_of):
    main = post("ana", words=45)
    short_main = post("ana", words=30, when=at(11))
    theirs = post("ben", words=200)
    reply = post("ana", words=25, parent=theirs.post_id, when=at(12))
    short_reply = post("ana", words=10, parent=theirs.post_id, when=at(13))
    received = [post("ben", words=50, parent=main.post_id), post("cleo", words=5, parent=main.post_id)]
    ana = participation_of("ana", main, short_main, theirs, reply, short_reply, *received)
    posts = measure("posts_written", Subject(ana), context, min_words=40)
    assert (posts.value, posts.evidence) == (1, "1 post of at least 40 words (1 shorter)")
    assert posts.events == (main.created_at,)
    assert measure("replies_written", Subject(ana), context, min_words=20).value == 1
    assert measure("replies_written", Subject(ana), context).evidence == "2 replies"
    assert measure("replies_received", Subject(ana), context).value == 2
    assert measure("replies_received", Subject(ana), context, min_words=20).value == 1


def test_reply_words_is_the_shortest_of_the_longest_replies(context, participation_of):
    theirs = post("ben")
    replies = [post("ana", words=n, parent=theirs.post_id, when=at(11 + i)) for i, n in enumerate((120, 182, 60))]
    ana = participation_of("ana", theirs, *replies)
    two = measure("reply_words", Subject(ana), context, replies=2)
    assert (two.value, two.evidence) == (120, "2 longest replies: 182 and 120 words")
    four = measure("reply_words", Subject(ana), context, replies=4)
    assert four.value is None and four.assessed


PARTS = (
    PromptPart("biological basis", (("biolog*", "brain", "neuro*"), ("psychotherapy",))),
    PromptPart("culture, religion and income", (("cultur*",), ("religio*",), ("socioeconomic", "income"))),
    PromptPart("legal and ethical issues", (("confidentiality",), ("informed consent", "consent"))),
    PromptPart("telehealth", (("telehealth", "telepsychiatry"),)),
)


def test_prompt_coverage_matches_keyword_groups_fuzzily(context):
    text = (
        "Psychotherapy changes the brain. Cultural and religious beliefs and socio-economic status matter. "
        "Confidentialty and consent are hard in group therapy."
    )  # "Confidentialty" misspelt on purpose
    found = on_post("prompt_coverage", post(text=text), replace(context, prompt=PARTS))
    assert found.value == 0.75
    assert found.evidence == "answers 3 of the 4 parts of the prompt (missing: telehealth)"
    # a stem needs its prefix: "cultivate" is not "cultur*"
    assert (
        on_post(
            "prompt_coverage",
            post(text="We cultivate religion and income; psychotherapy and brain."),
            replace(context, prompt=PARTS[:2]),
        ).value
        == 0.5
    )


def test_prompt_coverage_is_not_assessed_without_prompt_parts(context):
    found = on_post("prompt_coverage", post(text="anything"), context)
    assert found.value is None and not found.assessed


def test_post_measures_add_up_over_a_whole_participation(context, participation_of):
    theirs = post("ben")
    posts = [post("ana", sources=(source(), source())), post("ana", parent=theirs.post_id, sources=(source(),))]
    ana = participation_of("ana", theirs, *posts)
    found = measure("sources_cited", Subject(ana), context)
    assert (found.value, found.evidence) == (3, "3 sources cited across 2 posts")


def test_measures_are_deterministic(context):
    the_post = post(sources=(source("not_found"),), findings=(("year_mismatch", "warning"),))
    for name, found in MEASURES.items():
        params = {key: param.default for key, param in found.params.items()}
        subject_post = None if found.scope == "participation" else the_post
        subject = Subject(participations([the_post], ["ana"])["ana"], subject_post)
        first = measure(name, subject, context, **params)
        assert first == measure(name, subject, context, **params), name
