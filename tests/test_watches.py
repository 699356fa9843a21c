"""Watches: saved searches and their cursors, end to end against the fake API, as processes
killed at the worst moment, beside a writer, and their Atom feeds."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqtrack.importer import import_files
from pqtrack.store import Store
from tests.build import question, write_json
from tests.cli import Cli, query
from tests.fakeapi import FakeApi
from tests.test_sync import PQTRACK

ATOM = "{http://www.w3.org/2005/Atom}"
RANGE = ("--since", "2025-03-03", "--until", "2025-03-14")
LFR = '"facial recognition"'


def day(offset: int) -> str:
    return (date(2025, 3, 3) + timedelta(days=offset)).isoformat()


def made_up() -> list[dict[str, Any]]:
    """Twelve questions tabled 2025-03-03..05: four on facial recognition (7003 unanswered),
    four on rural crime, four on neither; the others answered the next day."""
    subjects = [
        "the use of live facial recognition by police forces",
        "rural crime and the theft of farm machinery",
        "funding for school buildings",
    ]
    values = []
    for i in range(12):
        tabled = day(i % 3)
        fields: dict[str, Any] = {
            "dateTabled": f"{tabled}T00:00:00",
            "questionText": f"To ask the Secretary of State, what assessment has been made of "
            f"{subjects[i % 3]} (question {7000 + i}).",
        }
        if i % 4 != 3:
            fields["answered"] = day(i % 3 + 1)
        values.append(question(7000 + i, **fields))
    return values


FR = [7000 + i for i in range(12) if i % 3 == 0]
RURAL = [7000 + i for i in range(12) if i % 3 == 1]


def sync(cli: Cli, fake: FakeApi) -> None:
    result = cli("sync", "--api-url", fake.url, *RANGE, "--rate", "0", "--quiet")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr


def run_json(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli("watch", "run", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def reported(doc: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted((c["question_id"], c["event"]) for w in doc for c in w["changes"])


def correct(fake: FakeApi, qid: int, on: str = "2025-03-10") -> None:
    old = fake.get(qid)
    assert old is not None
    fake.update(
        qid,
        answerIsCorrection=True,
        dateAnswerCorrected=f"{on}T00:00:00",
        correctingMemberId=5001,
        originalAnswerText=old["answerText"],
        answerText=f"<p>Answer to question {qid}, as corrected.</p>",
    )


def cursor(db: Path, name: str) -> int | None:
    rows = query(
        db,
        "SELECT c.last_event_id FROM watch_cursors c JOIN watches w ON w.id = c.watch_id"
        " WHERE w.name = ? AND c.kind = 'question'",
        [name],
    )
    return rows[0][0] if rows else None


# -- acceptance 1 and 2, on the fake API ---------------------------------------------------------


def test_a_first_run_lists_what_matches_and_a_second_has_nothing(cli: Cli) -> None:
    with FakeApi(made_up()) as fake:
        sync(cli, fake)
    added = cli("watch", "add", "lfr", LFR)
    assert added.exit_code == 0, added.stderr

    first = cli("watch", "run", "lfr", "--format", "json")
    assert first.exit_code == 0
    (doc,) = json.loads(first.stdout)
    assert (doc["watch"], doc["first_run"], doc["total"], doc["more"]) == ("lfr", True, 4, 0)
    assert sorted(c["question_id"] for c in doc["changes"]) == FR  # each once, no others
    assert {c["event"] for c in doc["changes"]} == {"answered", "tabled"}  # the latest of each
    assert first.stderr.startswith("pqtrack: First run of watch lfr: 4 questions match now")

    again = cli("watch", "run", "lfr", "--format", "json", "--fail-if-empty")
    assert (again.exit_code, again.stdout) == (3, "")
    assert again.stderr == "pqtrack: watch lfr: nothing new\n"
    # without --fail-if-empty the document is still written, and says there is nothing
    (quiet,) = run_json(cli, "lfr")
    assert (quiet["first_run"], quiet["changes"], quiet["total"]) == (False, [], 0)


def atom_entries(feed: ET.Element) -> dict[str, ET.Element]:
    return {e.findtext(f"{ATOM}id", ""): e for e in feed.findall(f"{ATOM}entry")}


def test_a_correction_is_an_atom_entry_once(cli: Cli) -> None:
    with FakeApi(made_up()) as fake:
        sync(cli, fake)
        assert cli("watch", "add", "lfr", LFR).exit_code == 0
        first = cli("watch", "run", "lfr", "--format", "atom")  # what matches now: 4 entries
        correct(fake, FR[0])  # the fake moves on: an answer is corrected
        sync(cli, fake)
    before = atom_entries(ET.fromstring(first.stdout))
    assert len(before) == len(FR)

    result = cli("watch", "run", "lfr", "--format", "atom")
    assert result.exit_code == 0, result.stderr
    feed = ET.fromstring(result.stdout)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    assert feed.findtext(f"{ATOM}title") == "pqtrack watch lfr"
    entries = atom_entries(feed)
    assert set(before) < set(entries)  # the earlier entries stay, with the same ids
    (new_id,) = set(entries) - set(before)  # and the correction is one new entry
    (event_id,) = query(
        cli.db, "SELECT id FROM events WHERE question_id = ? AND event = 'corrected'", [FR[0]]
    )[0]
    assert new_id == f"tag:pqtrack.github.io,2026:question/{FR[0]}/v2/e{event_id}"  # was v1
    entry = entries[new_id]
    assert entry.findtext(f"{ATOM}title", "").endswith(": corrected")
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").startswith(
        "https://questions-statements.parliament.uk/written-questions/detail/2025-03-03/"
    )
    assert "as corrected" in entry.findtext(f"{ATOM}summary", "")
    assert feed.findtext(f"{ATOM}updated") == entry.findtext(f"{ATOM}updated")

    after = cli("watch", "run", "lfr", "--format", "atom")  # nothing new: the same entries
    assert after.exit_code == 0
    assert atom_entries(ET.fromstring(after.stdout)).keys() == entries.keys()
    assert ET.fromstring(after.stdout).findtext(f"{ATOM}id") == feed.findtext(f"{ATOM}id")
    quiet = cli("watch", "run", "lfr", "--format", "atom", "--fail-if-empty")
    assert (quiet.exit_code, quiet.stdout) == (3, "")


def test_an_atom_feed_keeps_the_entries_of_the_runs_before(cli: Cli, tmp_path: Path) -> None:
    """A reader that polls less often than the watch runs still sees every entry: a feed holds
    this run's news and what the runs before it reported, each with its first id."""
    values = made_up()
    db = demo_db(tmp_path, values)
    cli = Cli(db)
    assert cli("watch", "add", "lfr", LFR).exit_code == 0
    assert cli("watch", "run", "lfr", "--quiet").exit_code == 0  # by text: a first run
    seen: dict[str, str] = {}
    answered = [qid for qid in FR if values[qid - 7000].get("answerText")][:3]
    for n, qid in enumerate(answered):  # three runs, each with one answer corrected
        later = [dict(v) for v in values]
        old = later[qid - 7000]
        old.update(
            answerIsCorrection=True,
            dateAnswerCorrected=f"2025-03-1{n}T00:00:00",
            originalAnswerText=old["answerText"],
            answerText=f"<p>Corrected answer {n}.</p>",
        )
        values = later
        store = Store.open(db)
        import_files(store, [write_json(tmp_path / f"later{n}.json", later)])
        store.close()
        result = cli("watch", "run", "lfr", "--format", "atom")
        entries = atom_entries(ET.fromstring(result.stdout))
        assert set(seen) <= set(entries)  # nothing an earlier feed held is gone
        assert all(seen[i] == entries[i].findtext(f"{ATOM}title") for i in seen)
        seen |= {i: e.findtext(f"{ATOM}title", "") for i, e in entries.items()}
    corrected = [t for t in seen.values() if t.endswith(": corrected")]
    assert len(corrected) == 3 and len(seen) == len(FR) + 3  # the first run's 4, one a run


