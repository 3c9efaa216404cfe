"""Grading a stored topic: grades kept per student, overrides that survive re-runs, audit entries, reviews."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from forumgrader import jobs
from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import reference_key
from forumgrader.grading import load_rubric
from forumgrader.store.gradefiles import grade_file
from forumgrader.store.grades import GradingError, clear_override, grade_topic, set_override
from forumgrader.store.models import (
    AuditEntry,
    Course,
    Grade,
    GradeOverride,
    Job,
    Person,
    Post,
    PostAnalysis,
    ReferenceCheck,
    Review,
    Thread,
    Topic,
    User,
)

NOW = datetime(2024, 9, 20, 12, tzinfo=UTC)
RUBRIC = load_rubric("graduate-discussion")
MAIN = (
    "Psychotherapy changes the brain (Smid et al., 2018; Jokinen & Hartshorne, 2022; Moreira et al., 2022). "
    + "Culture, religion and income shape who seeks therapy and who stays in it. " * 30
    + "\n\nReferences\n"
    "Jokinen, R. R., & Hartshorne, T. S. (2022). Anxiety disorders. Journal of Individual Psychology, 78(2), 155-174.\n"
    "Moreira, P., Inman, R., & Cloninger, C. (2022). Reactance and personality. Current Psychology, 41(11), "
    "7666-7680.\n"
    "Smid, G. E., Groen, S., & Boelen, P. A. (2021). Cultural assessment of grief. Psychiatric Services, 69(10), "
    "1050-1052.\n"
)
REPLY = "I agree with your post about culture and therapy, and I would add that cost matters too. " * 12


def when(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 9, day, hour, tzinfo=UTC)


class World:
    """A course with one topic, and helpers to add people, posts, analyses, checks and reviews."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids = count(1)
        self.course = Course(name="NURS 6501")
        session.add(self.course)
        session.flush()
        self.topic = Topic(course_id=self.course.id, title="Week 3 Discussion", lms_assignment_id="48213",
                           due_initial_at=when(11, 23), due_replies_at=when(15, 23))  # fmt: skip
        session.add(self.topic)
        session.flush()
        self.thread = Thread(topic_id=self.topic.id, lms_thread_id="t1")
        session.add(self.thread)
        session.flush()

    def person(self, name: str, role: str = "student", **ids: str) -> Person:
        person = Person(course_id=self.course.id, key=name, display_name=name, role=role, **ids)
        self.session.add(person)
        self.session.flush()
        return person

    def post(self, author: Person, text: str, at: datetime, *, parent: Post | None = None, analysed: bool = True,
             **fields: Any) -> Post:  # fmt: skip
        post = Post(topic_id=self.topic.id, thread_id=self.thread.id, lms_post_id=str(next(self.ids)),
                    author_id=author.id, created_at=at, body_text=text, parent_id=parent.id if parent else None,
                    **fields)  # fmt: skip
        self.session.add(post)
        self.session.flush()
        if analysed:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()  # as the checking service keys its analyses
            self.session.add(PostAnalysis(post_id=post.id, text_hash=digest, report=report_to_json(analyse(text))))
        return post

    def checks(self, post: Post, *verdicts: str) -> list[ReferenceCheck]:
        report = analyse(post.body_text)
        rows = []
        for reference, verdict in zip(report.references, verdicts, strict=True):
            rows.append(ReferenceCheck(
                post_id=post.id, position=reference.index, key=reference_key(reference),
                text=reference.text, fields={"year": reference.fields.year,
                                             "authors": [{"family": a.family} for a in reference.fields.authors]},
                type=reference.type.value, verdict=verdict, checked_at=NOW))  # fmt: skip
        self.session.add_all(rows)
        self.session.flush()
        return rows

    def review(self, check: ReferenceCheck, decision: str) -> None:
        self.session.add(Review(post_id=check.post_id, reference_key=check.key, decision=decision,
                                verdict=check.verdict or ""))  # fmt: skip
        self.session.flush()


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


def graded(world: World, rubric=RUBRIC) -> dict[str, Any]:
    return {g.person.display_name: g.score for g in grade_topic(world.session, world.topic.id, rubric, now=NOW)}


