"""`forumgrader check`: a draft's citations read and each reference verified against Crossref."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import ScriptInfo

from forumgrader import store
from forumgrader.citations import analyse
from forumgrader.citations.model import CitationReport
from forumgrader.citations.report import report_to_text
from forumgrader.crossref.bibtex import references_from_bibtex, to_bibtex
from forumgrader.crossref.model import MetadataSource
from forumgrader.crossref.report import checks_to_text
from forumgrader.discussions.model import ExportError
from forumgrader.store.checks import verify_workers
from forumgrader.store.crossref_cache import metadata_source
from forumgrader.store.ids import whole_number
from forumgrader.store.models import Post
from forumgrader.store.selfcheck import CheckedReport, check_report, read_draft


def crossref_config(config: Mapping[str, Any], url: str | None, mailto: str | None) -> dict[str, Any]:
    """Return the configuration with the command line's Crossref address and contact applied."""
    settings = dict(config)
    if url:
        settings["CROSSREF_URL"], settings["METADATA_SOURCE"] = url, "crossref"
    if mailto:
        settings["CROSSREF_MAILTO"], settings["METADATA_SOURCE"] = mailto, "crossref"
    return settings


def configured_source(url: str | None, mailto: str | None) -> MetadataSource:
    """Return the metadata source the configuration names, with the database cache, as the options adjust it."""
    try:
        return metadata_source(crossref_config(current_app.config, url, mailto), store.database())
    except ValueError as error:
        raise click.ClickException(f"{error}. Fix FORUMGRADER_METADATA_SOURCE or pass --crossref-url.") from error


def _read(path: str) -> CheckedReport:
    """Read what to check ("-" for stdin, "post:ID", a .bib export, or a draft) and return its citation report."""
    if path == "-":
        return read_draft(sys.stdin.buffer.read(), "")
    if path.startswith("post:"):
        number = path.removeprefix("post:")
        post_id = whole_number(number)
        post = store.session().get(Post, post_id) if post_id is not None else None
        if post is None:
            raise click.ClickException(f"There is no post {number!r}: list a topic's posts in the web view.")
        return CheckedReport(analyse(post.body_text), text=post.body_text)
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(f"{path} is not a file: give a draft (.txt, .md, .html, .docx), a .bib, or post:ID.")
    data = file.read_bytes()
    if file.suffix.lower() == ".bib":
        return CheckedReport(CitationReport(references=tuple(references_from_bibtex(data.decode("utf-8", "replace")))))
    try:
        return read_draft(data, file.name)
    except ExportError as error:
        raise click.ClickException(str(error)) from error


@click.command("check")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the shape of the API).")
@click.option("--crossref-url", metavar="URL", help="Ask this Crossref-compatible server (default: configuration).")
@click.option("--mailto", metavar="EMAIL", help="Contact address sent to Crossref (its polite pool).")
@click.option(
    "--offline",
    is_flag=True,
    help="Only read the citations; ask no server. The JSON is then the analysis alone, without verdict keys.",
)
@click.option(
    "--bibtex",
    "bibtex_out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the references as BibTeX, built from the matched Crossref records.",
)
@click.pass_context
def check(
    context: click.Context,
    path: str,
    as_json: bool,
    crossref_url: str | None,
    mailto: str | None,
    offline: bool,
    bibtex_out: Path | None,
) -> None:
    """Check the citations of PATH: a draft (.txt, .md, .html, .docx), '-' for stdin, post:ID, or a .bib export.

    Reads the reference list and the in-text citations, then verifies each reference against Crossref: verified,
    mismatch (with what differs), wrong_doi, broken_doi, not_found, not_indexed, or unchecked when Crossref could not
    be reached. The exit status is 0 whatever the verdicts; it is non-zero only when the check itself failed.
    """
    # the app (configuration, database, instance folder) only when the check needs it: --offline on a file needs none
    needs_app = not offline or path.startswith("post:")
    with context.ensure_object(ScriptInfo).load_app().app_context() if needs_app else nullcontext():
        checked = _read(path)
        if not offline:
            source = configured_source(crossref_url, mailto)
            checked = check_report(checked, source, workers=verify_workers(current_app.config))
    if bibtex_out is not None:
        bibtex_out.write_text(to_bibtex(checked.report.references, checked.checks), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(checked.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(report_to_text(checked.report), nl=False)
    if checked.checks is not None:
        click.echo(checks_to_text(checked.report, checked.checks), nl=False)


commands = [check]
