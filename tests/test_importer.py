"""Import: acceptance on our own fixtures and the shared samples, every file format, and every
kind of bad input.

Expected results are computed here from the raw JSON, not from pqtrack's own code paths.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pqtrack.record import html_to_text
from pqtrack.store import Store
from tests.build import write_json
from tests.cli import Cli, query, run
from tests.samples import (
    OWN,
    SAMPLES,
    SOURCES,
    all_timeline_folders,
    have_samples,
    own_detail_files,
    own_list_files,
    own_timeline_folders,
    require_samples,
    shared,
)
from tests.samples import detail_files as shared_detail_files
from tests.samples import list_files as shared_list_files

Value = dict[str, Any]


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def count(db_path: Path, table: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def counts(db_path: Path) -> dict[str, int]:
    return {t: count(db_path, t) for t in ("questions", "versions", "events", "members")}


def snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def status_of(value: Value) -> str:
    """The five statuses as the CONTRACT names them, decided here from the raw fields."""
    if value.get("isWithdrawn"):
        return "withdrawn"
    if value.get("answerText") is None and value.get("dateAnswered") is None:
        return "unanswered"
    if value.get("answerIsHolding") is True:
        return "holding"
    if value.get("answerIsCorrection") is True:
        return "corrected"
    return "answered"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- (a) details, then the truncated lists ---------------------------------------------------------


# Per source: how many single responses, and how many of them a list shows grouped (API.md Q4
# for the shared ones; our own grouped pair 31040/31041), and a corrected question to show.
ACCEPTANCE = {"own": (63, 2, 3100070), "shared": (126, 28, 1781191)}


@pytest.mark.parametrize("source", SOURCES)
def test_acceptance_details_then_lists_keep_full_texts_and_reimport_adds_nothing(
    cli: Cli, db_path: Path, source: str
) -> None:
    files, grouped, corrected = ACCEPTANCE[source]
    detail_files = own_detail_files() if source == "own" else shared_detail_files()
    list_files = own_list_files() if source == "own" else shared_list_files()
    details = {read(p)["value"]["id"]: read(p)["value"] for p in detail_files}
    assert len(details) == files
    statuses = Counter(status_of(v) for v in details.values())

    first = cli("import", "--format", "json", *map(str, detail_files))
    assert first.exit_code == 0, first.stderr
    events = {
        "tabled": files,
        "answered": statuses["answered"] + statuses["corrected"],
        "holding": statuses["holding"],
        "corrected": statuses["corrected"],
        "withdrawn": statuses["withdrawn"],
    }
    assert json.loads(first.stdout) == {
        "files": files,
        "failed": 0,
        "new": files,
        "changed": 0,
        "filled": 0,
        "unchanged": 0,
        "truncated": 0,
        "older": 0,
        "events": {k: n for k, n in events.items() if n},
    }

    # what the lists should do, computed from the raw files
    items = [r["value"] for p in list_files for r in read(p)["results"]]
    list_only = {v["id"] for v in items} - set(details)
    grouped_details = {v["id"] for v in items if v["id"] in details and v["groupedQuestions"]}
    assert len(grouped_details) == grouped
    second = cli("import", "--format", "json", *map(str, list_files))
    assert second.exit_code == 0, second.stderr
    summary = json.loads(second.stdout)
    assert (summary["files"], summary["new"], summary["changed"], summary["filled"]) == (
        len(list_files),
        len(list_only),
        0,
        len(grouped_details),
    )
    assert summary["unchanged"] == len(items) - len(list_only) - len(grouped_details)

    rows = dict(query(db_path, "SELECT id, answer_text FROM questions"))
    truncated = dict(query(db_path, "SELECT id, truncated FROM questions"))
    for qid, value in details.items():
        if value["answerText"] is None:  # only our own set has unanswered questions
            assert rows[qid] is None, qid
        else:
            assert rows[qid] == html_to_text(value["answerText"]), qid
            assert not (len(rows[qid]) == 258 and rows[qid].endswith("...")), qid
        assert truncated[qid] == 0
    assert sum(truncated.values()) == sum(
        1
        for v in {i["id"]: i for i in items if i["id"] in list_only}.values()
        if (len(v["answerText"] or "") == 258 and v["answerText"].endswith("..."))
        or len(v["questionText"]) == 255
    )

    shown = cli.json("show", str(corrected))
    assert shown["status"] == "corrected"
    assert shown["answer_text"] == html_to_text(details[corrected]["answerText"])

    versions_before = count(db_path, "versions")
    events_before = count(db_path, "events")
    assert versions_before == len(details) + len(list_only)
    again = cli("import", "--format", "json", *map(str, detail_files + list_files))
    assert again.exit_code == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["new"], summary["changed"], summary["filled"]) == (0, 0, 0)
    assert summary["unchanged"] == len(details) + len(items)
    assert count(db_path, "versions") == versions_before
    assert count(db_path, "events") == events_before


# -- (b) timelines ---------------------------------------------------------------------------------


HOLDING_TIMELINES = [
    (OWN / "timelines" / "unanswered_holding_substantive", 3200001),
    *shared((SAMPLES / "timelines" / "q1740381_unanswered_holding_substantive", 1740381)),
]


@pytest.mark.parametrize(("folder", "qid"), HOLDING_TIMELINES, ids=lambda x: str(x)[-20:])
def test_holding_then_substantive_timeline(cli: Cli, folder: Path, qid: int) -> None:
    files = sorted(folder.glob("*.json"))
    assert len(files) == 3
    result = cli("import", "--quiet", *map(str, files))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    history = cli.json("history", str(qid))
    assert [v["status"] for v in history] == ["unanswered", "holding", "answered"]
    assert [v["version"] for v in history] == [1, 2, 3]
    assert history[0]["changed"] == []
    assert {"answer_is_holding", "answer_text", "date_answered"} <= set(history[1]["changed"])
    assert history[2]["changed"] == ["answer_is_holding", "answer_text", "date_answered"]
    assert [[e["event"] for e in v["events"]] for v in history] == [
        ["tabled"],
        ["heading", "holding"],
        ["substantive"],
    ]


def test_every_timeline_makes_one_version_per_change(tmp_path: Path) -> None:
    folders = all_timeline_folders()
    assert len(folders) == len(own_timeline_folders()) + (12 if have_samples() else 0)
    for n, folder in enumerate(folders):
        files = sorted(folder.glob("*.json"))
        values = [read(f)["value"] for f in files]
        expected_changed = [[]] + [
            sorted(snake(k) for k in set(a) | set(b) if a.get(k) != b.get(k))
            for a, b in zip(values, values[1:], strict=False)
        ]
        expected_changed = [expected_changed[0]] + [c for c in expected_changed[1:] if c]
        cli = Cli(tmp_path / f"timeline{n}.db")
        result = cli("import", "--quiet", *map(str, files))
        assert result.exit_code == 0, (folder.name, result.stderr)
        qid = values[0]["id"]
        history = cli.json("history", str(qid))
        assert len(history) == len(expected_changed), folder.name
        assert [v["changed"] for v in history] == expected_changed, folder.name
        states = [status_of(values[0])] + [
            status_of(b) for a, b in zip(values, values[1:], strict=False) if a != b
        ]
        assert [v["status"] for v in history] == states, folder.name
        assert count(tmp_path / f"timeline{n}.db", "versions") == len(expected_changed)
        # and importing the latest snapshot again changes nothing
        assert cli("import", "--quiet", str(files[-1])).exit_code == 0
        assert count(tmp_path / f"timeline{n}.db", "versions") == len(expected_changed)


# -- (c) a month between two snapshots of the same 1,004 questions ------------------------------


# The real API's changes over a month (counted in API.md): only real snapshots can show them.
@pytest.mark.samples
def test_snapshots_a_month_apart_version_exactly_the_questions_that_changed(
    cli: Cli, db_path: Path
) -> None:
    root = require_samples() / "snapshots"
    older = root / "commons_tabled_2024-08_results_as_of_2024-10-30.json"
    newer = root / "commons_tabled_2024-08_results_as_of_2024-11-28.json"
    before = {e["value"]["id"]: e["value"] for e in read(older)}
    after = {e["value"]["id"]: e["value"] for e in read(newer)}
    assert set(before) == set(after) and len(before) == 1004
    changed_ids = {i for i in before if before[i] != after[i]}

    # API.md: 7 heading changes, 2 newly answered, 2 newly corrected: 11 in all
    heading = {i for i in changed_ids if before[i]["heading"] != after[i]["heading"]}
    answered = {
        i for i in changed_ids if before[i]["answerText"] is None and after[i]["answerText"]
    }
    corrected = {
        i
        for i in changed_ids
        if not before[i]["answerIsCorrection"] and after[i]["answerIsCorrection"]
    }
    assert (len(heading), len(answered), len(corrected), len(changed_ids)) == (7, 2, 2, 11)
    assert heading | answered | corrected == changed_ids

    assert cli("import", "--quiet", str(older)).exit_code == 0
    assert count(db_path, "versions") == 1004
    result = cli("import", "--format", "json", str(newer))
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["unchanged"], summary["new"]) == (11, 993, 0)
    assert summary["events"] == {"answered": 2, "corrected": 2, "heading": 7}
    versioned = {
        qid for (qid,) in query(db_path, "SELECT question_id FROM versions WHERE version = 2")
    }
    assert versioned == changed_ids
    assert count(db_path, "versions") == 1004 + 11
    for qid in changed_ids:
        (changed,) = query(
            db_path, "SELECT changed FROM versions WHERE question_id = ? AND version = 2", (qid,)
        )[0]
        a, b = before[qid], after[qid]
        assert json.loads(changed) == sorted(
            snake(k) for k in set(a) | set(b) if a.get(k) != b.get(k)
        ), qid
    feed = cli.json("changes", "--since", "last-sync")
    assert sorted((e["event"], e["question_id"]) for e in feed) == sorted(
        [("heading", i) for i in heading]
        + [("answered", i) for i in answered]
        + [("corrected", i) for i in corrected]
    )


# -- file formats ----------------------------------------------------------------------------------


def _five() -> list[dict[str, Any]]:
    """Five items of one of our own list pages whose answers the list cut."""
    items = read(OWN / "lists" / "list_tabled.json")["results"]
    return [i for i in items if (i["value"]["answerText"] or "").endswith("...")][:5]


def _write(path: Path, text: str, gz: bool) -> Path:
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _format_files(kind: str, folder: Path, gz: bool) -> list[Path]:
    envelopes = _five()
    values = [e["value"] for e in envelopes]
    if kind == "list envelope":
        doc = {"totalResults": len(envelopes), "results": envelopes}
        return [_write(folder / "list.json", json.dumps(doc, indent=2), gz)]
    if kind == "single envelopes":
        return [
            _write(folder / f"single{n}.json", json.dumps(e, indent=1), gz)
            for n, e in enumerate(envelopes)
        ]
    if kind == "array of values":
        return [_write(folder / "values.json", json.dumps(values, indent=2), gz)]
    if kind == "array of values, one line":
        return [_write(folder / "values.json", json.dumps(values), gz)]
    if kind == "array of envelopes":
        return [_write(folder / "envelopes.json", json.dumps(envelopes, indent=2), gz)]
    if kind == "JSON Lines of values":
        return [_write(folder / "values.jsonl", "".join(json.dumps(v) + "\n" for v in values), gz)]
    if kind == "JSON Lines of envelopes":
        text = "\n".join(json.dumps(e) for e in envelopes) + "\n\n"
        return [_write(folder / "envelopes.jsonl", text, gz)]
    if kind == "JSON Lines of list envelopes":
        text = "".join(
            json.dumps({"totalResults": 5, "results": envelopes[i : i + 2]}) + "\n"
            for i in range(0, 5, 2)
        )
        return [_write(folder / "pages.jsonl", text, gz)]
    raise AssertionError(kind)


FORMATS = [
    "list envelope",
    "single envelopes",
    "array of values",
    "array of values, one line",
    "array of envelopes",
    "JSON Lines of values",
    "JSON Lines of envelopes",
    "JSON Lines of list envelopes",
]


def _state(db_path: Path) -> tuple[list[Any], list[Any]]:
    store = Store.open(db_path, must_exist=True)
    try:
        rows = [
            {k: v for k, v in r.items() if k not in ("first_seen", "last_seen", "last_changed")}
            for r in store.db.query("SELECT * FROM questions ORDER BY id")
        ]
        versions = list(
            store.db.query(
                "SELECT question_id, version, record, source, truncated FROM versions ORDER BY 1"
            )
        )
    finally:
        store.close()
    return rows, versions


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("kind", FORMATS)
def test_every_file_format_imports_the_same_questions(kind: str, gz: bool, tmp_path: Path) -> None:
    reference = tmp_path / "reference.db"
    ref_file = write_json(tmp_path / "ref.json", {"totalResults": 5, "results": _five()})
    assert Cli(reference)("import", "--quiet", str(ref_file)).exit_code == 0

    folder = tmp_path / "files"
    folder.mkdir()
    files = _format_files(kind, folder, gz)
    target = tmp_path / "target.db"
    result = Cli(target)("import", "--format", "json", *map(str, files))
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["new"], summary["failed"]) == (len(files), 5, 0)
    rows, versions = _state(target)
    assert [r["id"] for r in rows] == sorted(e["value"]["id"] for e in _five())
    assert (rows, versions) == _state(reference)


def test_a_gzip_file_is_recognised_by_content_not_name(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "no-suffix.json"
    path.write_bytes(gzip.compress(json.dumps(_five()).encode("utf-8")))
    result = cli("import", "--format", "json", str(path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 5


def test_a_byte_order_mark_is_accepted(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_five()[0]).encode("utf-8"))
    result = cli("import", "--format", "json", str(path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 1


# -- output ------------------------------------------------------------------------------------


def test_quiet_prints_nothing_on_success(tmp_path: Path, cli: Cli) -> None:
    path = write_json(tmp_path / "five.json", _five())
    result = cli("import", "--quiet", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_default_output_is_one_summary_line_on_stderr(tmp_path: Path, cli: Cli) -> None:
    path = write_json(tmp_path / "five.json", _five())
    result = cli("import", str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        "imported 1 file(s): 5 new, 0 changed, 0 filled in, 0 unchanged; 5 still truncated\n"
    )


def test_format_json_prints_the_summary_on_stdout(tmp_path: Path, cli: Cli) -> None:
    path = write_json(tmp_path / "five.json", _five())
    result = cli("import", "--format", "json", str(path))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "files": 1,
        "failed": 0,
        "new": 5,
        "changed": 0,
        "filled": 0,
        "unchanged": 0,
        "truncated": 5,
        "older": 0,
        "events": {"answered": 5, "tabled": 5},
    }


# -- bad input -------------------------------------------------------------------------------

SUMMARY_ONE_FAILED = (
    "imported 0 file(s): 0 new, 0 changed, 0 filled in, 0 unchanged; 0 still truncated; "
    "1 file(s) failed"
)


def assert_clean_failure(result: Any, code: int, line: str) -> None:
    """One line on stderr, nothing on stdout (run() already failed the test on any exception or
    traceback)."""
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line]


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, the exact reason pqtrack should give)."""
    folder = tmp_path / "bad"
    folder.mkdir()
    d = folder / "a-directory"
    d.mkdir()
    empty = folder / "empty.json"
    empty.write_text("", encoding="utf-8")
    blank = folder / "blank.json"
    blank.write_text("\n \n\t\n", encoding="utf-8")
    whole = (OWN / "details" / "question_3100001.json").read_text(encoding="utf-8")
    cut = folder / "truncated.json"
    cut.write_text(whole[:300], encoding="utf-8")
    prose = folder / "notes.json"
    prose.write_text("These are my notes about written questions.\n", encoding="utf-8")
    binary = folder / "latin1.json"
    binary.write_bytes('{"id": 1, "questionText": "caf\u00e9"}'.encode("latin-1"))
    broken_gz = folder / "broken.json.gz"
    broken_gz.write_bytes(gzip.compress(whole.encode("utf-8"))[:60])
    no_id = write_json(folder / "no-id.json", {"value": {"uin": "123", "questionText": "x"}})
    string_id = write_json(folder / "string-id.json", [{"id": "1767134", "questionText": "x"}])
    scalar = write_json(folder / "scalar.json", 42)
    neither = write_json(folder / "neither.json", [{"id": 5, "name": "a member, say"}])
    results = write_json(folder / "results.json", {"totalResults": 1, "results": {"id": 1}})
    bad_date = write_json(
        folder / "bad-date.json", {"id": 1, "questionText": "x", "dateTabled": "soon"}
    )
    return {
        "missing file": (folder / "missing.json", "no such file"),
        "a directory": (d, "is a directory"),
        "empty file": (empty, "the file is empty"),
        "only blank lines": (blank, "the file is empty"),
        "truncated JSON": (cut, "not JSON: "),
        "non-JSON": (prose, "not JSON: Expecting value: line 1 column 1 (char 0)"),
        "not UTF-8": (binary, "not UTF-8 text"),
        "broken gzip": (broken_gz, "cannot read: "),
        "neither kind": (
            neither,
            "record 1 is neither a written question nor a statement",
        ),
        "swagger": (
            OWN / "other" / "openapi.json",
            "not API-shaped JSON (expected a list envelope, a {value: ...} envelope or question "
            "or statement objects)",
        ),
        "record without an id": (no_id, "record 1: question without a valid integer id: 'None'"),
        "string id": (string_id, "record 1: question without a valid integer id: '1767134'"),
        "a bare number": (scalar, "line 1: expected an object or array, got int"),
        "results not a list": (results, "line 1: 'results' is not a list"),
        "a date that is not a date": (
            bad_date,
            "record 1: question 1: dateTabled is not a date: 'soon'",
        ),
    }


