"""`forumgrader verify`: check the references of imported posts against Crossref and keep the verdicts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from tqdm import tqdm

from forumgrader import store
from forumgrader.cli.check import configured_source
from forumgrader.store import pipeline  # noqa: F401  (registers the check_topic job kind for `forumgrader worker`)
from forumgrader.store.checks import analyse_topic, verify_topic, verify_workers
from forumgrader.store.ids import ID_MAX
from forumgrader.store.models import Topic


@click.command("verify")
@click.option(
    "--topic", "topic_id", type=click.IntRange(0, ID_MAX), help="Only this topic (by id); default: every topic."
)
@click.option("--crossref-url", metavar="URL", help="Ask this Crossref-compatible server (default: configuration).")
@click.option("--mailto", metavar="EMAIL", help="Contact address sent to Crossref (its polite pool).")
@with_appcontext
def verify_command(topic_id: int | None, crossref_url: str | None, mailto: str | None) -> None:
    """Verify the references of imported posts against Crossref and store the verdicts.

    Reads each post's reference list again only when its text changed, then checks every reference that has no
    verdict yet or was left unchecked, each distinct reference once. Ctrl-C keeps what was checked; run the command
    again to continue from there.
    """
    session = store.session()
    topics = [topic_id] if topic_id is not None else list(session.scalars(select(Topic.id).order_by(Topic.id)))
    if topic_id is not None and session.get(Topic, topic_id) is None:
        raise click.ClickException(f"There is no topic {topic_id}: `forumgrader import` a discussion first.")
    read = sum(analyse_topic(session, topic) for topic in topics)
    session.commit()
    if read:
        click.echo(f"Read the reference lists of {read} posts.")
    source = configured_source(crossref_url, mailto)
    workers = verify_workers(current_app.config)
    bar = tqdm(total=0, unit="ref", desc="Checking references", disable=None, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        summary = verify_topic(session, topic_id, source, workers=workers, progress=progress, checkpoint=session.commit)
    except KeyboardInterrupt:
        bar.close()
        session.rollback()  # the chunk in flight; every finished chunk is already committed
        click.echo(
            "Stopped. The references checked so far are kept; run `forumgrader verify` again to continue.", err=True
        )
        raise SystemExit(130) from None
    bar.close()
    session.commit()
    if not summary.references:
        click.echo("Nothing to check: every reference already has a verdict.")
        return
    verdicts = ", ".join(f"{count} {verdict.replace('_', ' ')}" for verdict, count in sorted(summary.verdicts.items()))
    click.echo(f"Checked {summary.references} references ({summary.unique} distinct): {verdicts}.")
    if summary.verdicts.get("unchecked"):
        source_name = "crossref" if crossref_url else current_app.config["METADATA_SOURCE"]
        click.echo(UNCHECKED_REASONS.get(source_name, UNCHECKED_REASONS["crossref"]))


# Why references stay unchecked, by metadata source: never "wrong", always worth another run.
UNCHECKED_REASONS = {
    "crossref": "Crossref could not be reached for some of them; run the command again later to retry them.",
    "snapshot": "The local snapshot does not hold some of them; they stay unchecked, never counted as wrong.",
    "offline": "Checking is off (FORUMGRADER_METADATA_SOURCE=offline): set it to crossref or snapshot to check them.",
}


commands = [verify_command]
