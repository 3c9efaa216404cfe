"""`forumgrader crossref`: the local snapshot of Crossref records, a local Crossref server for demos, and sizes."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from forumgrader import store
from forumgrader.crossref.localserver import serve_in_thread
from forumgrader.crossref.snapshot import SnapshotFormatError, bundled_files, read_files
from forumgrader.store.crossref_cache import cache_size
from forumgrader.store.snapshot import load_snapshot, refresh_statistics, snapshot_size


@click.group("crossref")
def crossref() -> None:
    """Work with Crossref records: load a snapshot for offline checking, serve a local Crossref, show sizes."""


@crossref.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--complete",
    is_flag=True,
    help="Declare that these files hold every record you cite, so a DOI missing from them counts as not found "
    "(without it, a miss leaves the reference unchecked).",
)
@with_appcontext
def load(files: tuple[Path, ...], complete: bool) -> None:
    """Load Crossref records (JSON lines, .gz accepted) into the local snapshot; loading again replaces them."""
    session = store.session()
    try:
        counts = load_snapshot(
            session, read_files(files), source=", ".join(file.name for file in files), complete=complete
        )
    except (SnapshotFormatError, UnicodeDecodeError, OSError) as error:
        session.rollback()
        raise click.ClickException(
            f"{error}. Give files with one Crossref record per line (as in forumgrader/samples/crossref), "
            'or API answers with a "message".'
        ) from error
    session.commit()
    refresh_statistics(store.database())
    click.echo(f"Loaded {counts.records} records ({counts.added} new, {counts.replaced} replaced).")
    if counts.skipped:
        click.echo(f"Skipped {counts.skipped} records without a usable DOI.")
    state = (
        "complete: a DOI it lacks is reported as not found"
        if complete
        else ("partial: a reference it lacks stays unchecked (use --complete if it holds everything)")
    )
    click.echo(f"The snapshot is {state}. Use it with FORUMGRADER_METADATA_SOURCE=snapshot.")


@crossref.command("serve")
@click.option("--port", default=8999, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--records",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Record files to serve (repeatable; default: the bundled sample records).",
)
@click.option("--latency", default=0.0, show_default=True, help="Seconds to wait before each answer.")
@click.option(
    "--limits",
    default="10,3,3",
    show_default=True,
    help="Lookups/s, searches/s, concurrent requests enforced with 429s, as Crossref's polite pool; 'off' for none.",
)
def serve(port: int, files: tuple[Path, ...], latency: float, limits: str) -> None:
    """Serve Crossref-compatible answers on 127.0.0.1 (point FORUMGRADER_CROSSREF_URL at it); Ctrl-C stops."""
    enforced = None
    if limits.strip().lower() != "off":
        try:
            lookups, searches, concurrency = (float(part) for part in limits.split(","))
        except ValueError as error:
            raise click.ClickException(f"--limits {limits!r}: give three numbers like 10,3,3, or 'off'") from error
        enforced = {"lookup": lookups, "search": searches, "concurrency": concurrency}
    try:
        records = list(read_files(files or bundled_files()))
        server = serve_in_thread(records, port=port, latency=latency, limits=enforced)
    except SnapshotFormatError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port} ({error.strerror}): try --port") from error
    click.echo(f"Serving {len(records)} Crossref records at {server.url}  (limits: {limits}, latency {latency:g} s)")
    click.echo(f"Try: curl '{server.url}/works?query.bibliographic=sleep+apnea&rows=2'")
    click.echo(f"Use: FORUMGRADER_CROSSREF_URL={server.url}   Stop: Ctrl-C")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


@crossref.command("stats")
@with_appcontext
def stats() -> None:
    """Show how many Crossref answers are cached and how much the local snapshot holds."""
    session = store.session()
    cached = cache_size(session)
    size = snapshot_size(session)
    click.echo(f"Metadata source: {current_app.config['METADATA_SOURCE']}")
    click.echo(
        "Cached answers: "
        + (", ".join(f"{count} {kind}" for kind, count in sorted(cached.items())) if cached else "none")
        + f" (kept {current_app.config['CROSSREF_CACHE_DAYS']} days)"
    )
    completeness = "complete" if size.complete or current_app.config["SNAPSHOT_COMPLETE"] else "partial"
    click.echo(f"Snapshot: {size.records} records, {size.words} indexed words, {size.loads} loads, {completeness}")


commands = [crossref]
