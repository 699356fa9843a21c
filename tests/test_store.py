"""store.py and migrations.py: opening (or refusing to), upgrading, versions, index, events."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from pqtrack import facts
from pqtrack.errors import StoreError
from pqtrack.migrations import migrations
from pqtrack.question import content, list_answer, parse
from pqtrack.record import canonical_json, hash_json, html_to_text
from pqtrack.store import Store
from tests.build import from_a_newer_pqtrack, question, with_migration
from tests.samples import OWN, detail, detail_path, shared, uncorrected

Value = dict[str, Any]
MIGRATIONS = [m.name for m in migrations._migrations]


def parse_row(value: dict[str, Any]) -> dict[str, Any]:
    """The questions row a value is stored as."""
    return parse(value).row()


def content_hash(value: dict[str, Any]) -> str:
    """What a version's hash is taken of: the canonical JSON of the value's content."""
    return hash_json(canonical_json(content(value)))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fts_ids(store: Store, query: str) -> list[int]:
    return [
        r[0]
        for r in store.db.execute(
            "SELECT rowid FROM questions_fts WHERE questions_fts MATCH ? ORDER BY rowid", [query]
        )
    ]


def fts_is_consistent(store: Store) -> None:
    store.db.execute("INSERT INTO questions_fts (questions_fts) VALUES ('integrity-check')")


def synthetic(qid: int, answer: str | None, **extra: Any) -> Value:
    """A Transport question of our own, answered on 2025-03-10 with `answer` unless it is None."""
    roads: Value = {
        "dateForAnswer": "2025-03-06T00:00:00",
        "questionText": "To ask the Secretary of State for Transport, what plans she has for "
        "pedestrian crossings.",
        "heading": "Roads: Safety",
        "answeringBodyId": 27,
        "answeringBodyName": "Department for Transport",
        "answerText": answer,
    }
    return question(qid, answered="2025-03-10" if answer else None, **{**roads, **extra})


# -- opening ---------------------------------------------------------------------------------


def test_open_turns_wal_on_and_applies_every_migration_once(db_path: Path) -> None:
    Store.open(db_path).close()
    first = Store.open(db_path)
    try:
        assert first.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = list(
            first.db.query(
                "SELECT name, applied_at FROM _sqlite_migrations"
                " WHERE migration_set = 'pqtrack' ORDER BY id"
            )
        )
    finally:
        first.close()
    assert [a["name"] for a in applied] == MIGRATIONS
    assert MIGRATIONS[:2] == ["m001_questions_versions_members", "m002_events"]
    again = Store.open(db_path)
    try:
        assert (
            list(
                again.db.query(
                    "SELECT name, applied_at FROM _sqlite_migrations"
                    " WHERE migration_set = 'pqtrack' ORDER BY id"
                )
            )
            == applied
        )
    finally:
        again.close()


def test_an_empty_file_is_a_new_database(db_path: Path) -> None:
    db_path.touch()
    store = Store.open(db_path)
    try:
        assert {"questions", "versions", "events", "runs"} <= set(store.db.table_names())
    finally:
        store.close()


@pytest.mark.parametrize(
    "name", ["question_3100063.json", *shared("question_1781191_corrected_detail.json")]
)
def test_upgrade_from_the_first_schema_keeps_the_data_and_its_index(
    db_path: Path, cli: Any, name: str
) -> None:
    """A database written when only m001 existed: rows written through that schema by hand."""
    old = Database(db_path)
    migrations.apply(old, stop_before="m002_events")
    assert [m.name for m in migrations.applied(old)] == ["m001_questions_versions_members"]
    assert "events" not in old.table_names()

    corrected = detail(name)
    before = uncorrected(corrected)
    value = content(before)
    record = canonical_json(value)
    stamp = "2025-03-20T06:00:00+00:00"
    question = {
        **parse_row(value),
        "truncated": 0,
        "version": 1,
        "content_hash": hash_json(record),
        "first_seen": stamp,
        "last_seen": stamp,
        "last_changed": stamp,
    }
    old.execute(
        "INSERT INTO runs (id, kind, started_at, finished_at, status) VALUES (1, 'import', ?, ?,"
        " 'ok')",
        [stamp, stamp],
    )
    old.execute(
        f"INSERT INTO questions ({', '.join(question)}) VALUES ({', '.join('?' * len(question))})",
        list(question.values()),
    )
    old.execute(
        "INSERT INTO versions (question_id, version, content_hash, record, source, truncated,"
        " changed, seen_at, run_id) VALUES (?, 1, ?, ?, 'detail', 0, '[]', ?, 1)",
        [value["id"], question["content_hash"], record, stamp],
    )
    old.execute(
        "INSERT INTO questions_fts (rowid, heading, question_text, answer_text) VALUES (?,?,?,?)",
        [value["id"], question["heading"], question["question_text"], question["answer_text"]],
    )
    old.execute(
        "INSERT INTO answering_bodies VALUES (?, ?, ?, ?)",
        [value["answeringBodyId"], value["answeringBodyName"], stamp, stamp],
    )
    old.conn.commit()
    old.close()

    store = Store.open(db_path)
    try:
        tables = set(store.db.table_names())
        assert {"events", "sync_windows", "answer_facts"} <= tables
        columns = {c.name for c in store.db.table("questions").columns}
        assert not {"answer_fp", "referrals", "derived"} & columns  # moved out by m006
        assert [m.name for m in migrations.applied(store.db)] == MIGRATIONS
        kept = next(store.db.query("SELECT * FROM questions"))
        assert {k: kept[k] for k in question} == question
        assert store.db.execute("SELECT count(*) FROM answer_facts").fetchone() == (0,)
        (stored_record,) = [r[0] for r in store.db.execute("SELECT record FROM versions")]
        assert stored_record == record
        fts_is_consistent(store)
    finally:
        store.close()

    # the old row is found by words only its old text has, through the CLI
    old_words = set(question["answer_text"].lower().split())
    new_words = set(html_to_text(corrected["answerText"]).lower().split())
    word = sorted(w for w in old_words - new_words if w.isalpha() and len(w) > 3)[0]
    found = cli.json("search", word)
    assert [r["id"] for r in found] == [value["id"]]
    assert found[0]["status"] == "answered"
    assert found[0]["answering_body"] == value["answeringBodyName"]

    # and the upgraded database takes the next version on top of the old one
    corrected_file = detail_path(name)
    result = cli("import", "--quiet", str(corrected_file))
    assert result.exit_code == 0, result.stderr
    history = cli.json("history", str(value["id"]))
    assert [v["version"] for v in history] == [1, 2]
    assert [v["status"] for v in history] == ["answered", "corrected"]
    assert "answer_is_correction" in history[1]["changed"]
    assert [e["event"] for e in history[1]["events"]] == ["corrected"]
    assert cli.json("search", word) == []


def test_a_database_from_a_newer_pqtrack_is_refused_untouched(db_path: Path) -> None:
    before = sha256(from_a_newer_pqtrack(db_path))
    with pytest.raises(StoreError, match=r"newer pqtrack .*m999_from_the_future"):
        Store.open(db_path)
    assert sha256(db_path) == before


def test_another_tools_migrations_do_not_count_as_newer(db_path: Path) -> None:
    Store.open(with_migration(db_path, "someothertool", "m999_theirs")).close()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    before = sha256(path)
    with pytest.raises(StoreError, match="is not an SQLite database"):
        Store.open(path)
    assert sha256(path) == before


def test_an_sqlite_database_that_is_not_pqtracks_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    before = sha256(path)
    with pytest.raises(StoreError, match="not a pqtrack one"):
        Store.open(path)
    assert sha256(path) == before
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["recipes"]
    conn.close()


def test_a_missing_directory_is_an_error_unless_asked_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "pq.db"
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(path)
    assert not (tmp_path / "no").exists()
    Store.open(path, create_dirs=True).close()
    assert path.is_file()


def test_must_exist_and_directories(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        Store.open(tmp_path / "pq.db", must_exist=True)
    assert not (tmp_path / "pq.db").exists()
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user can write to a chmod 555 directory (root)")
        yield folder
    finally:
        folder.chmod(0o755)


def test_a_read_only_directory_is_a_clean_store_error(read_only_dir: Path) -> None:
    with pytest.raises(StoreError, match="cannot write database"):
        Store.open(read_only_dir / "pq.db")


def test_a_read_only_directory_through_the_cli(read_only_dir: Path) -> None:
    from tests.cli import Cli

    cli = Cli(read_only_dir / "pq.db")
    result = cli("import", str(OWN / "details" / "question_3100090.json"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("pqtrack: cannot write database")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")
def test_an_unwritable_location_is_a_clean_error_even_for_root() -> None:
    from tests.cli import Cli

    with pytest.raises(StoreError, match="cannot write database /proc/pq.db"):
        Store.open("/proc/pq.db")
    result = Cli(Path("/proc/pq.db"))("import", str(OWN / "details" / "question_3100090.json"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "pqtrack: cannot write database /proc/pq.db: unable to open database file\n"
    )


# -- versions, index and events ------------------------------------------------------------


def test_versions_append_and_the_old_record_stays(store: Store) -> None:
    first = synthetic(9000001, "<p>The zebra crossing will be repainted.</p>")
    second = synthetic(9000001, "<p>The pelican crossing will be replaced.</p>")
    store.save([(first, None)], run_id=None, now="2025-03-10T06:00:00+00:00")
    (v1,) = store.db.query("SELECT * FROM versions")
    store.save([(second, None)], run_id=None, now="2025-03-11T06:00:00+00:00")
    rows = list(store.db.query("SELECT * FROM versions ORDER BY version"))
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[0] == v1
    assert json.loads(rows[1]["changed"]) == ["answer_text"]
    assert rows[1]["seen_at"] == "2025-03-11T06:00:00+00:00"
    for r in rows:
        assert r["content_hash"] == hash_json(r["record"])
    assert rows[1]["content_hash"] == content_hash(second)
    q = next(store.db.query("SELECT * FROM questions"))
    assert (q["version"], q["first_seen"], q["last_changed"]) == (
        2,
        "2025-03-10T06:00:00+00:00",
        "2025-03-11T06:00:00+00:00",
    )
    # seeing it again unchanged only moves last_seen
    counts = store.save([(second, None)], run_id=None, now="2025-03-12T06:00:00+00:00")
    assert counts.unchanged == 1
    q = next(store.db.query("SELECT * FROM questions"))
    assert (q["version"], q["last_seen"], q["last_changed"]) == (
        2,
        "2025-03-12T06:00:00+00:00",
        "2025-03-11T06:00:00+00:00",
    )
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 2


def test_the_search_index_follows_text_changes(store: Store) -> None:
    store.save([(synthetic(9000002, "<p>The zebra crossing stays.</p>"), None)], run_id=None)
    assert fts_ids(store, "zebra") == [9000002]
    changed = synthetic(9000002, "<p>The pelican crossing stays.</p>", heading="Roads: Pelicans")
    store.save([(changed, None)], run_id=None)
    assert fts_ids(store, "zebra") == []
    assert fts_ids(store, "pelican") == [9000002]
    assert fts_ids(store, "pelicans") == [9000002]  # the heading is indexed too
    assert fts_ids(store, "safety") == []
    fts_is_consistent(store)


def test_a_word_past_the_list_cut_becomes_searchable_when_the_full_text_arrives(
    store: Store,
) -> None:
    full = synthetic(9000003, "<p>" + "Roads are busy. " * 20 + "</p><p>Meanwhile aardvarks.</p>")
    cut = {**full, "answerText": list_answer(full["answerText"])}
    assert "aardvarks" not in cut["answerText"]
    store.save([(cut, "list")], run_id=None)
    assert fts_ids(store, "aardvarks") == []
    counts = store.save([(full, None)], run_id=None)
    assert counts.filled == 1
    assert fts_ids(store, "aardvarks") == [9000003]
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    fts_is_consistent(store)


def index_segments(store: Store) -> int:
    """How many segments the questions' full-text index is in (one leaf page each, here)."""
    return int(
        store.db.execute("SELECT count(DISTINCT segid) FROM questions_fts_idx").fetchone()[0]
    )


