"""Benchmark: how long `forumgrader --help` takes, from starting Python to the help printed.

Run: python tests/bench/bench_cli.py [--runs 10]
Runs the installed `forumgrader` script (else `python -m forumgrader`) in a fresh process each time; reports the
median and the best. Target: under 0.4 s (the median). Also times one command's own help (`forumgrader verify
--help`), which imports that command's module and what it needs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.4


def command() -> list[str]:
    """The `forumgrader` script beside this Python, else the module."""
    script = Path(sys.executable).with_name("forumgrader")
    found = str(script) if script.exists() else shutil.which("forumgrader")
    return [found] if found else [sys.executable, "-m", "forumgrader"]


def timed(arguments: list[str], runs: int) -> list[float]:
    """Return the wall time of each run of the command."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    base = command()
    timed([*base, "--help"], 2)  # warm the file cache
    top = timed([*base, "--help"], args.runs)
    verify = timed([*base, "verify", "--help"], max(3, args.runs // 3))
    median = statistics.median(top)
    print(f"{' '.join(base)} --help: median {median:.3f} s, best {min(top):.3f} s over {args.runs} runs")
    print(f"{' '.join(base)} verify --help: median {statistics.median(verify):.3f} s")
    print(f"{'PASS' if median < TARGET_SECONDS else 'FAIL'}  --help under {TARGET_SECONDS} s")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
