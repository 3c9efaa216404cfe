"""Benchmark: a topic's posts analysed and stored inside the app, and its verdicts stored; posts per second and the
statements sent to the database.

Run: python tests/bench/bench_storage.py [--posts 900] [--rounds 5] [--database-url URL]
Stores a topic of typical posts (bench_citations.py: ~465 words, 4 references each) in a fresh database (SQLite, or
the PostgreSQL at --database-url, whose tables are emptied), then times forumgrader.store.checks.analyse_topic and
its commit: the citation analysis of every post, then its report and references written. CPU time of this process
(the analysis caches cleared before each round, as in bench_citations.py), best of the rounds; wall time beside it.
Then stores a verdict for every reference (store_verdicts, as a check's chunks do) and times that too.
Target: at least 500 posts/s on one core for analysis and storage.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_citations import CACHES, typical_post
from sqlalchemy import event, select, text

from forumgrader.citations import analyse
from forumgrader.crossref.model import Check, Verdict
from forumgrader.store import schema
from forumgrader.store.checks import analyse_topic, store_verdicts
from forumgrader.store.db import Database
from forumgrader.store.models import Course, Person, Post, ReferenceCheck, Thread, Topic

TARGET = 500.0


def fresh(url: str) -> Database:
    """A database at the newest schema, empty."""
    database = Database(url)
    if url.startswith("postgresql"):
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    schema.upgrade(database.engine)
    return database


def store_topic(database: Database, texts: list[str]) -> int:
    """Store a topic whose students wrote these posts; return its id."""
    with database.session() as session:
        course = Course(name="NURS 6501")
        session.add(course)
        session.flush()
        topic = Topic(course_id=course.id, title="Week 3")
        session.add(topic)
        session.flush()
        for number, body in enumerate(texts):
            person = Person(course_id=course.id, key=str(number), display_name=f"Student {number}")
            thread = Thread(topic_id=topic.id, lms_thread_id=str(number))
            session.add_all([person, thread])
            session.flush()
            session.add(Post(topic_id=topic.id, thread_id=thread.id, lms_post_id=str(number), author_id=person.id,
                             body_text=body, body_html=f"<p>{body}</p>"))  # fmt: skip
        return topic.id


class Statements:
    """Count the statements (and executemany batches) an engine sends."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def one_round(url: str, texts: list[str]) -> dict[str, float]:
    """Analyse and store a fresh topic, then store a verdict for each of its references; return the figures."""
    database = fresh(url)
    topic_id = store_topic(database, texts)
    for cache in CACHES:
        cache.cache_clear()
    counted = Statements(database)
    wall, cpu = time.perf_counter(), time.process_time()
    with database.session() as session:
        analysed = analyse_topic(session, topic_id)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    statements = counted.count
    with database.session() as session:
        rows = session.execute(select(ReferenceCheck.id, ReferenceCheck.key)).all()
    check = Check(Verdict.VERIFIED, doi="10.1000/x", matched_doi="10.1000/x", message="It matches its record.")
    started, counted.count = time.process_time(), 0
    with database.session() as session:
        store_verdicts(session, [(row.id, row.key, check) for row in rows])
    verdicts_cpu = time.process_time() - started
    database.dispose()
    return {"posts": analysed, "cpu": cpu, "wall": wall, "statements": statements, "references": len(rows),
            "verdicts_cpu": verdicts_cpu, "verdict_statements": counted.count}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=900)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="", help="PostgreSQL (emptied); default: a fresh SQLite file")
    args = parser.parse_args()
    rng = random.Random(42)
    texts = [typical_post(rng) for _ in range(args.posts)]
    for body in texts[:50]:
        analyse(body)  # compiled patterns, as in a running worker
    for cache in CACHES:
        cache.cache_clear()
    started = time.process_time()
    for body in texts:
        analyse(body)
    alone = args.posts / (time.process_time() - started)
    with tempfile.TemporaryDirectory() as folder:
        urls = [args.database_url or f"sqlite:///{Path(folder) / f'bench-{n}.sqlite'}" for n in range(args.rounds)]
        rounds = [one_round(url, texts) for url in urls]
    best = min(rounds, key=lambda found: found["cpu"])
    rate = best["posts"] / best["cpu"]
    print(f"analysis alone: {alone:,.0f} posts/s on one core")
    print(f"analysis and storage, {urls[0].split(':')[0]}: {rate:,.0f} posts/s on one core (best of {args.rounds}; "
          f"{best['posts'] / best['wall']:,.0f} posts/s by the wall clock), {best['posts']:.0f} posts and "
          f"{best['references']:.0f} references in {best['statements']:.0f} statements")  # fmt: skip
    print(f"verdicts stored: {best['references'] / best['verdicts_cpu']:,.0f} references/s on one core, "
          f"{best['verdict_statements']:.0f} statements")  # fmt: skip
    print(f"{'PASS' if rate >= TARGET else 'FAIL'}  at least {TARGET:.0f} posts/s analysed and stored")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
