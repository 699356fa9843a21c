"""Large files are read in a worker process (pqtrack.workers): the database it
produces must be the one reading in-process produces, and its failures the same failures."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pqtrack import reader
from pqtrack.importer import import_files
from pqtrack.question import list_answer, list_question
from pqtrack.store import Store
from tests.bench.generate import generate
from tests.cli import Cli

# Timestamps differ between any two imports; everything else must not.
COMPARED = {
    "questions": "SELECT * FROM questions ORDER BY id",
    "versions": "SELECT question_id, version, content_hash, record, source, truncated, changed"
    " FROM versions ORDER BY question_id, version",
    "events": "SELECT question_id, version, event, old, new FROM events ORDER BY id",
    "members": "SELECT id, name, list_as, party, member_from FROM members ORDER BY id",
    "answering_bodies": "SELECT id, name FROM answering_bodies ORDER BY id",
    "search": "SELECT rowid FROM questions_fts WHERE questions_fts MATCH 'government OR police'"
    " ORDER BY rowid",
}
STAMPS = ("first_seen", "last_seen", "last_changed")


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO questions_fts (questions_fts) VALUES ('integrity-check')")
        out = {}
        for name, sql in COMPARED.items():
            cursor = conn.execute(sql)
            names = [d[0] for d in cursor.description]
            keep = [i for i, n in enumerate(names) if n not in STAMPS]
            out[name] = [tuple(row[i] for i in keep) for row in cursor]
        return out
    finally:
        conn.close()


def as_list_item(value: dict[str, Any]) -> dict[str, Any]:
    """The same question as a list result shows it: texts cut, answer without markup."""
    return {
        **value,
        "questionText": list_question(value.get("questionText")),
        "answerText": list_answer(value.get("answerText")),
    }


def mixed_file(path: Path) -> Path:
    """Questions as single values, some again as list envelopes, some twice with a change."""
    values = list(generate(400, seed=7))
    lines = [json.dumps(v) for v in values]
    lines.append(json.dumps({"results": [{"value": as_list_item(v)} for v in values[:30]]}))
    for v in values[40:60]:  # a later state of twenty of them, in the same file
        lines.append(json.dumps({**v, "heading": (v.get("heading") or "") + ": update"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_into(db: Path, files: list[Path], *, worker: bool, monkeypatch: Any) -> Any:
    monkeypatch.setattr(reader, "WORKER_MIN_BYTES", 0 if worker else 2**62)
    store = Store.open(db)
    try:
        return import_files(store, files)
    finally:
        store.close()


@pytest.mark.parametrize("first", ["nothing", "part of it"])
def test_a_worker_read_import_stores_what_an_in_process_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    data = mixed_file(tmp_path / "mixed.jsonl")
    part = tmp_path / "part.jsonl"
    part.write_text("".join(data.read_text().splitlines(keepends=True)[100:250]))
    snapshots, reports = [], []
    for worker in (False, True):
        db = tmp_path / f"{'worker' if worker else 'inline'}.db"
        if first == "part of it":  # so some questions are stored already: the merging path
            import_into(db, [part], worker=False, monkeypatch=monkeypatch)
        reports.append(import_into(db, [data], worker=worker, monkeypatch=monkeypatch))
        snapshots.append(snapshot(db))
    inline, worker_read = snapshots
    assert len(inline["questions"]) == 400 and len(inline["versions"]) > 400
    for table in COMPARED:
        assert worker_read[table] == inline[table], table
    assert reports[1].summary() == reports[0].summary()
    assert reports[1].failed == reports[0].failed == []


def test_a_bad_record_in_a_worker_read_file_fails_that_file_only(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    monkeypatch.setattr(reader, "WORKER_MIN_BYTES", 0)
    values = list(generate(50, seed=3))
    bad = tmp_path / "bad.jsonl"
    lines = [json.dumps(v) for v in values[:20]]
    lines += ['{"id": 5, "questionText": "x", "dateTabled": "2025-02-30T00:00:00"}']
    bad.write_text("\n".join(lines + [json.dumps(v) for v in values[20:30]]) + "\n")
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(v) for v in values[30:]) + "\n")

    result = cli("import", "--quiet", str(bad), str(good))

    assert result.exit_code == 1
    assert result.stderr == (
        f"pqtrack: {bad}: record 21: question 5: dateTabled is not a date: '2025-02-30T00:00:00'\n"
    )
    conn = sqlite3.connect(db_path)
    stored = {row[0] for row in conn.execute("SELECT id FROM questions")}
    conn.close()
    assert stored == {v["id"] for v in values[30:]}  # the bad file left nothing behind


def test_unknown_fields_found_by_the_worker_are_reported(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "WORKER_MIN_BYTES", 0)
    values = [{**v, "newField": 1} for v in generate(5, seed=2)]
    path = tmp_path / "new.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in values) + "\n")
    result = cli("import", str(path))
    assert result.exit_code == 0
    assert (
        result.stderr.splitlines()[0] == f"pqtrack: warning: {path}: kept unknown field(s) newField"
    )


def test_a_worker_that_dies_is_a_clean_failure_of_its_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    monkeypatch.setattr(reader, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(reader, "_prepared", _die)  # the worker runs this instead
    path = tmp_path / "some.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in generate(5, seed=2)) + "\n")
    result = cli("import", "--quiet", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"pqtrack: {path}: the process reading it stopped (exit code 1)\n"


def _die(path: str) -> Any:
    """A worker that exits at once and sends nothing."""
    os._exit(1)
