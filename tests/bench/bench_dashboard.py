"""Benchmark: server time of a topic's dashboard with 300 students (posts, references, verdicts, reviews, grades).

Run: python tests/bench/bench_dashboard.py [--students 300] [--runs 20]
Builds a fresh SQLite database as bench_grading.py does (each student posts once and replies twice, every reference
checked, some flags reviewed), grades the topic, then asks for the dashboard through Flask's test client as a signed-in
instructor: the whole request (access check, queries, plots, template), median of the runs after a warm-up. Also
times the dashboard's reads alone. Target: under 150 ms for 300 students.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench_grading import START, build

from forumgrader import create_app, store
from forumgrader.grading import load_rubric
from forumgrader.store import accounts, schema
from forumgrader.store.dashboard import topic_dashboard
from forumgrader.store.db import Database
from forumgrader.store.grades import grade_topic
from forumgrader.store.models import Course, Topic

TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rubric = load_rubric("graduate-discussion")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        database = Database(url)
        schema.upgrade(database.engine)
        started = time.perf_counter()
        topic_id, posts, references = build(database, args.students)
        with database.session() as session:
            grade_topic(session, topic_id, rubric, now=START + timedelta(days=8))
            course = session.get_one(Course, session.get_one(Topic, topic_id).course_id)
            user = accounts.create_user(session, "bench@example.edu", "bench password", role="instructor")
            accounts.enrol(session, user, course, "instructor")
        database.dispose()
        print(
            f"built {args.students} students, {posts} posts, {references} checked references, graded, "
            f"in {time.perf_counter() - started:.1f} s (not timed below)"
        )

        app = create_app(
            {
                "DATABASE_URL": url,
                "AUTO_MIGRATE": False,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "TASK_QUEUE": "immediate",
                "METADATA_SOURCE": "offline",
            }
        )
        client = app.test_client()
        assert (
            client.post("/login", data={"email": "bench@example.edu", "password": "bench password"}).status_code == 302
        )
        page = f"/topics/{topic_id}"
        for _ in range(3):  # warm-up: templates compiled, connections pooled
            response = client.get(page)
            assert response.status_code == 200, response.status_code
        assert response.get_data(as_text=True).count("<tr data-name=") == args.students
        requests = []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(page)
            requests.append((time.perf_counter() - began) * 1000)
        reads = []
        with app.app_context():
            topic = store.session().get_one(Topic, topic_id)
            for _ in range(args.runs):
                store.session().expire_all()
                began = time.perf_counter()
                topic_dashboard(store.session(), topic, rubric)
                reads.append((time.perf_counter() - began) * 1000)
        sorted_page = f"{page}?sort=score&order=desc&only=flags"
        sorted_runs = []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(sorted_page)
            sorted_runs.append((time.perf_counter() - began) * 1000)
        app.extensions["forumgrader.db"].dispose()
    median = statistics.median(requests)
    print(
        f"dashboard request: median {median:.1f} ms, best {min(requests):.1f} ms, worst {max(requests):.1f} ms "
        f"over {args.runs} runs ({len(response.data) // 1024} KB of HTML)"
    )
    print(f"  of which the reads (topic_dashboard): median {statistics.median(reads):.1f} ms")
    print(f"  sorted by score and filtered to flags: median {statistics.median(sorted_runs):.1f} ms")
    print(f"{args.students} students: median {median:.1f} ms (target < {TARGET_MS:.0f} ms)")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
