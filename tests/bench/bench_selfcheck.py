"""Benchmark the self-check: how long a student waits for a typical draft, the first time and on a warm cache.

Run: python tests/bench/bench_selfcheck.py [--requests 50] [--latency 0.25] [--cold-runs 3] [--database-url URL]

The draft is a typical discussion post: the blog seed's prose cut to about 400 words, with its five APA references
(one Crossref does not hold, three that match, one whose pages differ). It goes through the app as a student sends
it, with the Flask test client: the self-check page (POST /check, the HTML report) and the API (POST
/api/v1/self-check, the JSON report), on a fresh database, against the local Crossref answering every request after
`--latency` seconds and enforcing Crossref's public limits (10 lookups/s, 3 searches/s, 3 at once), which the app's
own limiter keeps to.

Cold: the first check of the draft on an empty cache, on a fresh database each run (`--cold-runs`). Warm: the same
draft again, `--requests` times through each route after one untimed request (the first page render compiles its
templates): every answer comes from the database cache. Reports the median
and 95th percentile, that warm checks asked Crossref nothing, and that every warm verdict equals the cold ones.
Must hold: warm p95 under 1 second; cold under the self-check's budget (SELF_CHECK_SECONDS) plus one second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask

from forumgrader import create_app
from forumgrader.crossref.localserver import LocalCrossref, serve_in_thread
from forumgrader.store.selfcheck import finish_background_lookups

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "forumgrader" / "samples" / "seeds" / "001_e57b5723c3460151.txt"
RESULTS = Path(__file__).resolve().parent / "results"
LIMITS = {"lookup": 10, "search": 3, "concurrency": 3}


def typical_draft(words: int = 400) -> str:
    """Return the blog seed's prose cut to about `words` words (whole paragraphs), then its reference list."""
    text = SEED.read_text(encoding="utf-8")
    body, references = text.split("Psychoneuroimmunology: Bridging Mind and Body", 1)[1].split("\n\n\nAder", 1)
    kept, count = [], 0
    for paragraph in (part.strip() for part in body.split("\n\n") if part.strip()):
        if count >= words:
            break
        kept.append(paragraph)
        count += len(paragraph.split())
    listing = "Ader" + references.split("\n\n1 view", 1)[0]
    return "\n\n".join(kept) + "\n\nReferences\n\n" + listing.strip() + "\n"


def make_app(server: LocalCrossref, database_url: str, instance: str) -> Flask:
    os.environ["FORUMGRADER_INSTANCE_PATH"] = instance
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": database_url,
            "AUTO_MIGRATE": True,
            "TASK_QUEUE": "immediate",
            "METADATA_SOURCE": "crossref",
            "CROSSREF_URL": server.url,
            "CROSSREF_MAILTO": "bench@example.org",
            "SELF_CHECK_RATE_LIMIT": "100000 per minute",
        }
    )


def fresh_database(url: str | None, scratch: Path, run: int) -> str:
    """A new empty database for a cold run: a SQLite file, or the given PostgreSQL database emptied."""
    if not url:
        return f"sqlite:///{scratch / f'cold-{run}.sqlite'}"
    from sqlalchemy import text

    from forumgrader.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def timed(app: Flask, route: str, draft: str) -> tuple[float, Any]:
    client = app.test_client()
    started = time.perf_counter()
    if route == "page":
        response = client.post("/check", data={"text": draft})
    else:
        response = client.post("/api/v1/self-check", json={"text": draft})
    took = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{route}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return took, response


def verdicts(app: Flask, draft: str) -> list[str]:
    answer = app.test_client().post("/api/v1/self-check", json={"text": draft}).get_json()
    return [reference["verdict"] for reference in answer["references"]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, bool]]:
    draft = typical_draft()
    server = serve_in_thread(latency=args.latency, limits=LIMITS)
    scratch = Path(tempfile.mkdtemp(prefix="bench-selfcheck-"))
    figures: dict[str, Any] = {
        "draft": f"{len(draft.split('References')[0].split())} words of prose, 5 references",
        "crossref latency": f"{args.latency:.2f} s per request",
    }
    try:
        cold_times, cold_requests = [], []
        app = None
        for run_number in range(args.cold_runs):
            app = make_app(server, fresh_database(args.database_url, scratch, run_number), str(scratch / "instance"))
            server.reset()
            server.configure(latency=args.latency, limits=LIMITS)
            took, _ = timed(app, "api", draft)
            finish_background_lookups()
            cold_times.append(took)
            cold_requests.append(server.stats()["total"])
            if run_number < args.cold_runs - 1:
                app.extensions["forumgrader.db"].dispose()
        assert app is not None
        cold_verdicts = verdicts(app, draft)
        budget = float(app.config["SELF_CHECK_SECONDS"])
        figures["cold (first check, empty cache)"] = ", ".join(f"{t:.2f} s" for t in cold_times)
        figures["cold Crossref requests"] = ", ".join(str(n) for n in cold_requests)
        figures["cold verdicts"] = ", ".join(cold_verdicts)
        asked_before = server.stats()["total"]
        warm: dict[str, list[float]] = {"page": [], "api": []}
        same = True
        for route in ("page", "api"):
            first, _ = timed(app, route, draft)  # the first page also compiles its templates: not a warm figure
            figures[f"first warm {route} request"] = f"{first * 1000:.0f} ms"
            for _ in range(args.requests):
                took, response = timed(app, route, draft)
                warm[route].append(took)
                if route == "api":
                    same &= [r["verdict"] for r in response.get_json()["references"]] == cold_verdicts
        warm_requests = server.stats()["total"] - asked_before
        for route, label in (("page", "warm page (POST /check)"), ("api", "warm API (POST /api/v1/self-check)")):
            values = warm[route]
            figures[label] = (
                f"median {statistics.median(values) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms, "
                f"max {max(values) * 1000:.0f} ms over {len(values)}"
            )
        figures["warm Crossref requests"] = warm_requests
        app.extensions["forumgrader.db"].dispose()
    finally:
        server.stop()
    warm_p95 = max(percentile(values, 0.95) for values in warm.values())
    checks = {
        "warm p95 under 1 s": warm_p95 < 1.0,
        f"cold under the budget ({budget:g} s) + 1 s": max(cold_times) < budget + 1.0,
        "warm checks asked Crossref nothing": warm_requests == 0,
        "warm verdicts equal the cold ones": same,
        "no reference left unchecked when cold": "unchecked" not in cold_verdicts,
    }
    return figures, checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="warm requests per route")
    parser.add_argument("--latency", type=float, default=0.25, help="seconds the local Crossref takes per answer")
    parser.add_argument("--cold-runs", type=int, default=3, help="first checks, each on a fresh database")
    parser.add_argument("--database-url", help="a PostgreSQL database to use (emptied!); default: SQLite files")
    args = parser.parse_args()
    figures, checks = run(args)
    for name, value in figures.items():
        print(f"{name:>38}: {value}")
    for name, held in checks.items():
        print(f"{'PASS' if held else 'FAIL'}  {name}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "selfcheck.json").write_text(json.dumps({"figures": figures, "checks": checks}, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