BAD = [
    "missing file",
    "a directory",
    "empty file",
    "only blank lines",
    "truncated JSON",
    "non-JSON",
    "not UTF-8",
    "broken gzip",
    "neither kind",
    "swagger",
    "record without an id",
    "string id",
    "a bare number",
    "results not a list",
    "a date that is not a date",
]


@pytest.mark.parametrize("name", BAD)
def test_a_bad_file_is_one_clear_line_and_exit_1(name: str, tmp_path: Path, db_path: Path) -> None:
    path, reason = _bad_files(tmp_path)[name]
    result = run(db_path, "import", "--quiet", str(path))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    prefix = f"pqtrack: {path}: "
    assert line.startswith(prefix)
    if reason.endswith(": "):
        assert line[len(prefix) :].startswith(reason)
    else:
        assert line == prefix + reason
    assert_clean_failure(result, 1, line)
    assert count(db_path, "questions") == 0 and count(db_path, "versions") == 0


def test_without_quiet_the_error_is_followed_by_the_summary(tmp_path: Path, db_path: Path) -> None:
    missing = tmp_path / "missing.json"
    result = run(db_path, "import", str(missing))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"pqtrack: {missing}: no such file", SUMMARY_ONE_FAILED]


def test_an_unknown_field_is_kept_with_a_warning(tmp_path: Path, cli: Cli, db_path: Path) -> None:
    value = {**_five()[0]["value"], "shinyNewField": {"a": 1}, "anotherOne": None}
    path = write_json(tmp_path / "new-field.json", value)
    result = cli("import", str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"pqtrack: warning: {path}: kept unknown field(s) anotherOne, shinyNewField",
        "imported 1 file(s): 1 new, 0 changed, 0 filled in, 0 unchanged; 1 still truncated",
    ]
    ((record,),) = query(db_path, "SELECT record FROM versions")
    assert json.loads(record)["shinyNewField"] == {"a": 1}
    assert "anotherOne" in json.loads(record)
    quiet = cli("import", "--quiet", str(path))
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_one_bad_file_among_good_ones(tmp_path: Path, db_path: Path) -> None:
    five = _five()
    good_a = write_json(tmp_path / "a.json", five[:2])
    good_b = write_json(tmp_path / "b.json", five[2:3])
    # the bad file starts well: more than a batch of good records, then a broken line
    lines = [
        json.dumps({**five[3]["value"], "id": 5_000_000 + n, "uin": str(n)}) for n in range(600)
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines, '{"id": 1, "questionText": "x"', ""]), encoding="utf-8")
    result = run(db_path, "import", str(good_a), str(bad), str(good_b))
    assert result.exit_code == 1
    assert result.stdout == ""
    error, summary = result.stderr.splitlines()
    assert error.startswith(f"pqtrack: {bad}: line 601 is not JSON: ")
    assert summary == (
        "imported 2 file(s): 3 new, 0 changed, 0 filled in, 0 unchanged; 3 still truncated; "
        "1 file(s) failed"
    )
    ids = {qid for (qid,) in query(db_path, "SELECT id FROM questions")}
    assert ids == {e["value"]["id"] for e in five[:3]}
    assert counts(db_path) == {"questions": 3, "versions": 3, "events": 6, "members": 0}
    (logged,) = query(db_path, "SELECT status, message FROM runs")
    assert logged[0] == "partial" and str(bad) in logged[1]


