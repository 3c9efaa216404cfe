"""`forumgrader serve` (the web app, for production, on waitress) and `forumgrader worker` (background jobs)."""

from __future__ import annotations

import signal
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext
from waitress.server import create_server

from forumgrader import jobs


def _stop_on_sigterm() -> None:
    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)  # waitress and the worker shut down cleanly on SystemExit, as on Ctrl-C

    signal.signal(signal.SIGTERM, stop)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads answering requests."
)
@click.option(
    "--no-worker", is_flag=True, help="Do not run background jobs in this process (run `forumgrader worker`)."
)
@with_appcontext
def serve(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Serve forumgrader with waitress; with the SQLite queue, background jobs run in this process too."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # self-checks waiting on Crossref each hold a thread: leave at least half the threads to everyone else
    app.config["SELF_CHECK_AT_ONCE"] = max(1, min(int(app.config["SELF_CHECK_AT_ONCE"]), threads // 2))
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="forumgrader")
    except OSError as error:
        raise click.ClickException(
            f"Cannot listen on {host}:{port} ({error.strerror}): choose another --port."
        ) from error
    consumer = None
    queue = app.config["TASK_QUEUE"]
    if queue == "sqlite" and not no_worker:
        resumed = jobs.resume_interrupted(app)
        consumer = jobs.start_worker(app)
        note = f"background jobs run here ({app.config['WORKER_THREADS']} threads"
        note += f"; {resumed} interrupted job{'s' if resumed != 1 else ''} resumed)" if resumed else ")"
    elif queue == "immediate":
        note = "background jobs run inside each request (TASK_QUEUE=immediate)"
    else:
        note = "background jobs need `forumgrader worker` running"
    click.echo(
        f"forumgrader is listening on http://{server.effective_host}:{server.effective_port}/ "  # type: ignore[union-attr]
        f"with {threads} threads; {note}. Stop with Ctrl-C."
    )
    _stop_on_sigterm()
    try:
        server.run()
    finally:
        server.close()
        if consumer is not None:
            click.echo("Waiting for running jobs to reach a checkpoint…")
            consumer.stop(graceful=True)


@click.command("worker")
@click.option("--threads", type=click.IntRange(1, 64), help="Jobs run at once (default: WORKER_THREADS).")
@click.option(
    "--resume/--no-resume",
    default=True,
    show_default=True,
    help="Queue again the jobs a stop cut short (running ones only once their worker has gone quiet).",
)
@with_appcontext
def worker(threads: int | None, resume: bool) -> None:
    """Run background jobs in the foreground (for TASK_QUEUE=redis, or beside `serve --no-worker`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue = app.config["TASK_QUEUE"]
    if queue == "immediate":
        raise click.ClickException(
            "TASK_QUEUE=immediate runs jobs inside web requests: there is no queue to work on. "
            "Set FORUMGRADER_TASK_QUEUE=sqlite or redis."
        )
    resumed = jobs.resume_interrupted(app) if resume else 0
    count = threads or app.config["WORKER_THREADS"]
    click.echo(
        f"forumgrader worker: {count} threads on the {queue} queue; {resumed} interrupted jobs resumed. "
        "Stop with Ctrl-C."
    )
    jobs.run_worker(app, threads=count)


commands = [serve, worker]
