"""A realistic class for page tests and benchmarks, built through the store functions: students who post and reply in
a topic, citing real Crossref records (some with mistakes), the posts analysed, the references checked, the topic
graded, and a TA and an instructor. `flags` references of the class are flagged (a broken or wrong DOI, a work not
found, details that differ), the others verified; which ones is drawn from `seed`, so a class is the same every time.

The verdicts are stored as the check job stores them (store.checks.store_verdicts) rather than looked up, so a class of
300 students builds in seconds: these classes are for what the pages do with many students and flags, not for
matching (tests/crossref_matching holds those tests).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from forumgrader.crossref.model import Check, Difference, Verdict, Work
from forumgrader.crossref.records import work_from_record
from forumgrader.discussions.model import (
    DiscussionExport,
    ExportFormat,
    Participant,
    PostRecord,
    ThreadRecord,
    TopicExport,
    TopicInfo,
)
from forumgrader.grading import load_rubric
from forumgrader.store import accounts
from forumgrader.store.checks import analyse_topic, store_verdicts
from forumgrader.store.grades import grade_topic
from forumgrader.store.imports import import_export
from forumgrader.store.models import Course, Post, ReferenceCheck

RECORDS = Path(__file__).resolve().parents[1] / "forumgrader" / "samples" / "crossref" / "works-sample.jsonl"
START = datetime(2025, 9, 8, 9, tzinfo=UTC)
GIVEN = "Amara Ben Chloe Dmitri Elena Farid Grace Hiro Ines Jonas Keiko Liam Maya Nadia Omar Priya Quinn Rosa Sam Tariq"
FAMILY = (
    "Okafor Bennett Raman Hughes Lindqvist Moreau Nakamura Haddad Kowalski Fernandes Mensah Olsen Petrov Quispe "
    "Rahman Silva Tanaka Usman Varga Whitfield Xu Yilmaz Zielinski Abbott Brennan Castillo Dubois Eriksen"
)
FLAG_KINDS = (Verdict.MISMATCH, Verdict.NOT_FOUND, Verdict.BROKEN_DOI, Verdict.MISMATCH, Verdict.WRONG_DOI)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Classroom:
    """Where the class landed, and who teaches and assists it."""

    course_id: int
    topic_ids: tuple[int, ...]
    students: int
    flags: int
    instructor: str  # email; every account's password is PASSWORD
    ta: str


def journal_articles(limit: int = 80) -> list[Work]:
    """Real Crossref records of journal articles with authors, a year and a journal, from the bundled sample."""
    works = []
    for line in RECORDS.read_text(encoding="utf-8").splitlines():
        work = work_from_record(json.loads(line))
        if work.type == "journal-article" and work.authors and work.year and work.container and work.title:
            works.append(work)
    return works[:limit]


def apa(work: Work, *, year: int | None = None, doi: str | None = None) -> str:
    """Write a record as a student's APA reference (`year` and `doi` replaced when a mistake is wanted)."""
    names = [f"{a.family}, {a.given[:1]}." if a.given else a.family or a.name for a in work.authors[:3]]
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f", & {names[-1]}"
    issue = f"({work.issue})" if work.issue else ""
    pages = f", {work.pages}" if work.pages else ""
    return (
        f"{authors} ({year or work.year}). {work.title}. {work.container}, {work.volume}{issue}{pages}. "
        f"https://doi.org/{doi or work.doi}"
    )


def _body(rng: random.Random, works: list[Work], words: int) -> str:
    sentences = [
        "Our reading this week showed how closely sleep, stress and health are tied together in practice.",
        "In clinical placements I have seen this pattern with several patients and their families.",
        "The evidence is not all in one direction, and the samples in these studies are often small.",
        "This matters for how nurses plan care and talk with patients about what to expect.",
    ]
    text = []
    while sum(len(s.split()) for s in text) < words:
        sentence = rng.choice(sentences)
        if works:
            work = rng.choice(works)
            sentence = sentence[:-1] + f" ({work.authors[0].family or work.authors[0].name}, {work.year})."
        text.append(sentence)
    references = "\n\nReferences\n\n" + "\n\n".join(apa(work) for work in works) if works else ""
    return " ".join(text) + references


