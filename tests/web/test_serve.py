"""`forumgrader serve` runs the app on waitress with the embedded worker and stops; `worker` checks its queue."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from forumgrader.cli import cli

SERVE = [sys.executable, "-c", "from forumgrader.cli import main; main()", "serve"]


@pytest.fixture
def serve_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a `forumgrader serve` process on the test database."""
    return {
        **os.environ,
        "FORUMGRADER_INSTANCE_PATH": str(tmp_path / "instance"),
        "FORUMGRADER_DATABASE_URL": database_url,
        "FORUMGRADER_TASK_QUEUE": "sqlite",
        "FORUMGRADER_SECRET_KEY": "serve-test",
    }


def first_line(process: subprocess.Popen[str], seconds: float = 30) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], seconds)
    assert ready, "serve printed nothing"
    return process.stdout.readline()


def test_serve_answers_pages_and_stops_on_sigterm(serve_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    command = [*SERVE, "--port", "0", "--threads", "2"]
    with (
        log.open("w") as errors,
        subprocess.Popen(command, env=serve_env, stdout=subprocess.PIPE, stderr=errors, text=True) as process,
    ):
        try:
            line = first_line(process)
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+/) with 2 threads; background jobs run here", line)
            assert found, line + log.read_text()
            with urllib.request.urlopen(found[1]) as response:
                assert response.status == 200
                assert "Check your references before you post" in response.read().decode()
                assert response.headers["Content-Security-Policy"]
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()


def test_serve_says_when_the_port_is_taken(serve_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*SERVE, "--port", str(port)], env=serve_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_worker_refuses_a_queue_it_cannot_work_on(app: Flask) -> None:
    result = app.test_cli_runner().invoke(cli, ["worker"])  # the test app runs jobs immediately
    assert result.exit_code == 1
    assert "TASK_QUEUE=immediate runs jobs inside web requests" in result.output


@pytest.mark.parametrize("option", ["--port=70000", "--threads=0"])
def test_serve_rejects_impossible_options(app: Flask, option: str) -> None:
    assert app.test_cli_runner().invoke(cli, ["serve", option]).exit_code == 2