def test_a_database_in_a_missing_directory(tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "pq.db"
    path = write_json(tmp_path / "five.json", _five())
    result = run(db, "import", str(path))
    assert_clean_failure(
        result,
        1,
        f"pqtrack: cannot create database {db}: directory {db.parent} does not exist",
    )
    assert not db.parent.exists()


def test_a_database_file_that_is_not_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("my notes\n" * 100, encoding="utf-8")
    before = sha256(db)
    path = write_json(tmp_path / "five.json", _five())
    result = run(db, "import", str(path))
    assert_clean_failure(result, 1, f"pqtrack: {db} is not an SQLite database")
    assert sha256(db) == before


def test_a_database_from_a_newer_pqtrack(tmp_path: Path, db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('pqtrack', 'm900_later', '2031-01-01')"
    )
    conn.commit()
    conn.close()
    before = sha256(db_path)
    path = write_json(tmp_path / "five.json", _five())
    result = run(db_path, "import", str(path))
    assert_clean_failure(
        result,
        1,
        f"pqtrack: {db_path} was written by a newer pqtrack (schema m900_later); "
        "upgrade pqtrack to use it",
    )
    assert sha256(db_path) == before


def test_no_files_is_a_usage_error(db_path: Path) -> None:
    result = run(db_path, "import")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "Missing argument" in result.stderr


# -- bad input that pqtrack does not handle cleanly yet ----------------------------------------


def _huge_id(tmp_path: Path) -> Path:
    return write_json(tmp_path / "huge-id.json", {"id": 2**64, "questionText": "x"})


def _huge_member(tmp_path: Path) -> Path:
    return write_json(
        tmp_path / "huge-member.json", {"id": 7, "questionText": "x", "askingMemberId": 2**64}
    )


def _grouping_not_a_list(tmp_path: Path) -> Path:
    return write_json(
        tmp_path / "grouping.json", {"id": 8, "questionText": "x", "groupedQuestions": 5}
    )


def _member_name_a_list(tmp_path: Path) -> Path:
    return write_json(
        tmp_path / "member.json",
        {"id": 9, "questionText": "x", "askingMember": {"id": 1, "name": ["A", "B"]}},
    )


@pytest.mark.parametrize(
    "make", [_huge_id, _huge_member, _grouping_not_a_list, _member_name_a_list]
)
def test_wrongly_typed_fields_fail_that_file_only(make: Any, tmp_path: Path, db_path: Path) -> None:
    bad = make(tmp_path)
    good = write_json(tmp_path / "good.json", _five())
    result = run(db_path, "import", "--quiet", str(bad), str(good))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"pqtrack: {bad}: ")
    assert count(db_path, "questions") == 5
