"""The code stays as STYLE.md asks: ruff finds nothing, formatting is ruff's, and the package type-checks strictly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    lint = _run("ruff", "check", "forumgrader", "tests", "wsgi.py")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatted = _run("ruff", "format", "--check", "forumgrader", "tests", "wsgi.py")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_package_type_checks_strictly() -> None:
    result = _run("mypy", "--no-incremental", "forumgrader")
    assert result.returncode == 0, result.stdout + result.stderr
