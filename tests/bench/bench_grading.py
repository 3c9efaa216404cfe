"""Benchmark: grade 300 students (a main post and two replies each, verdicts stored) and write the Canvas CSV; and
the peak memory of a process grading 3,000.

Run: python tests/bench/bench_grading.py [--students 300] [--rubric graduate-discussion] [--runs 3]
         [--memory-students 3000]
Builds a fresh SQLite database holding what an import and a check store (posts with their HTML and LMS record, every
post analysed, every reference checked with its record, suggestion and differences; some flags reviewed, some
waiting), then times grade_topic (read, score, store: flush and commit) and writing the Canvas gradebook CSV.
Then builds one with --memory-students and grades it in a fresh process, which reports its peak resident memory
(VmHWM, Python and the libraries included).
Targets: under 2 s for 300 students; under 300 MB peak for 3,000.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from forumgrader.citations import analyse
from forumgrader.citations.report import report_to_json
from forumgrader.crossref.cache import query_key
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


def imported(lms_id: str, body: str) -> dict[str, Any]:
    """What an import stores of a post beside its text: its HTML and the LMS's record of it."""
    html = "".join(f"<p>{paragraph}</p>" for paragraph in body.split("\n\n"))
    raw = {"id": lms_id, "user_id": lms_id.lstrip("mr").split("-")[0], "message": html, "created_at": START.isoformat(),
           "updated_at": START.isoformat(), "rating_count": None, "rating_sum": None, "attachments": []}  # fmt: skip
    return {"body_text": body, "body_html": html, "raw": raw, "word_count": len(body.split())}


def checked(reference: dict[str, Any], verdict: str) -> dict[str, Any]:
    """What a check stores beside the verdict: the record matched, the APA suggestion, what differs, why."""
    fields = reference["fields"]
    names = [f"{author['family']}, {author['initials']}" for author in fields["authors"]]
    record = {"doi": f"10.1000/{abs(hash(reference['text'])) % 10**8}", "title": fields["title"], "authors": names,
              "journal": fields["container"], "year": fields["year"], "volume": fields["volume"],
              "issue": fields["issue"], "pages": fields["pages"], "type": "journal-article"}  # fmt: skip
    found = verdict in ("verified", "mismatch")
    return {
        "record": record if found else None,
        "matched_doi": record["doi"] if found else "",
        "suggestion": reference["text"] if found else "",
        "differences": [{"field": "pages", "cited": fields["pages"], "record": "1-20", "severity": "warning"}]
        if verdict == "mismatch"
        else [],
        "message": f"We checked this reference against Crossref: {verdict.replace('_', ' ')}.",
        "match_confidence": 0.9 if found else None,
    }


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
                        created_at=START + timedelta(hours=rng.randint(0, 70)), **imported(f"m{n}", body))  # fmt: skip
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
                             author_id=person.id, parent_id=target.id, **imported(f"r{n}-{step}", body),
                             created_at=START + timedelta(hours=rng.randint(60, 160)))  # fmt: skip
                replies.append(reply)
                posts.append((reply, body))
        session.add_all(replies)
        session.flush()
        references = 0
        for post, body in posts:
            report = report_to_json(analyse(body))
            digest = hashlib.sha256(body.encode("utf-8")).hexdigest()  # fresh, as the checking service stores it
            session.add(PostAnalysis(post_id=post.id, text_hash=digest, report=report))
            for reference in report["references"]:
                verdict = rng.choice(VERDICTS)
                check = ReferenceCheck(post_id=post.id, position=reference["index"], key=query_key(reference["text"]),
                                       text=reference["text"], type=reference["type"], verdict=verdict,
                                       fields=reference["fields"], **checked(reference, verdict))  # fmt: skip
                session.add(check)
                references += 1
                if verdict in ("not_found", "broken_doi") and rng.random() < 0.5:
                    session.add(Review(post_id=post.id, reference_key=check.key,
                                       decision=rng.choice(("confirmed", "dismissed")), verdict=verdict))  # fmt: skip
        return topic.id, len(posts), references


def peak_resident_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: an upper bound


def grade_and_measure(url: str, topic_id: int, rubric_name: str) -> dict[str, float]:
    """Grade a topic in this process and return its peak memory (MB): resident, before and while grading."""
    rubric = load_rubric(rubric_name)
    database = Database(url)
    before = peak_resident_mb()
    with database.sessions() as session:
        graded = grade_topic(session, topic_id, rubric, now=START + timedelta(days=8))
        session.commit()
    database.dispose()
    return {"grades": len(graded), "peak_rss_mb": peak_resident_mb(), "rss_before_mb": before}


def measure_memory(students: int, rubric_name: str) -> dict[str, float]:
    """Build a topic of `students` and grade it in a fresh Python, which reports its memory."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'memory.sqlite'}"
        database = Database(url)
        schema.upgrade(database.engine)
        started = time.perf_counter()
        topic_id, posts, references = build(database, students)
        database.dispose()
        print(f"built {students} students, {posts} posts, {references} checked references "
              f"in {time.perf_counter() - started:.1f} s (not measured)")  # fmt: skip
        child = subprocess.run([sys.executable, __file__, "--grade-in-this-process", url, str(topic_id), rubric_name],
                               capture_output=True, text=True, check=True)  # fmt: skip
    figures: dict[str, float] = json.loads(child.stdout)
    return figures


def main() -> int:
    if sys.argv[1:2] == ["--grade-in-this-process"]:
        url, topic_id, rubric_name = sys.argv[2:5]
        print(json.dumps(grade_and_measure(url, int(topic_id), rubric_name)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--rubric", default="graduate-discussion")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-students", type=int, default=3000, help="0: skip the memory measurement")
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
    memory = measure_memory(args.memory_students, args.rubric) if args.memory_students else None
    if memory is not None:
        print(f"grading {memory['grades']:.0f} students in a fresh process: peak {memory['peak_rss_mb']:.0f} MB "
              f"resident, {memory['rss_before_mb']:.0f} MB of it before grading (Python and the libraries); "
              f"target < 300 MB")  # fmt: skip
    return 0 if best < 2.0 and (memory is None or memory["peak_rss_mb"] < 300) else 1


if __name__ == "__main__":
    sys.exit(main())