# -- the cursor ----------------------------------------------------------------------------------


def test_sync_run_sync_sync_run_reports_each_change_once(cli: Cli, db_path: Path) -> None:
    values = made_up()
    with FakeApi(values) as fake:
        sync(cli, fake)
        assert cli("watch", "add", "lfr", LFR).exit_code == 0
        assert cli("watch", "add", "rural", "rural").exit_code == 0
        peeked = run_json(cli, "--peek")
        first = run_json(cli)
        assert [w["watch"] for w in first] == ["lfr", "rural"]
        assert reported(first) == reported(peeked) != []  # a peek reports the same
        assert cursor(db_path, "lfr") == cursor(db_path, "rural") is not None

        correct(fake, FR[0])
        sync(cli, fake)
        unanswered = 7003  # the one still unanswered
        fake.update(
            unanswered,
            answeringMemberId=5000,
            dateAnswered="2025-03-11T00:00:00",
            answerText="<p>Cameras are a matter for the police.</p>",
            answerIsHolding=False,
        )
        correct(fake, RURAL[0], on="2025-03-11")
        sync(cli, fake)  # two syncs between runs

        second = run_json(cli)
        third = run_json(cli)
    assert reported([w for w in second if w["watch"] == "lfr"]) == [
        (FR[0], "corrected"),
        (unanswered, "answered"),
    ]
    assert reported([w for w in second if w["watch"] == "rural"]) == [(RURAL[0], "corrected")]
    assert not any(w["first_run"] for w in second)
    assert reported(third) == []
    runs = query(db_path, "SELECT count(*), sum(reported) FROM watch_runs")
    assert runs == [(6, 4 + 4 + 3)]  # three runs of two watches (the peek is not one)


