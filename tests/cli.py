"""Running pqtrack in-process against one database file, and reading that file directly."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from pqtrack.cli import app


def run(db: Path, *args: str) -> Result:
    """pqtrack in-process; an exception other than SystemExit fails the test (no tracebacks)."""
    result = CliRunner().invoke(app, [*args, "--db", str(db)], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"pqtrack {' '.join(args)} raised {result.exception!r}"
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def run_json(db: Path, *args: str) -> Any:
    """The parsed `--format json` output of a command that must succeed."""
    result = run(db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def query(db: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()
