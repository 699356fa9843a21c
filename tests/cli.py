"""The one way tests run pqtrack: in-process, stdout and stderr apart, no stray exceptions.

`run(db, *args)` runs a command against a database file (`--db` is added unless the command
takes none or `db` is None) and fails the test on any exception other than SystemExit and on
"Traceback" anywhere in the output; `run_json` also asks for `--format json`, requires exit 0 and
parses stdout. `Cli` binds a database for a test (the `cli` fixture in conftest.py). `query`
reads the database file directly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from pqtrack.cli import app

_NO_DB = ("topics", "--version", "--help")


def run(db: Path | None, *args: str, input: str | None = None) -> Result:
    """pqtrack in-process; an exception other than SystemExit fails the test (no tracebacks)."""
    takes_db = db is not None and bool(args) and args[0] not in _NO_DB and "--db" not in args
    argv = [*args, "--db", str(db)] if takes_db else list(args)
    result = CliRunner().invoke(app, argv, input=input, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"pqtrack {' '.join(args)} raised {result.exception!r}"
        ) from result.exception
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def run_json(db: Path | None, *args: str) -> Any:
    """The parsed `--format json` output of a command that must succeed."""
    result = run(db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


class Cli:
    """`run` and `run_json` bound to one database file."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return run(self.db, *args, input=input)

    def json(self, *args: str) -> Any:
        return run_json(self.db, *args)


def query(db: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()