def test_a_run_that_wrote_most_of_the_index_merges_it_into_one_segment(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for start in range(9000100, 9000160, 10):  # six transactions: six segments
        batch = [
            (synthetic(i, f"<p>Crossing number {i}.</p>"), None) for i in range(start, start + 10)
        ]
        store.save(batch, run_id=None)
    before = fts_ids(store, "crossing")
    assert index_segments(store) > 1
    monkeypatch.setattr("pqtrack.store.TIDY_AT_LEAST", 10)
    assert store.tidy_index(written=5) is False  # too few records written
    assert store.tidy_index(written=11) is False  # a fifth of 60 is 12
    assert index_segments(store) > 1
    assert store.tidy_index(written=12) is True
    assert index_segments(store) == 1
    assert fts_ids(store, "crossing") == before  # what a search finds is unchanged
    fts_is_consistent(store)


def test_several_changes_to_one_question_in_one_batch(store: Store) -> None:
    states = [
        synthetic(9000004, None),
        synthetic(9000004, "<p>Holding reply about otters.</p>", answerIsHolding=True),
        synthetic(9000004, "<p>Full reply about badgers.</p>"),
    ]
    counts = store.save([(s, None) for s in states], run_id=None)
    assert (counts.new, counts.changed) == (1, 2)
    assert [r[0] for r in store.db.execute("SELECT version FROM versions")] == [1, 2, 3]
    assert fts_ids(store, "otters") == [] and fts_ids(store, "badgers") == [9000004]
    fts_is_consistent(store)


def test_events_carry_the_run_that_saw_them(store: Store) -> None:
    first_run = store.begin_run("import", {"files": ["a.json"]})
    store.save([(synthetic(9000005, None), None)], run_id=first_run)
    store.finish_run(first_run, "ok", {"new": 1})
    second_run = store.begin_run("import", {"files": ["b.json"]})
    answered = synthetic(9000005, "<p>Yes.</p>", heading="Roads: Crossings")
    store.save([(answered, None)], run_id=second_run)
    events = list(store.db.query("SELECT event, version, run_id, new FROM events ORDER BY id"))
    assert events == [
        {"event": "tabled", "version": 1, "run_id": first_run, "new": '"2025-03-03"'},
        {"event": "heading", "version": 2, "run_id": second_run, "new": '"Roads: Crossings"'},
        {"event": "answered", "version": 2, "run_id": second_run, "new": '"2025-03-10"'},
    ]
    assert [r[0] for r in store.db.execute("SELECT run_id FROM versions ORDER BY version")] == [
        first_run,
        second_run,
    ]
    run = next(store.db.query("SELECT * FROM runs WHERE id = ?", [first_run]))
    assert (run["kind"], run["status"], json.loads(run["counts"])) == ("import", "ok", {"new": 1})
    assert second_run == first_run + 1


def test_a_failure_midway_leaves_nothing_behind(store: Store) -> None:
    def values() -> Iterator[tuple[Value, None]]:
        for n in range(1200):  # more than two batches are written before the failure
            yield synthetic(8000000 + n, "<p>Answer.</p>"), None
        raise RuntimeError("the input broke")

    with pytest.raises(RuntimeError):
        store.save(values(), run_id=None)
    for table in ("questions", "versions", "events", "answering_bodies"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert fts_ids(store, "answer") == []


def test_facts_computed_before_m006_move_to_answer_facts(db_path: Path) -> None:
    """m004 kept answer facts in questions columns; m006 carries the computed ones over."""
    old = Database(db_path)
    migrations.apply(old, stop_before="m006_answer_facts")
    stamp = "2025-03-01T00:00:00+00:00"
    for qid, derived in ((1, 1), (2, 0)):
        old.execute(
            "INSERT INTO questions (id, question_text, status, version, content_hash,"
            " first_seen, last_seen, last_changed, answer_fp, referrals, derived)"
            " VALUES (?, 'q', 'answered', 1, 'sha256:x', ?, ?, ?, ?, ?, ?)",
            [qid, stamp, stamp, stamp, f"fp{qid}", '[{"uins": ["123"]}]', derived],
        )
    old.conn.commit()
    old.close()
    moved = Database(db_path)
    migrations.apply(moved, stop_before="m007_near_facts")
    rows = moved.execute("SELECT * FROM answer_facts").fetchall()
    assert rows == [(1, "fp1", '[{"uins": ["123"]}]')]  # question 2 was never derived
    moved.close()
    store = Store.open(db_path)  # m007: every answer fact is computed again (word counts)
    try:
        assert store.db.execute("SELECT count(*) FROM answer_facts").fetchone()[0] == 0
        assert facts.refresh(store) == 2
    finally:
        store.close()


def test_the_field_table_is_the_questions_table(store: Store) -> None:
    """One field table: a Question's fields, its row and the table's columns are the same."""
    from dataclasses import fields

    from pqtrack import question

    table = [name for _, name, *_ in store.db.conn.execute("PRAGMA table_info(questions)")]
    bookkeeping = ["truncated", "version", "content_hash", "first_seen", "last_seen"]
    assert table == [*question.COLUMNS, *bookkeeping, "last_changed"]
    assert [f.name for f in fields(question.Question)] == [*question.COLUMNS, "has_answer"]
    value = {
        "id": 7,
        "questionText": "Q?",
        "answerText": "<p>A &amp; B</p>",
        "dateAnswered": "2025-01-02T00:00:00",
    }
    row = question.parse(value).row()
    assert list(row) == list(question.COLUMNS)
    assert row["answer_text"] == "A & B" and row["status"] == "answered"
    assert row["date_answered"] == "2025-01-02" and row["grouped_uins"] == "[]"
