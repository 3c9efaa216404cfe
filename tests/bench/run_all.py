"""Run every benchmark in this folder, one after another, and say which ones missed their targets."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    """Run each bench_*.py with this Python; return non-zero when any of them failed."""
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], check=False).returncode
        print(f"=== {script.name}: {'ok' if code == 0 else f'exit {code}'} in {time.perf_counter() - started:.1f} s")
        if code:
            failed.append(script.name)
    print("\nAll benchmarks met their targets." if not failed else f"\nMissed or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