def test_every_student_gets_one_stored_grade_and_instructors_none(world: World) -> None:
    prof, ana, ben = world.person("Prof", "instructor"), world.person("Ana"), world.person("Ben")
    main = world.post(ana, MAIN, when(10))
    world.checks(main, "verified", "verified", "verified")
    world.post(ben, REPLY, when(12), parent=main)
    world.post(prof, "Good discussion, both of you.", when(13), parent=main)
    scores = graded(world)
    assert set(scores) == {"Ana", "Ben"}
    # Ana: 3 verified sources, two from 2022 and one from 2021, over 300 words, on time -> 45 + writing + 5
    assert scores["Ana"].criterion("main-posting").points == 45
    assert scores["Ben"].criterion("first-response").level == "Fair"  # 216 words, no sources
    stored = world.session.scalars(select(Grade).order_by(Grade.person_id)).all()
    assert [(g.person_id, g.rubric, g.total) for g in stored] == [
        (ana.id, RUBRIC.name, scores["Ana"].total),
        (ben.id, RUBRIC.name, scores["Ben"].total),
    ]
    assert stored[0].breakdown["criteria"][0]["reason"].startswith("3 sources cited, 3 verified")
    graded(world)  # again: the same rows are updated, not duplicated
    assert world.session.scalar(select(func.count(Grade.id))) == 2


def test_overrides_survive_re_runs_and_are_audited(world: World) -> None:
    ana = world.person("Ana")
    world.post(ana, MAIN, when(10))
    teacher = User(email="carver@example.edu", name="Linda Carver", password_hash="x", role="instructor")
    world.session.add(teacher)
    world.session.flush()
    computed = graded(world)["Ana"].criterion("main-writing").points
    set_override(world.session, world.topic.id, ana.id, RUBRIC, "main-writing", 9.5, "clear, well organised prose",
                 user=teacher)  # fmt: skip
    for _ in range(2):
        writing = graded(world)["Ana"].criterion("main-writing")
        assert (writing.points, writing.overridden) == (9.5, True)
        assert "clear, well organised prose" in writing.reason
    entry = world.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor, entry.user_id, entry.note) == (
        "grade.override",
        "Linda Carver",
        teacher.id,
        "clear, well organised prose",
    )
    assert entry.subject == f"grade:{world.topic.id}:{ana.id}:graduate-discussion/main-writing"
    assert entry.details == {"points": 9.5, "previous": None, "computed": computed}
    set_override(world.session, world.topic.id, ana.id, RUBRIC, "main-writing", 8, "on second reading")
    assert world.session.scalar(select(func.count(GradeOverride.id))) == 1
    assert clear_override(world.session, world.topic.id, ana.id, RUBRIC, "main-writing", reason="back to the rubric")
    assert graded(world)["Ana"].criterion("main-writing").points == computed
    actions = world.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["grade.override", "grade.override", "grade.override.clear"]
    assert not clear_override(world.session, world.topic.id, ana.id, RUBRIC, "main-writing")


@pytest.mark.parametrize(
    ("criterion", "points", "reason", "message"),
    [
        ("main-writing", 11, "generous", "'main-writing' takes up to 10 points, not 11"),
        ("main-writing", -1, "harsh", "'main-writing' takes up to 10 points, not -1"),
        ("main-writing", 5, "  ", "give the reason"),
        ("style", 5, "why not", "has no criterion 'style'"),
    ],
)
def test_overrides_are_checked(world: World, criterion: str, points: float, reason: str, message: str) -> None:
    ana = world.person("Ana")
    with pytest.raises(GradingError, match=message):
        set_override(world.session, world.topic.id, ana.id, RUBRIC, criterion, points, reason)


def test_pending_reviews_hold_the_score_and_dismissed_flags_count_as_fine(world: World) -> None:
    ana = world.person("Ana")
    main = world.post(ana, MAIN, when(10))
    jokinen, moreira, _smid = world.checks(main, "not_found", "broken_doi", "verified")
    score = graded(world)["Ana"]
    assert score.provisional and score.awaiting == 2
    integrity = score.criterion("citation-integrity")
    assert (integrity.level, integrity.provisional) == ("No concerns", True)
    assert integrity.reason.endswith("; 2 references await review")
    assert world.session.scalars(select(Grade)).one().provisional
    world.review(jokinen, "dismissed")
    world.review(moreira, "dismissed")
    score = graded(world)["Ana"]
    assert not score.provisional
    assert score.criterion("citation-integrity").level == "No concerns"
    assert score.criterion("main-posting").points == 45  # dismissed flags count as fine: 3 credible sources
    assert not world.session.scalars(select(Grade)).one().provisional


def test_a_small_difference_in_the_review_queue_is_said_without_holding_the_grade(world: World) -> None:
    ana = world.person("Ana")
    world.checks(world.post(ana, MAIN, when(10)), "verified", "mismatch", "verified")
    score = graded(world)["Ana"]
    assert (score.provisional, score.awaiting, score.awaiting_minor) == (False, 0, 1)
    assert score.criterion("citation-integrity").reason.endswith(
        "; 1 reference with small differences awaits review; it does not change the score"
    )
    stored = world.session.scalars(select(Grade)).one()
    assert (stored.provisional, stored.breakdown["awaiting_review"], stored.breakdown["awaiting_review_minor"]) == (
        False,
        0,
        1,
    )


