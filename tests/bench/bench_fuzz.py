"""Benchmark the fuzzing: every public input driven far longer than the suite does, with its figures.

Run: python tests/bench/bench_fuzz.py [--examples 500] [--database-url URL]

Runs tests/hardening/test_fuzz.py (the JSON API through its OpenAPI document, every form and page, every importer,
rubric files) with `--examples` hypothesis examples per target instead of the suite's modest default, on a fresh
SQLite database (or the PostgreSQL one given), and reports per target: examples run, the slowest example, and the
largest peak of memory Python allocated in one example. Must hold: no failure (no 500, no traceback), every example
under the test's own bounds (20 s, 256 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/hardening/test_fuzz.py"


def main() -> int:
    """Run the fuzz targets with many examples and print their figures; non-zero when any target failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="hypothesis examples per target")
    parser.add_argument("--database-url", default="", help="a PostgreSQL test database (default: SQLite)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "fuzz.json"
        environment = {
            **os.environ,
            "FORUMGRADER_FUZZ_EXAMPLES": str(arguments.examples),
            "FORUMGRADER_FUZZ_REPORT": str(report),
            "FORUMGRADER_TEST_DATABASE_URL": arguments.database_url,
        }
        started = time.perf_counter()
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST]
        run = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)
        took = time.perf_counter() - started
        figures = json.loads(report.read_text()) if report.exists() else {}
    database = arguments.database_url or "SQLite"
    print(f"fuzzing with {arguments.examples} examples per target on {database}: {took:.0f} s")
    print(f"{'target':12} {'examples':>9} {'slowest':>9} {'peak memory':>12}")
    for target, found in sorted(figures.items()):
        print(f"{target:12} {found['examples']:>9} {found['slowest']:>8.2f}s {found['peak_megabytes']:>10.1f} MB")
    if run.returncode:
        print(run.stdout[-6000:], run.stderr[-2000:], sep="\n")
        print("FAILED: see above")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