def test_peek_never_moves_the_cursor(cli: Cli, db_path: Path) -> None:
    with FakeApi(made_up()) as fake:
        sync(cli, fake)
    cli("watch", "add", "lfr", LFR)
    for _ in range(2):
        assert len(run_json(cli, "lfr", "--peek")[0]["changes"]) == 4
    assert cursor(db_path, "lfr") is None
    assert query(db_path, "SELECT count(*) FROM watch_runs") == [(0,)]


def demo_db(tmp_path: Path, values: list[dict[str, Any]]) -> Path:
    db = tmp_path / "watched.db"
    store = Store.open(db)
    import_files(store, [write_json(tmp_path / "first.json", values)])
    store.close()
    return db


def changed_values(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facial-recognition question still unanswered, answered."""
    later = [dict(v) for v in values]
    later[3].update(
        answeringMemberId=5000,
        dateAnswered="2025-03-11T00:00:00",
        answerText="<p>Cameras are a matter for the police.</p>",
        answerIsHolding=False,
    )
    return later


def watch_process(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*PQTRACK, "watch", "run", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_json_document(stream: Any) -> Any:
    """A JSON document from a stream still open: lines until they parse."""
    text = ""
    while True:
        line = stream.readline()
        assert line, "the process ended before writing its report"
        text += line
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            continue


def test_a_run_while_a_sync_writes_reports_the_rest_next_time(tmp_path: Path) -> None:
    values = made_up()
    db = demo_db(tmp_path, values)
    cli = Cli(db)
    cli("watch", "add", "lfr", LFR)
    assert len(run_json(cli, "lfr")[0]["changes"]) == 4
    writer = Store.open(db)
    try:
        with writer.transaction():  # a sync's batch, written and not yet committed
            import_files(writer, [write_json(tmp_path / "later.json", changed_values(values))])
            process = watch_process(db, "lfr", "--format", "json")
            assert process.stdout is not None
            (doc,) = read_json_document(process.stdout)
            assert doc["changes"] == []  # its snapshot is from before the batch
        # the batch commits while the run waits to move its cursor
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    finally:
        writer.close()
    (doc,) = run_json(cli, "lfr")
    assert reported([doc]) == [(7003, "answered")]
    assert run_json(cli, "lfr")[0]["changes"] == []


def test_kill_9_after_the_report_repeats_it_once_and_loses_nothing(tmp_path: Path) -> None:
    """The guarantee: at least once. A run killed between writing its report and moving the
    cursor reports the same news again next time; the run after that has nothing."""
    values = made_up()
    db = demo_db(tmp_path, values)
    cli = Cli(db)
    cli("watch", "add", "lfr", LFR)
    run_json(cli, "lfr")
    store = Store.open(db)
    import_files(store, [write_json(tmp_path / "later.json", changed_values(values))])
    store.close()
    before = cursor(db, "lfr")

    lock = sqlite3.connect(db)
    lock.execute("BEGIN IMMEDIATE")  # the run can write its report, never its cursor
    process = watch_process(db, "lfr", "--format", "json")
    assert process.stdout is not None
    (killed,) = read_json_document(process.stdout)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    lock.rollback()
    lock.close()

    assert reported([killed]) == [(7003, "answered")]
    assert cursor(db, "lfr") == before
    (repeated,) = run_json(cli, "lfr")
    assert reported([repeated]) == reported([killed])  # repeated, once
    assert run_json(cli, "lfr")[0]["changes"] == []  # and not again


# -- Atom ----------------------------------------------------------------------------------------

HOSTILE = 'Police <script>alert(1)</script> & "cams" ]]> \x00\x07\x1b[31m\ufffe end'


def test_hostile_titles_stay_inert_and_ids_are_stable(tmp_path: Path) -> None:
    values = made_up()
    values[0]["heading"] = HOSTILE
    values[0]["answerText"] = f"<p>{HOSTILE.replace('<', '&lt;')}</p>"
    cli = Cli(demo_db(tmp_path, values))
    cli("watch", "add", "lfr", LFR)
    feeds = [cli("watch", "run", "lfr", "--format", "atom", "--peek") for _ in range(2)]
    assert all(f.exit_code == 0 for f in feeds)
    parsed = [ET.fromstring(f.stdout) for f in feeds]
    ids = [[e.findtext(f"{ATOM}id") for e in p.findall(f"{ATOM}entry")] for p in parsed]
    assert ids[0] == ids[1] and len(ids[0]) == 4 == len(set(ids[0]))
    assert parsed[0].findtext(f"{ATOM}id") == parsed[1].findtext(f"{ATOM}id")
    (entry,) = [
        e for e in parsed[0].findall(f"{ATOM}entry") if "7000" in e.findtext(f"{ATOM}id", "")
    ]
    title = entry.findtext(f"{ATOM}title", "")
    assert "<script>alert(1)</script>" in title  # text, not markup: no element was made
    assert entry.find(f".//{ATOM}script") is None and entry.find(".//script") is None
    assert "]]>" in title and "\x00" not in feeds[0].stdout and "\x1b" not in feeds[0].stdout
    assert "<script>" not in feeds[0].stdout  # escaped in the document itself
    assert "\ufffe" not in feeds[0].stdout


# -- managing watches ----------------------------------------------------------------------------


def test_add_list_show_replace_remove(cli: Cli, db_path: Path) -> None:
    with FakeApi(made_up()) as fake:
        sync(cli, fake)
    added = cli("watch", "add", "lfr", LFR, "--house", "commons", "--no-named-day")
    assert added.exit_code == 0
    assert cli("watch", "add", "lfr", "other").exit_code == 2
    listed = cli.json("watch", "list")
    assert listed == [
        {
            "name": "lfr",
            "query": LFR,
            "filters": {"house": "Commons", "named_day": False},
            "created_at": listed[0]["created_at"],
            "last_run": None,
            "cursors": {},
            "feed_id": listed[0]["feed_id"],
            "search": """'"facial recognition"' --house Commons --no-named-day""",
        }
    ]
    shown = cli("watch", "show", "lfr")
    assert shown.exit_code == 0
    assert (
        "command: pqtrack watch add lfr '\"facial recognition\"' --house Commons --no-named-day"
        in shown.stdout.splitlines()
    )
    run_json(cli, "lfr")
    assert cli.json("watch", "show", "lfr")["last_run"] is not None

    replaced = cli("watch", "add", "lfr", "rural", "--replace")
    assert replaced.exit_code == 0
    again = cli.json("watch", "show", "lfr")
    assert (again["query"], again["filters"], again["cursors"]) == ("rural", {}, {})
    assert again["feed_id"] == listed[0]["feed_id"]  # feed readers keep the feed
    assert run_json(cli, "lfr")[0]["first_run"] is True

    assert cli("watch", "remove", "lfr").exit_code == 0
    assert cli.json("watch", "list") == []
    assert query(db_path, "SELECT count(*) FROM watch_runs") == [(0,)]


NO_WATCH = "pqtrack: no watch named 'nope' (pqtrack watch list shows them)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("watch", "run", "nope"), NO_WATCH),
        (("watch", "show", "nope"), NO_WATCH),
        (("watch", "remove", "nope"), NO_WATCH),
        (("watch", "add", "Bad Name", "x"), "pqtrack: name: 'Bad Name' is not a watch name"),
        (("watch", "add", "9lives"), "pqtrack: name: '9lives' is not a watch name"),
        (("watch", "add", "lfr2", "x", "--since", "someday"), "pqtrack: --since: 'someday'"),
        (("watch", "add", "dept", "--department", "no such department"), "pqtrack: --department:"),
        (("watch", "run", "lfr", "--mail-to", "not-an-address"),
         "pqtrack: --mail-to: 'not-an-address' is not a mail address (someone@example.org)"),
        (("watch", "run", "lfr", "--mail-to", "a@example.org\nBcc: b@example.org"),
         "pqtrack: --mail-to: "),
        (("watch", "run", "lfr", "--format", "atom", "--mail-to", "a@example.org"),
         "pqtrack: --format atom writes a feed to stdout; --mail-to sends a digest"),
        (("watch", "run", "lfr", "rural", "--format", "atom"),
         "pqtrack: --format atom writes one feed: name one watch"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    cli: Cli, db_path: Path, args: tuple[str, ...], message: str | None
) -> None:
    cli("import", str(write_json(db_path.parent / "q.json", made_up())))
    assert cli("watch", "add", "lfr", LFR).exit_code == 0
    assert cli("watch", "add", "rural", "rural").exit_code == 0
    before = query(db_path, "SELECT * FROM watches"), query(db_path, "SELECT * FROM watch_cursors")
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    if message:
        assert result.stderr.startswith(message), result.stderr
    after = query(db_path, "SELECT * FROM watches"), query(db_path, "SELECT * FROM watch_cursors")
    assert after == before


def test_a_first_run_is_capped_and_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pqtrack import watches

    monkeypatch.setattr(watches, "FIRST_RUN_CAP", 5)
    cli = Cli(demo_db(tmp_path, made_up()))
    cli("watch", "add", "everything")
    result = cli("watch", "run", "--format", "json")
    assert result.exit_code == 0
    (doc,) = json.loads(result.stdout)
    assert (doc["first_run"], doc["total"], doc["more"], len(doc["changes"])) == (True, 12, 7, 5)
    assert [c["question_id"] for c in doc["changes"]] == [7011, 7010, 7009, 7008, 7007]
    assert result.stderr == (
        "pqtrack: First run of watch everything: 12 questions match now (showing the newest 5), "
        "each with its latest change; later runs report what changes.\n"
    )
    assert run_json(cli)[0]["changes"] == []  # the rest were counted, not held back for later