def _export(rng: random.Random, students: int, topics: int, works: list[Work]) -> DiscussionExport:
    names = [f"{given} {family}" for family, given in itertools.product(FAMILY.split(), GIVEN.split())]
    people = tuple(
        Participant(key=str(5000 + n), display_name=names[n], lms_user_id=str(5000 + n), email=f"s{n}@example.edu")
        for n in range(students)
    )
    exported = []
    for number in range(1, topics + 1):
        threads = []
        for n, person in enumerate(people):
            cited = rng.sample(works, rng.randint(2, 5))
            main = PostRecord(
                lms_post_id=f"{number}-m{n}", lms_thread_id=f"{number}-t{n}", lms_parent_id=None,
                author_key=person.key, created_at=START + timedelta(days=7 * number, hours=rng.randint(0, 60)),
                edited_at=None, subject="", body_html="", body_text=(body := _body(rng, cited, 180)),
                word_count=len(body.split()),
            )  # fmt: skip
            threads.append((main, person))
        records = []
        for n, (main, _person) in enumerate(threads):
            replies = []
            for step in (1, 2):
                replier = threads[(n + step) % len(threads)][1]
                body = _body(rng, rng.sample(works, rng.randint(0, 1)), 80)
                replies.append(PostRecord(
                    lms_post_id=f"{main.lms_post_id}-r{step}", lms_thread_id=main.lms_thread_id,
                    lms_parent_id=main.lms_post_id, author_key=replier.key,
                    created_at=main.created_at + timedelta(hours=30 + rng.randint(0, 90)), edited_at=None,
                    subject="", body_html="", body_text=body, word_count=len(body.split()),
                ))  # fmt: skip
            records.append(ThreadRecord(lms_thread_id=main.lms_thread_id, title=f"Post {n}", posts=(main, *replies)))
        info = TopicInfo(lms_topic_id=str(number), title=f"Week {number}: Sleep, stress and health",
                         due_initial_at=START + timedelta(days=7 * number + 3),
                         due_replies_at=START + timedelta(days=7 * number + 6), points_possible=100.0)  # fmt: skip
        exported.append(TopicExport(info=info, threads=tuple(records)))
    return DiscussionExport(format=ExportFormat.CANVAS, course_hint="", topics=tuple(exported), people=people)


def _check(kind: Verdict, work: Work, rng: random.Random, others: list[Work]) -> Check:
    """The check a flagged reference gets, with the evidence the check job would store for it."""
    if kind is Verdict.MISMATCH:
        cited = str((work.year or 2000) + 1)
        return Check(kind, doi=work.doi, matched_doi=work.doi, record=work,
                     differences=(Difference("year", cited, str(work.year)),),
                     message=f"The record says {work.year}, the reference {cited}.")  # fmt: skip
    if kind is Verdict.WRONG_DOI:
        other = rng.choice([o for o in others if o.doi != work.doi])
        return Check(kind, doi=other.doi, matched_doi=work.doi, record=work,
                     message="The DOI belongs to another work; the record below matches the reference.")  # fmt: skip
    if kind is Verdict.BROKEN_DOI:
        return Check(kind, doi=work.doi + "x", matched_doi=work.doi, record=work,
                     message="This DOI is registered nowhere; the record below matches the reference.")  # fmt: skip
    return Check(kind, message="No record in Crossref matches this reference: check its title and DOI.")


def build_class(
    session: Session,
    *,
    students: int = 120,
    flags: int = 400,
    topics: int = 1,
    seed: int = 7,
    course_name: str = "NURS 6501 Advanced Pathophysiology",
) -> Classroom:
    """Import, analyse, check and grade a class; make its instructor and TA (flush and commit)."""
    rng = random.Random(seed)
    works = journal_articles()
    export = _export(rng, students, topics, works)
    digest = hashlib.sha256(f"{course_name}/{students}/{topics}/{seed}".encode()).hexdigest()
    summary = import_export(session, export, file_name="class.json", sha256=digest, course_name=course_name)
    topic_ids = tuple(topic_id for topic_id, _title in summary.topics)
    for topic_id in topic_ids:
        analyse_topic(session, topic_id)
    rows = list(
        session.scalars(
            select(ReferenceCheck)
            .join(Post, Post.id == ReferenceCheck.post_id)
            .where(Post.topic_id.in_(topic_ids))
            .order_by(ReferenceCheck.post_id, ReferenceCheck.position)
        )
    )
    if flags > len(rows):
        raise ValueError(f"{flags} flags asked, but the class cites only {len(rows)} references: add students")
    by_doi = {work.doi: work for work in works}
    flagged = set(rng.sample(range(len(rows)), flags))
    verdicts = []
    for number, row in enumerate(rows):
        work = by_doi[str(row.text).rsplit("https://doi.org/", 1)[1]]
        kind = FLAG_KINDS[number % len(FLAG_KINDS)] if number in flagged else Verdict.VERIFIED
        verified = Check(Verdict.VERIFIED, doi=work.doi, matched_doi=work.doi, record=work, confidence=0.98)
        verdicts.append((row.id, row.key, _check(kind, work, rng, works) if kind is not Verdict.VERIFIED else verified))
    store_verdicts(session, verdicts)
    session.flush()
    rubric = load_rubric("graduate-discussion")
    for topic_id in topic_ids:
        grade_topic(session, topic_id, rubric, now=START + timedelta(days=60))
    course = session.get_one(Course, summary.course_id)
    instructor = accounts.create_user(session, "linda@example.edu", PASSWORD, role="instructor", name="Linda Carver")
    accounts.enrol(session, instructor, course, "instructor")
    ta = accounts.create_user(session, "sam@example.edu", PASSWORD, role="ta", name="Sam Reviewer")
    accounts.enrol(session, ta, course, "ta")
    session.commit()
    return Classroom(course.id, topic_ids, students, flags, instructor.email, ta.email)
