"""`import -` (standard input) and `import --as-of`: what was seen, and when it was seen."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pqtrack.cli import app
from pqtrack.errors import UsageError
from pqtrack.importer import as_of
from tests.cli import Cli, query
from tests.samples import timeline

_BOOKKEEPING = {"version", "first_seen", "last_seen", "last_changed"}


def _envelope(value: dict[str, Any]) -> str:
    return json.dumps({"value": value})


def _state(db: Path) -> list[dict[str, Any]]:
    """The current questions, without the bookkeeping that says when they were seen."""
    conn_rows = query(db, "SELECT * FROM questions ORDER BY id")
    names = [r[1] for r in query(db, "PRAGMA table_info(questions)")]
    return [
        {k: v for k, v in zip(names, row, strict=True) if k not in _BOOKKEEPING}
        for row in conn_rows
    ]


# -- standard input --------------------------------------------------------------------------


def test_import_dash_reads_a_document_from_stdin(cli: Cli, db_path: Path) -> None:
    first = timeline("unanswered_answered_corrected")[0]
    result = cli("import", "-", "--format", "json", input=_envelope(first))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 1
    assert query(db_path, "SELECT id FROM questions") == [(first["id"],)]


def test_import_dash_reads_json_lines_from_stdin(cli: Cli, db_path: Path) -> None:
    values = [timeline(name)[0] for name in ("answered_then_corrected", "dateTabled_changed")]
    lines = "".join(json.dumps(v) + "\n" for v in values)
    result = cli("import", "-", "--format", "json", input=lines)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 2
    ids = {qid for (qid,) in query(db_path, "SELECT id FROM questions")}
    assert ids == {v["id"] for v in values}


def test_import_dash_reads_gzip_from_stdin(db_path: Path) -> None:
    value = timeline("answered_then_corrected")[0]
    packed = gzip.compress(_envelope(value).encode())  # bytes: tests/cli.py's runner takes text
    result = CliRunner().invoke(app, ["import", "-", "--db", str(db_path)], input=packed)
    assert result.exit_code == 0, result.stderr
    assert query(db_path, "SELECT id FROM questions") == [(value["id"],)]


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_import_dash_with_nothing_on_stdin_says_so(cli: Cli, db_path: Path, text: str) -> None:
    result = cli("import", "-", input=text)
    assert result.exit_code == 1
    failures = [line for line in result.stderr.splitlines() if "standard input" in line]
    assert failures == ["pqtrack: -: nothing on standard input"]
    assert query(db_path, "SELECT count(*) FROM questions") == [(0,)]


# -- --as-of ---------------------------------------------------------------------------------


def test_as_of_parses_dates_and_times_to_utc() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    assert as_of("2025-03-01", now=now) == "2025-03-01T00:00:00+00:00"
    assert as_of("yesterday", now=now) == "2025-03-09T00:00:00+00:00"
    assert as_of("2025-03-01T09:30:15", now=now) == "2025-03-01T09:30:15+00:00"
    assert as_of("2025-03-01T09:30:15.5+01:00", now=now) == "2025-03-01T08:30:15+00:00"
    assert as_of("2025-03-01 09:30Z", now=now) == "2025-03-01T09:30:00+00:00"
    with pytest.raises(UsageError, match="in the future"):
        as_of("2025-03-11", now=now)
    with pytest.raises(UsageError):
        as_of("2025-13-01T00:00", now=now)


def test_bad_as_of_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "--as-of", "soon", str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_as_of_is_recorded_on_versions_and_events(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    steps = timeline("unanswered_answered_corrected")
    for day, value in zip(("2025-01-06", "2025-01-13"), steps[:2], strict=True):
        path = tmp_path / f"{day}.json"
        path.write_text(_envelope(value), encoding="utf-8")
        result = cli("import", "--as-of", day, str(path))
        assert result.exit_code == 0, result.stderr
    versions = query(db_path, "SELECT version, seen_at FROM versions ORDER BY version")
    assert versions == [(1, "2025-01-06T00:00:00+00:00"), (2, "2025-01-13T00:00:00+00:00")]
    events = query(db_path, "SELECT DISTINCT version, seen_at FROM events ORDER BY version")
    assert events == versions
    bookkeeping = query(db_path, "SELECT first_seen, last_seen, last_changed FROM questions")
    assert bookkeeping == [("2025-01-06T00:00:00+00:00", *["2025-01-13T00:00:00+00:00"] * 2)]
    run_args = query(db_path, "SELECT args FROM runs WHERE kind = 'import' ORDER BY id DESC")[0]
    assert json.loads(run_args[0])["as_of"] == "2025-01-13T00:00:00+00:00"


# -- snapshots out of order ------------------------------------------------------------------


def _snapshots(tmp_path: Path) -> list[tuple[str, Path]]:
    """Two snapshots of our own timelines, a week apart: (as-of day, file), oldest first."""
    names = [
        "unanswered_answered_corrected",
        "answered_then_corrected",
        "transferred_reworded_then_answered",
        "unanswered_holding_substantive",
    ]
    out = []
    for n, day in enumerate(("2025-01-06", "2025-02-03")):
        values = [timeline(name)[min(n * 2, len(timeline(name)) - 1)] for name in names]
        path = tmp_path / f"snapshot-{day}.jsonl"
        path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
        out.append((day, path))
    return out


def test_snapshots_in_reverse_order_end_as_in_order_without_phantom_events(
    tmp_path: Path,
) -> None:
    snapshots = _snapshots(tmp_path)
    in_order, reverse = Cli(tmp_path / "in-order.db"), Cli(tmp_path / "reverse.db")
    for day, path in snapshots:
        assert in_order("import", "--as-of", day, str(path)).exit_code == 0
    summaries = []
    for day, path in reversed(snapshots):
        result = reverse("import", "--as-of", day, str(path), "--format", "json")
        assert result.exit_code == 0, result.stderr
        summaries.append(json.loads(result.stdout))
    # the snapshots differ, so the in-order import recorded changes the reverse one must not
    changed = query(in_order.db, "SELECT count(*) FROM versions WHERE version > 1")[0][0]
    assert changed > 0
    assert _state(reverse.db) == _state(in_order.db)
    older = summaries[1]
    assert older["older"] == 4
    assert (older["new"], older["changed"], older["filled"], older["events"]) == (0, 0, 0, {})
    assert query(reverse.db, "SELECT count(*) FROM versions WHERE version > 1") == [(0,)]
    # every event is a first sight's, seen when the later snapshot was
    seen = {s for (s,) in query(reverse.db, "SELECT DISTINCT seen_at FROM events")}
    assert seen == {"2025-02-03T00:00:00+00:00"}
    assert query(reverse.db, "SELECT DISTINCT last_seen FROM questions") == [
        ("2025-02-03T00:00:00+00:00",)
    ]


def test_older_snapshot_is_counted_in_the_summary(tmp_path: Path) -> None:
    (early, first), (late, second) = _snapshots(tmp_path)
    cli = Cli(tmp_path / "q.db")
    assert cli("import", "--as-of", late, str(second)).exit_code == 0
    result = cli("import", "--as-of", early, str(first))
    assert result.exit_code == 0, result.stderr
    assert "4 older than what is stored, skipped" in result.stderr
