"""The command line starts fast: `forumgrader --help` lists every command without importing one (nor Flask), and
each command, imported when asked for, is the one the list describes."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from forumgrader import cli as cli_package
from forumgrader.cli import COMMANDS, cli


def test_the_list_describes_each_command_with_its_own_help() -> None:
    found = {}
    for module in pkgutil.iter_modules(cli_package.__path__):
        for command in importlib.import_module(f"forumgrader.cli.{module.name}").commands:
            found[command.name] = (module.name, command.callback.__name__, (command.help or "").split("\n")[0])
    assert {name: (module, line) for name, (module, _attr, line) in found.items()} == {
        name: (module, line) for name, (module, _attr, line) in COMMANDS.items()
    }


def test_help_imports_no_command_nor_flask() -> None:
    script = (
        "import sys\n"
        "from forumgrader.cli import cli\n"
        "cli.main(['--help'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'habanero') "
        "or m.startswith('forumgrader.cli.')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Verify the references of imported posts" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_answers_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert COMMANDS[name][2].split(" ")[0] in result.output


def test_an_unknown_command_is_named() -> None:
    result = CliRunner().invoke(cli, ["grades"])
    assert result.exit_code == 2 and "No such command 'grades'" in result.output
