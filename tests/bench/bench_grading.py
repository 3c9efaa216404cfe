"""Benchmark: grade 300 students (a main post and two replies each, verdicts stored) and write the Canvas CSV.

Run: python tests/bench/bench_grading.py [--students 300] [--rubric graduate-discussion] [--runs 3]
Builds a fresh SQLite database with every post analysed and every reference checked (some flags reviewed, some
waiting), then times grade_topic (read, score, store: flush and commit) and writing the Canvas gradebook CSV.
Target: under 2 s for 300 students.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.batch import reference_key
from forumgrader.grading import ExportOptions, load_rubric
from forumgrader.grading.exports import canvas_gradebook_csv
from forumgrader.store import schema
from forumgrader.store.db import Database
from forumgrader.store.gradefiles import grade_file
from forumgrader.store.grades import grade_topic
from forumgrader.store.models import (
    Course,
    Person,
    Post,
    PostAnalysis,
    ReferenceCheck,
    Review,
    Thread,
    Topic,
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "psychotherapy clients clinicians therapy evidence brain neural plasticity treatment anxiety depression culture "
    "religion socioeconomic confidentiality consent family group adolescents stress outcomes research study suggests "
    "findings practice assessment approach biological psychological social factors model holistic support access"
)
GLUE = _words("the a of and to in that with for as on is can may be are this their which how")
SURNAMES = _words("Marwood Leppanen Jokinen Smid Avasthi Malhotra Sunderani Engel Gatchel Cohen Ader Moreira")
JOURNALS = ("Journal of Individual Psychology", "BMC Health Services Research", "Psychiatric Services")
VERDICTS = ("verified", "verified", "verified", "mismatch", "not_found", "not_indexed", "broken_doi")
START = datetime(2024, 9, 9, 9, tzinfo=UTC)


def text(rng: random.Random, words: int, references: int) -> str:
    """A post of about `words` words citing `references` sources, with its APA reference list."""
    cited = [(rng.choice(SURNAMES), rng.randint(2012, 2024)) for _ in range(references)]
    sentences, count = [], 0
    while count < words:
        sentence = " ".join(rng.choice(WORDS if i % 2 else GLUE) for i in range(rng.randint(12, 20)))
        name, year = rng.choice(cited) if cited else ("", 0)
        sentences.append(sentence.capitalize() + (f" ({name}, {year})." if cited else "."))
        count += len(sentence.split())
    entries = [f"{name}, A. B. ({year}). {' '.join(rng.sample(WORDS, 7)).capitalize()}. {rng.choice(JOURNALS)}, "
               f"{rng.randint(10, 90)}({rng.randint(1, 12)}), {rng.randint(1, 400)}-{rng.randint(401, 900)}."
               for name, year in sorted(cited)]  # fmt: skip
    return " ".join(sentences) + ("\n\nReferences\n" + "\n".join(entries) + "\n" if entries else "")


def build(database: Database, students: int, seed: int = 11) -> tuple[int, int, int]:
    """Store a topic: each student posts once and replies to the next two classmates. Returns topic, posts, refs."""
    rng = random.Random(seed)
    with database.session() as session:
        course = Course(name="NURS 6501")
        session.add(course)
        session.flush()
        due_initial, due_replies = START + timedelta(days=2, hours=14), START + timedelta(days=6)
        topic = Topic(course_id=course.id, title="Week 3 Discussion", lms_assignment_id="48213",
                      due_initial_at=due_initial, due_replies_at=due_replies)  # fmt: skip
        session.add(topic)
        session.flush()
        people = [Person(course_id=course.id, key=str(n), display_name=f"Student {n}", sortable_name=f"{n}, Student",
                         lms_user_id=str(20000 + n), sis_user_id=f"S{n}", login_id=f"s{n}")
                  for n in range(students)]  # fmt: skip
        session.add_all(people)
        session.flush()
        posts: list[tuple[Post, str]] = []
        mains = []
        for n, person in enumerate(people):
            thread = Thread(topic_id=topic.id, lms_thread_id=str(n))
            session.add(thread)
            session.flush()
            body = text(rng, rng.randint(250, 420), rng.randint(2, 5))
            main = Post(topic_id=topic.id, thread_id=thread.id, lms_post_id=f"m{n}", author_id=person.id,
                        created_at=START + timedelta(hours=rng.randint(0, 70)), body_text=body)  # fmt: skip
            mains.append(main)
            posts.append((main, body))
        session.add_all(mains)
        session.flush()
        replies = []
        for n, person in enumerate(people):
            for step in (1, 2):
                target = mains[(n + step) % students]
                body = text(rng, rng.randint(120, 260), rng.randint(0, 2))
                reply = Post(topic_id=topic.id, thread_id=target.thread_id, lms_post_id=f"r{n}-{step}",
                             author_id=person.id, parent_id=target.id, body_text=body,
                             created_at=START + timedelta(hours=rng.randint(60, 160)))  # fmt: skip
                replies.append(reply)
                posts.append((reply, body))
        session.add_all(replies)
        session.flush()
        references = 0
        for post, body in posts:
            report = analyse(body)
            digest = hashlib.sha256(body.encode("utf-8")).hexdigest()  # fresh, as the checking service stores it
            session.add(PostAnalysis(post_id=post.id, text_hash=digest, report=report_to_json(report)))
            for reference in report.references:
                verdict = rng.choice(VERDICTS)
                check = ReferenceCheck(post_id=post.id, position=reference.index, key=reference_key(reference),
                                       text=reference.text, type=reference.type.value, verdict=verdict,
                                       fields={"year": reference.fields.year, "authors": [
                                           {"family": a.family} for a in reference.fields.authors]})  # fmt: skip
                session.add(check)
                references += 1
                if verdict in ("not_found", "broken_doi") and rng.random() < 0.5:
                    session.add(Review(post_id=post.id, reference_key=check.key,
                                       decision=rng.choice(("confirmed", "dismissed")), verdict=verdict))  # fmt: skip
        return topic.id, len(posts), references


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--rubric", default="graduate-discussion")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rubric = load_rubric(args.rubric)
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        schema.upgrade(database.engine)
        started = time.perf_counter()
        topic_id, posts, references = build(database, args.students)
        print(f"built {args.students} students, {posts} posts, {references} checked references "
              f"in {time.perf_counter() - started:.1f} s (analysis included; not timed below)")  # fmt: skip
        timings = []
        for run in range(args.runs):
            with database.sessions() as session:  # a new session: nothing cached from the run before
                began = time.perf_counter()
                graded = grade_topic(session, topic_id, rubric, now=START + timedelta(days=8))
                session.commit()
                scored = time.perf_counter()
                rows = grade_file(session, session.get_one(Topic, topic_id), rubric.name).rows
                csv_text = canvas_gradebook_csv(rows, ExportOptions("Week 3 Discussion", rubric.possible, "48213"))
                done = time.perf_counter()
            timings.append((scored - began, done - scored, done - began))
            provisional = sum(1 for g in graded if g.score.provisional)
            print(f"run {run + 1}: grade_topic + commit {scored - began:.3f} s, Canvas CSV {done - scored:.3f} s, "
                  f"total {done - began:.3f} s ({len(graded)} grades, {provisional} provisional, "
                  f"{len(csv_text.splitlines())} CSV lines)")  # fmt: skip
        database.dispose()
    best = min(t[2] for t in timings)
    print(f"{rubric.name}: best {best:.3f} s, median {statistics.median(t[2] for t in timings):.3f} s "
          f"for {args.students} students (target < 2 s)")  # fmt: skip
    return 0 if best < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
