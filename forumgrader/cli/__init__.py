"""The `forumgrader` command: one module per noun in this package, each imported only when its command runs.

`forumgrader --help` imports no command module (nor Flask): the registry below knows where each command lives and
the line the help shows for it (tests/cli/test_cli.py checks that each line is its command's own).
"""

from __future__ import annotations

import importlib

import click

# command -> (module in this package, its attribute, the first line of its help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "canvas": ("canvas", "canvas", "Canvas's REST API: connect a course with a token, import discussion topics, post "
               "grades with comments."),
    "check": ("check", "check", "Check the citations of PATH: a draft (.txt, .md, .html, .docx), '-' for stdin, "
              "post:ID, or a .bib export."),
    "crossref": ("crossref", "crossref", "Work with Crossref records: load a snapshot for offline checking, serve a "
                 "local Crossref, show sizes."),
    "db": ("db", "db", "Manage the database schema."),
    "demo": ("demo", "demo", "Try forumgrader: a course per LMS checked against the bundled Crossref records, graded, "
             "on 127.0.0.1."),
    "export": ("grade", "export", "Grade TOPIC and write the CSV that LMS's gradebook imports (Canvas, Moodle or "
               "D2L)."),
    "grade": ("grade", "grade", "Score every student of TOPIC (its id) against a rubric and keep the grades; "
              "overrides stay in force."),
    "import": ("imports", "import_command", "Import PATH: a Canvas discussion view, a Moodle forum export, D2L posts "
               "(JSON), a CSV of posts, or a draft."),
    "lti": ("lti", "lti", "LTI 1.3: register LMS platforms, manage the tool's keys, fetch rosters and send grades."),
    "override": ("grade", "override", "Set STUDENT's POINTS for one CRITERION of TOPIC (or --clear it); the topic is "
                 "graded again."),
    "roster": ("rosters", "roster", "A course's roster: the LMS's class list, for ids, enrolment, and students who "
               "never posted."),
    "rubrics": ("rubrics", "rubrics", "Rubric files: the shipped ones, checking your own, Canvas rubric CSV both ways "
                "(schema: rubrics/README.md)."),
    "serve": ("serve", "serve", "Serve forumgrader with waitress; with the SQLite queue, background jobs run in this "
              "process too."),
    "topic": ("topics", "topic", "A topic's settings."),
    "users": ("users", "users", "Manage accounts, course memberships and API tokens."),
    "verify": ("verify", "verify_command", "Verify the references of imported posts against Crossref and store the "
               "verdicts."),
    "worker": ("serve", "worker", "Run background jobs in the foreground (for TASK_QUEUE=redis, or beside `serve "
               "--no-worker`)."),
}  # fmt: skip


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run (or its own help is asked for), not before."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the commands' names, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the module of a command and return the command."""
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _help = COMMANDS[cmd_name]
        found: click.Command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their help lines, from the registry (importing none of them)."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # a bare Command shortens the line as click does for the real one
        rows = [
            (name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)) for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.pass_context
def cli(context: click.Context) -> None:
    """Grade course discussion boards and catch broken citations.

    Start with `forumgrader demo`: a sample course, checked and graded, served on http://127.0.0.1:5000.
    """
    if context.obj is None:  # tests hand in their own app (obj=ScriptInfo(...))
        from flask.cli import ScriptInfo

        from forumgrader import create_app

        context.obj = ScriptInfo(create_app=create_app, set_debug_flag=False)


def main() -> None:
    """Run the command line; the app is built only when a command needs it."""
    cli.main()
