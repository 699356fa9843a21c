"""Docs that cannot rot: every command is in the README and has help text with an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from pqtrack.cli import app
from tests.cli import run

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


def commands_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Commands\n(.*?)(?=^## )", text, re.S | re.M)
    if match is None:
        pytest.skip("README.md has no '## Commands' section yet")
    return match.group(1)


def test_there_are_commands() -> None:
    assert len(COMMANDS) >= 11


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme_commands_section(name: str) -> None:
    section = commands_section()
    # a table row naming the command first: | `name ...` | what it does |
    rows = re.findall(r"^\| `([a-z]+)(?:[^|\\]|\\.)*\| (.+) \|$", section, re.M)
    described = {command: what.strip() for command, what in rows}
    assert name in described, f"`{name}` is missing from README.md's Commands table"
    assert described[name]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_text(name: str) -> None:
    command = COMMANDS[name]
    assert command.help and command.help.strip()
    summary = command.help.strip().splitlines()[0]
    assert len(summary) > 10
    result = run(None, name, "--help")
    assert result.exit_code == 0
    assert summary[:40] in " ".join(result.stdout.split())
    assert f"Example: pqtrack {name}" in result.stdout


def test_the_readme_names_no_command_that_does_not_exist() -> None:
    section = commands_section()
    named = set(re.findall(r"^\| `([a-z]+)", section, re.M))
    assert named <= set(COMMANDS)
