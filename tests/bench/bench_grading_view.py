"""Benchmark: server time of the grading view and of the review table, for a class of 300 students with 400 flags.

Run: python tests/bench/bench_grading_view.py [--students 300] [--flags 400] [--runs 20]
Builds a fresh SQLite database with tests/classroom.py (each student posts once and replies twice, citing real
Crossref records; every reference checked, `--flags` of them flagged; the topic graded), then asks through Flask's
test client, as the course's signed-in instructor, for: the grading view of students at the start, middle and end of
the class; the review table's first and last page; the table filtered to one kind of flag. Each is the whole request
(access check, queries, template), median of the runs after a warm-up. Target: under 150 ms each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the class factory

from classroom import PASSWORD, build_class

from forumgrader import create_app, store
from forumgrader.grading import load_rubric
from forumgrader.store import schema
from forumgrader.store.dashboard import topic_dashboard
from forumgrader.store.db import Database
from forumgrader.store.models import Topic

TARGET_MS = 150.0


def timed(client: object, address: str, runs: int) -> tuple[float, int]:
    """Median milliseconds of `runs` requests for a page (after three to warm up), and its size in KB."""
    for _ in range(3):
        response = client.get(address)  # type: ignore[attr-defined]
        assert response.status_code == 200, (address, response.status_code)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        client.get(address)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), len(response.data) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--flags", type=int, default=400)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["FORUMGRADER_INSTANCE_PATH"] = folder  # nothing left in the working directory
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        database = Database(url)
        schema.upgrade(database.engine)
        started = time.perf_counter()
        with database.sessions() as session:
            room = build_class(session, students=args.students, flags=args.flags)
        database.dispose()
        print(f"built {args.students} students, {args.flags} flags, graded, "
              f"in {time.perf_counter() - started:.1f} s (not timed below)")  # fmt: skip
        app = create_app({"DATABASE_URL": url, "AUTO_MIGRATE": False, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "TASK_QUEUE": "immediate",
                          "METADATA_SOURCE": "offline"})  # fmt: skip
        client = app.test_client()
        signed_in = client.post("/login", data={"email": room.instructor, "password": PASSWORD})
        assert signed_in.status_code == 302
        topic = room.topic_ids[0]
        with app.app_context():
            topic_row = store.session().get_one(Topic, topic)
            rows = topic_dashboard(store.session(), topic_row, load_rubric("graduate-discussion")).students
        people = [rows[0].person_id, rows[len(rows) // 2].person_id, rows[-1].person_id]
        pages = {
            "grading view, first student": f"/topics/{topic}/grading/{people[0]}",
            "grading view, middle student": f"/topics/{topic}/grading/{people[1]}",
            "grading view, last student": f"/topics/{topic}/grading/{people[2]}",
            "review table, page 1 (100 rows)": f"/courses/{room.course_id}/review",
            "review table, last page": f"/courses/{room.course_id}/review?page={-(-args.flags // 100)}",
            "review table, one kind of flag": f"/courses/{room.course_id}/review?verdict=not_found",
        }
        worst = 0.0
        for name, address in pages.items():
            median, size = timed(client, address, args.runs)
            worst = max(worst, median)
            print(f"{name}: median {median:.1f} ms over {args.runs} runs ({size} KB of HTML)")
        app.extensions["forumgrader.db"].dispose()
    target = f"(target < {TARGET_MS:.0f} ms)"
    print(f"{args.students} students, {args.flags} flags: slowest page median {worst:.1f} ms {target}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
