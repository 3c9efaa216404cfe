"""A department's setup in miniature, for the scale-out test and benchmark: `forumgrader worker` processes on one
PostgreSQL and one Redis, checking topics whose students cite shared readings, against the local Crossref with its
limits enforced; and what that server saw (429s, requests asked twice, the time the limits allow).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from bench_throughput import allowed_seconds, citable, render_apa

from forumgrader import create_app, jobs
from forumgrader.crossref.limits import LOOKUP, SEARCH
from forumgrader.crossref.snapshot import bundled_files, read_files
from forumgrader.store.db import Database
from forumgrader.store.models import Course, Job, Person, Post, Thread, Topic
from forumgrader.store.topics import submit_check

LIMITS = {LOOKUP: 10, SEARCH: 3, "concurrency": 3}  # Crossref's polite pool, as the local server enforces it


def build_topics(database: Database, topics: int, posts: int, per_post: int, works: int, seed: int = 11) -> list[int]:
    """Store `topics` topics of one course whose students cite `per_post` of `works` readings each: a third of the
    readings are shared by every topic (the popular ones most cited), the rest belong to one topic; two in three
    references carry their DOI. Return the topic ids."""
    rng = random.Random(seed)
    pool = sorted((record for record in read_files(bundled_files()) if citable(record)), key=lambda r: r["DOI"])
    entries = render_apa(rng.sample(pool, works), [n % 3 != 2 for n in range(works)])
    shared, own = entries[: works // 3], entries[works // 3 :]
    ids = []
    with database.session() as session:
        course = Course(name="NURS 6501 Scale-out")
        session.add(course)
        session.flush()
        people = [Person(course_id=course.id, key=str(n), display_name=f"Student {n}") for n in range(posts)]
        session.add_all(people)
        for number in range(topics):
            readings = shared + own[number::topics]
            weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(readings))]
            topic = Topic(course_id=course.id, title=f"Week {number + 1}")
            session.add(topic)
            session.flush()
            for n, person in enumerate(people):
                thread = Thread(topic_id=topic.id, lms_thread_id=f"{number}-{n}")
                session.add(thread)
                session.flush()
                cited: set[int] = set()
                while len(cited) < per_post:
                    cited.add(rng.choices(range(len(readings)), weights)[0])
                text = "I argue the readings agree (see below).\n\nReferences\n\n" + "\n".join(
                    sorted(readings[index] for index in cited)
                )
                session.add(Post(topic_id=topic.id, thread_id=thread.id, lms_post_id=f"{number}-{n}",
                                 author_id=person.id, body_text=text))  # fmt: skip
            ids.append(topic.id)
    return ids


@dataclass
class Cluster:
    """Worker processes, and the app (as the web server runs it) to submit checks with, on one database and Redis."""

    app: Flask
    workers: list[subprocess.Popen[str]]

    def submit(self, topic_ids: Sequence[int]) -> list[int]:
        """Submit a check of each topic (in order) as the web page does; return the job ids."""
        found = []
        with self.app.app_context(), self.app.extensions["forumgrader.db"].sessions() as session:
            for topic_id in topic_ids:
                job = submit_check(session, session.get_one(Topic, topic_id), None)
                session.commit()
                jobs.enqueue(job)
                found.append(job.id)
        return found

    def wait(self, database: Database, job_ids: Sequence[int], seconds: float) -> list[Job]:
        """Wait for the jobs to finish (done or failed); raise when a worker died or time ran out."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with database.sessions() as session:
                found = session.scalars(select(Job).where(Job.id.in_(job_ids)).order_by(Job.id)).all()
            if all(job.status in ("done", "failed") for job in found):
                return list(found)
            if any(worker.poll() is not None for worker in self.workers):
                raise AssertionError(f"a worker stopped: {[worker.returncode for worker in self.workers]}")
            time.sleep(0.1)
        raise AssertionError(f"jobs not finished after {seconds} s: {[(job.id, job.status) for job in found]}")


@contextmanager
def cluster(count: int, *, database_url: str, redis_url: str, crossref_url: str, folder: Path) -> Iterator[Cluster]:
    """Start `count` `forumgrader worker` processes (each its own Python), and stop them afterwards."""
    settings = {
        "DATABASE_URL": database_url,
        "TASK_QUEUE": "redis",
        "REDIS_URL": redis_url,
        "METADATA_SOURCE": "crossref",
        "CROSSREF_URL": crossref_url,
        "CROSSREF_MAILTO": "scaleout@example.org",
        "AUTO_MIGRATE": False,
        "SECRET_KEY": "scale-out",
    }
    environment = {**os.environ, **{f"FORUMGRADER_{key}": str(value) for key, value in settings.items()}}
    environment["FORUMGRADER_AUTO_MIGRATE"] = "0"
    environment["FORUMGRADER_INSTANCE_PATH"] = str(folder)
    earlier = os.environ.get("FORUMGRADER_INSTANCE_PATH")
    os.environ["FORUMGRADER_INSTANCE_PATH"] = str(folder)  # for the app that submits, too
    workers = []
    for number in range(count):
        command = [sys.executable, "-m", "forumgrader", "worker"]
        with (folder / f"worker-{number}.log").open("w") as log:  # what it says on stderr, for when a test fails
            workers.append(subprocess.Popen(command, env=environment, text=True, stdout=subprocess.PIPE, stderr=log))
    app = create_app({**settings, "TESTING": True})
    try:
        for worker in workers:  # each says so once its consumer starts
            assert worker.stdout is not None and "forumgrader worker" in worker.stdout.readline()
        yield Cluster(app, workers)
    finally:
        app.extensions["forumgrader.db"].dispose()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
            if worker.stdout is not None:
                worker.stdout.close()
        if earlier is None:
            del os.environ["FORUMGRADER_INSTANCE_PATH"]
        else:
            os.environ["FORUMGRADER_INSTANCE_PATH"] = earlier


def asked_twice(log: Sequence[tuple[float, str, str, int]]) -> int:
    """Count the requests that asked what an earlier request had asked (same route, same DOI or query)."""
    seen = Counter((kind, target) for _at, kind, target, _status in log)
    return sum(count - 1 for count in seen.values())


def floor_seconds(log: Sequence[tuple[float, str, str, int]], latency: float) -> float:
    """The shortest time the limits allow for the distinct requests the server saw (bench_throughput's rule)."""
    distinct = {(kind, target) for _at, kind, target, _status in log}
    lookups = sum(1 for kind, _target in distinct if kind == LOOKUP)
    return float(allowed_seconds(lookups, len(distinct) - lookups, latency))
