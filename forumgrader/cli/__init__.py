"""The `forumgrader` command: one module per noun in this package, each exporting `commands`."""

from __future__ import annotations

import importlib
import pkgutil

import click
from flask.cli import AppGroup, ScriptInfo

from forumgrader import create_app


@click.group(cls=AppGroup)
def cli() -> None:
    """Grade course discussion boards and catch broken citations.

    Start with `forumgrader demo`: a sample course, checked and graded, served on http://127.0.0.1:5000.
    """


for _module in pkgutil.iter_modules(__path__):
    for _command in importlib.import_module(f"{__name__}.{_module.name}").commands:
        cli.add_command(_command)


def main() -> None:
    """Run the command line; the app is built only when a command needs it."""
    cli(obj=ScriptInfo(create_app=create_app, set_debug_flag=False))
