"""Benchmark scale-out: `forumgrader worker` processes on PostgreSQL and Redis sharing one Crossref budget.

Run: python tests/bench/bench_scaleout.py [--workers 3] [--topics 3] [--posts 150] [--per-post 3] [--works 300]
         [--latency 0.15] [--database-url URL] [--redis-url URL]

The database and Redis default to FORUMGRADER_TEST_DATABASE_URL and FORUMGRADER_TEST_REDIS_URL; the database's
tables are emptied (as the tests do). Three topics of one course whose students cite shared readings (tests/cluster.py)
are checked by the workers against the local Crossref enforcing 10 lookups/s, 3 searches/s and 3 concurrent requests,
answering after 150 ms. Then, afresh, one topic is submitted three times at once.

Targets: no 429, no request asked twice, every reference checked, the three topics done within 1.10x the floor (the
time the limits allow for the distinct requests: bench_throughput's rule), from the first submit to the last job done
(analysis and grading included); the topic submitted three times: one job, done, no request twice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cluster import LIMITS, asked_twice, build_topics, cluster, floor_seconds
from sqlalchemy import func, select, text

from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.store import schema
from forumgrader.store.db import Database
from forumgrader.store.models import CheckChunk, ReferenceCheck

RESULTS = Path(__file__).resolve().parent / "results"


def fresh(database_url: str, redis_url: str) -> Database:
    """Empty the database (schema at the newest migration) and the Redis database."""
    import redis

    database = Database(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    schema.upgrade(database.engine)
    redis.Redis.from_url(redis_url).flushdb()
    return database


def run(args: argparse.Namespace, server: LocalCrossref, topics: int, repeat: int) -> dict[str, Any]:
    """Check `topics` topics (each submitted `repeat` times at once) with the workers; return what happened."""
    database = fresh(args.database_url, args.redis_url)
    ids = build_topics(database, topics, args.posts, args.per_post, args.works)
    server.reset()
    with tempfile.TemporaryDirectory() as folder, cluster(args.workers, database_url=args.database_url,
                                                          redis_url=args.redis_url, crossref_url=server.url,
                                                          folder=Path(folder)) as workers:  # fmt: skip
        started = time.perf_counter()
        submitted = workers.submit([topic for topic in ids for _ in range(repeat)])
        finished = workers.wait(database, sorted(set(submitted)), seconds=3600)
        wall = time.perf_counter() - started
    log = server.log()
    with database.sessions() as session:
        counted = session.execute(select(ReferenceCheck.verdict, func.count()).group_by(ReferenceCheck.verdict))
        verdicts = {verdict: count for verdict, count in counted}
        chunks = session.scalar(select(func.count()).select_from(CheckChunk))
    database.dispose()
    floor = floor_seconds(log, args.latency)
    arrivals = sorted(at for at, *_rest in log)
    return {
        "topics": topics,
        "submitted": len(submitted),
        "jobs": len(set(submitted)),
        "job_statuses": [job.status for job in finished],
        "chunks": chunks,
        "references": sum(verdicts.values()),
        "verdicts": {str(verdict): count for verdict, count in verdicts.items()},
        "requests": len(log),
        "asked_twice": asked_twice(log),
        "too_many_429": server.stats()["too_many"],
        "floor_seconds": round(floor, 2),
        "wall_seconds": round(wall, 2),
        "wall_per_floor": round(wall / floor, 3) if floor else None,
        "first_to_last_request_seconds": round(arrivals[-1] - arrivals[0], 2) if arrivals else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--topics", type=int, default=3)
    parser.add_argument("--posts", type=int, default=150, help="students, each posting once per topic")
    parser.add_argument("--per-post", type=int, default=3)
    parser.add_argument("--works", type=int, default=300, help="readings; a third shared by every topic")
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--database-url", default=os.environ.get("FORUMGRADER_TEST_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("FORUMGRADER_TEST_REDIS_URL", ""))
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql") or not args.redis_url:
        print("SKIPPED: needs PostgreSQL and Redis (--database-url, --redis-url, or FORUMGRADER_TEST_* variables)")
        return 0
    with serve_in_thread(latency=args.latency, limits=LIMITS) as server:
        shared = run(args, server, args.topics, repeat=1)
        again = run(args, server, 1, repeat=3)
    checks = {
        "no 429 served": shared["too_many_429"] == 0 and again["too_many_429"] == 0,
        "no request asked twice": shared["asked_twice"] == 0 and again["asked_twice"] == 0,
        "every reference checked": not {"None", "unchecked"} & {*shared["verdicts"], *again["verdicts"]},
        "every job done": set(shared["job_statuses"]) == {"done"} and again["job_statuses"] == ["done"],
        "wall time within 1.10x the floor": (shared["wall_per_floor"] or 0) <= 1.10,
        "a topic submitted three times is one job": again["jobs"] == 1,
    }
    for name, figures in (("three topics sharing readings", shared), ("one topic submitted three times", again)):
        print(f"== {name}, {args.workers} workers")
        for key, value in figures.items():
            print(f"{key:>32}: {value}")
    for name, held in checks.items():
        print(f"{'PASS' if held else 'FAIL'}  {name}")
    RESULTS.mkdir(exist_ok=True)
    report = {"workers": args.workers, "shared": shared, "again": again, "checks": checks}
    (RESULTS / "scaleout.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