def test_a_confirmed_flag_counts(world: World) -> None:
    ana = world.person("Ana")
    main = world.post(ana, MAIN, when(10))
    jokinen, _moreira, _smid = world.checks(main, "not_found", "verified", "verified")
    world.review(jokinen, "confirmed")
    score = graded(world)["Ana"]
    assert score.criterion("citation-integrity").level == "Needs correction"
    # two credible sources left: Room for improvement
    assert (score.criterion("main-posting").level, score.provisional) == ("Room for improvement", False)


def test_posts_not_analysed_yet_are_analysed_in_memory_and_nothing_is_written(world: World) -> None:
    ana = world.person("Ana")
    world.post(ana, MAIN, when(10), analysed=False)
    score = graded(world)["Ana"]
    assert score.criterion("main-posting").reason.startswith("3 sources cited, none verified")
    assert world.session.scalar(select(func.count()).select_from(PostAnalysis)) == 0


def test_an_edited_post_is_read_again_and_unchanged_references_keep_their_verdicts(world: World) -> None:
    ana = world.person("Ana")
    main = world.post(ana, MAIN, when(10))
    world.checks(main, "verified", "verified", "verified")
    # Ana edits her post after it was checked: Smid's entry changes, the others stay as they were
    main.body_text = MAIN.replace("Cultural assessment of grief", "Toward cultural assessment of grief")
    world.session.flush()
    reason = graded(world)["Ana"].criterion("main-posting").reason
    assert reason.startswith("3 sources cited, 2 verified")


def test_an_instructor_started_forum_and_hidden_posts(world: World) -> None:
    prof, ana, ben = world.person("Prof", "instructor"), world.person("Ana"), world.person("Ben")
    prompt = world.post(prof, "Discuss the biological basis of psychotherapy.", when(9))
    answer = world.post(ana, MAIN, when(10), parent=prompt)
    world.post(ben, REPLY, when(11), parent=answer, private=True)
    world.post(ben, REPLY, when(12), parent=answer, deleted=True)
    scores = graded(world)
    assert scores["Ana"].criterion("main-posting").points > 0  # her answer to the instructor is her main post
    assert scores["Ben"].criterion("first-response").points == 0  # private and deleted replies do not count


def test_one_query_per_table_whatever_the_class_size(world: World) -> None:
    statements: list[str] = []
    engine = world.session.get_bind()

    def grow(students: int) -> None:
        first = world.person(f"Lead {students}")
        main = world.post(first, MAIN, when(10))
        world.checks(main, "verified", "not_found", "verified")
        for n in range(students):
            person = world.person(f"Student {students}-{n}")
            reply = world.post(person, REPLY, when(12), parent=main)
            world.post(first, REPLY, when(13), parent=reply)

    def selects() -> int:
        statements.clear()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            grade_topic(world.session, world.topic.id, RUBRIC, now=NOW)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))

    grow(2)
    few = selects()
    grow(25)
    assert selects() == few


def test_grade_rows_carry_every_id_for_the_gradebooks(world: World) -> None:
    ana = world.person("Ana Rivera", sortable_name="Rivera, Ana", lms_user_id="11", sis_user_id="S1",
                       login_id="arivera", email="ana@example.edu", section="01")  # fmt: skip
    world.post(ana, MAIN, when(10))
    grade_topic(world.session, world.topic.id, RUBRIC, now=NOW)
    rows = grade_file(world.session, world.topic, RUBRIC.name).rows
    assert (rows[0].sortable_name, rows[0].lms_user_id, rows[0].sis_user_id, rows[0].login_id, rows[0].email) == (
        "Rivera, Ana",
        "11",
        "S1",
        "arivera",
        "ana@example.edu",
    )
    assert rows[0].points == graded(world)["Ana Rivera"].total and rows[0].feedback.startswith("Hi Ana Rivera")


def test_the_grade_topic_job(world: World) -> None:
    ana = world.person("Ana")
    world.post(ana, MAIN, when(10))
    job = Job(kind="grade_topic", topic_id=world.topic.id, params={"rubric": "engagement-points"})
    world.session.add(job)
    world.session.flush()
    reports: list[tuple[int, int, str]] = []
    jobs.KINDS["grade_topic"](world.session, job, lambda done, total, message: reports.append((done, total, message)))
    assert reports == [(1, 1, "graded 1 students with engagement-points; 0 provisional")]
    assert world.session.scalars(select(Grade.rubric)).one() == "engagement-points"


def test_an_unknown_topic(session: Session) -> None:
    with pytest.raises(GradingError, match="no topic 999"):
        grade_topic(session, 999, RUBRIC, now=NOW)
