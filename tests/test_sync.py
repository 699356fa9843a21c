"""Sync end to end against the local fake API over real HTTP: completeness, idempotency, changes,
faults, reshuffles, the request budget, the ledger and the `sync` command.

Kill -9 and lock contention between processes run `pqtrack` as a subprocess: they are in
test_sync_kill.py, which shares the dataset and the state comparison below.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqtrack import sync as syncing
from pqtrack.client import ParliamentClient, make_http_client
from pqtrack.question import answer_is_cut, list_answer, status_of
from pqtrack.record import html_to_text
from pqtrack.store import Store
from tests.build import question
from tests.cli import Cli
from tests.fakeapi import FAULT_KINDS, FakeApi, FaultPlan, Request, load_samples
from tests.samples import SOURCES, own_detail_files, require_samples

BIN = Path(sys.executable).parent
PQTRACK = (
    [str(BIN / "pqtrack")] if (BIN / "pqtrack").exists() else [sys.executable, "-m", "pqtrack"]
)

# The made-up questions are tabled on five days from 2025-03-03 and answered up to three days
# later; a crowd of CROWD more were tabled from 2025-02-13 and all answered on 2025-03-07 (one
# window of more than one page); our own fixtures were tabled 2025-03-03..05 and answered up to
# 2025-03-13; the real detail_2025-03 records (an extra check) were tabled from 2025-02-13 and
# answered 2025-03-06..08. The sync range covers all of them, and the later events of the
# time-travel step too.
SINCE, UNTIL = date(2025, 2, 10), date(2025, 3, 14)
TABLED_DAYS = [date(2025, 3, 3) + timedelta(days=i) for i in range(5)]
CROWD, CROWD_DAY = 120, date(2025, 3, 7)
DEPARTMENTS = [
    (17, "Department of Health and Social Care", "the Secretary of State for Health"),
    (11, "Ministry of Defence", "the Secretary of State for Defence"),
    (1, "Home Office", "the Secretary of State for the Home Department"),
    (27, "Department for Transport", "the Secretary of State for Transport"),
    (13, "Department for Environment, Food and Rural Affairs", "the Secretary of State for DEFRA"),
    (208, "Foreign, Commonwealth and Development Office", "the Foreign Secretary"),
]
WORDS = (
    "funding schools hospitals rail flooding veterans housing grants councils review pilots "
    "waiting lists ferries bus routes apprenticeships coastal erosion drones prisons courts "
    "broadband subsidies inspections targets guidance consultation evaluation"
).split()
HOLDING_TEXT = (
    "<p>The Department will reply to the hon. Member as soon as possible; it has not been "
    "possible to answer this question in the usual time.</p>"
)


def day_iso(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def long_answer(rng: random.Random, qid: int, *, table: bool = False) -> str:
    """HTML well over 255 characters of text, so the list shows a cut copy."""
    parts = [
        f"<p>The Government is committed to {prose(rng, 30)} &amp; {prose(rng, 10)}.</p>",
        "<p> </p>",
        f"<p>The Minister&#8217;s office confirmed that {prose(rng, 25)} (ref {qid}).</p>",
    ]
    if table:
        parts.append(
            "<table><tr><th>Region</th><th>Sum</th></tr>"
            f"<tr><td>North</td><td>{qid % 97}</td></tr><tr><td>South</td><td>7</td></tr></table>"
        )
    return "".join(parts)


@dataclass
class Dataset:
    values: list[dict[str, Any]]
    roles: dict[str, list[int]] = field(default_factory=dict)


def make_dataset(
    count: int = 260, *, first_id: int = 2_000_000, own: bool = True, shared: bool = False
) -> Dataset:
    """`count` made-up questions (Commons and Lords, six departments, unanswered, holding,
    answered, first seen corrected, grouped pairs, long and short texts); with `own`, a crowd of
    CROWD answered on one day and our own fixtures (tests/data/api/details); with `shared`, the
    real detail_2025-03 records too."""
    rng = random.Random(20250303)
    values: list[dict[str, Any]] = []
    roles: dict[str, list[int]] = {
        k: [] for k in ("unanswered", "holding", "answered", "corrected", "grouped", "lords")
    }
    for i in range(count):
        qid = first_id + i
        body_id, body_name, minister = DEPARTMENTS[i % len(DEPARTMENTS)]
        tabled = TABLED_DAYS[i % len(TABLED_DAYS)]
        lords = i % 4 == 0
        words = 60 if i % 3 == 0 else 12  # a third of the questions are longer than 255 chars
        fields: dict[str, Any] = {
            "house": "Lords" if lords else "Commons",
            "uin": f"HL{5000 + i}" if lords else str(30000 + i),
            "dateTabled": day_iso(tabled),
            "dateForAnswer": day_iso(tabled + timedelta(days=7)),
            "answeringBodyId": body_id,
            "answeringBodyName": body_name,
            "questionText": f"To ask {minister}, what assessment has been made of "
            f"{prose(rng, words)} (question {qid}).",
        }
        if lords:
            roles["lords"].append(qid)
        state = i % 10
        answered_on = tabled + timedelta(days=1 + i % 3)
        if state in (0, 1):
            roles["unanswered"].append(qid)
        elif state == 2:
            roles["holding"].append(qid)
            fields.update(
                answered=answered_on.isoformat(),
                answerIsHolding=True,
                dateHoldingAnswer=day_iso(answered_on),
                answerText=HOLDING_TEXT,
            )
        else:
            fields.update(answered=answered_on.isoformat(), heading=f"{body_name}: {WORDS[i % 9]}")
            if i % 5 == 4:  # short answers arrive whole in lists
                fields["answerText"] = f"<p>No; {prose(rng, 5)}.</p>"
            else:
                fields["answerText"] = long_answer(rng, qid, table=i % 7 == 0)
            if i % 25 == 7:  # first seen already corrected
                roles["corrected"].append(qid)
                fields.update(
                    corrected=(answered_on + timedelta(days=1)).isoformat(),
                    originalAnswerText=f"<p>The first answer to {qid}.</p>",
                )
            else:
                roles["answered"].append(qid)
        values.append(question(qid, **fields))
    # Grouped pairs: answered together, same answer, grouping shown only in list results.
    by_id = {v["id"]: v for v in values}
    for qid in [q for q in roles["answered"] if q % 20 == 5][:6]:
        a, b = by_id[qid], by_id.get(qid + 1)
        if b is None or b["id"] not in roles["answered"]:
            continue
        b.update(dateAnswered=a["dateAnswered"], answerText=a["answerText"], heading=a["heading"])
        a.update(groupedQuestions=[b["uin"]], groupedQuestionsDates=[b["dateTabled"]])
        b.update(groupedQuestions=[a["uin"]], groupedQuestionsDates=[a["dateTabled"]])
        roles["grouped"] += [a["id"], b["id"]]
    if own:
        for i in range(CROWD):
            qid = first_id + count + i
            values.append(
                question(
                    qid,
                    uin=str(40000 + i),
                    dateTabled=day_iso(CROWD_DAY - timedelta(days=6 + i % 16)),
                    questionText=f"To ask the Secretary of State for Transport, what assessment "
                    f"has been made of {prose(rng, 8)} (question {qid}).",
                    answered=CROWD_DAY.isoformat(),
                    answerText=long_answer(rng, qid),
                )
            )
            roles["answered"].append(qid)
        # the lists never show a withdrawn question, so a sync cannot find ours
        mine = [v for v in load_samples(own_detail_files()) if not v["isWithdrawn"]]
        for value in mine:
            status = status_of(value)
            roles["answered" if status == "answered" else status].append(value["id"])
        values += mine
    if shared:
        folder = require_samples() / "detail_2025-03"
        values += load_samples(sorted(folder.glob("question_*.json")))
    return Dataset(values, roles)


@contextmanager
def api_client(fake: FakeApi, *, timeout: float = 0.5, **kw: Any) -> Iterator[ParliamentClient]:
    """A client on the fake that never really sleeps (no pacing, no backoff waits)."""
    with make_http_client(timeout) as http:
        yield ParliamentClient(http, base_url=fake.url, rate=0, sleep=lambda s: None, **kw)


def run_sync(store: Store, client: ParliamentClient, **kw: Any) -> syncing.SyncReport:
    kw.setdefault("since", SINCE)
    kw.setdefault("until", UNTIL)
    kw.setdefault("today", UNTIL)
    return syncing.sync(store, client, scopes=[syncing.Scope()], **kw)


def detail_ids(requests: list[Request]) -> list[int]:
    return [int(r.path.rsplit("/", 1)[1]) for r in requests if r.is_detail and r.fault is None]


def end_state(path: Path) -> dict[str, Any]:
    """Everything a sync decides, without the timestamps and run ids that differ between runs."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:

        def rows(sql: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
            return [
                {k: r[k] for k in r.keys() if k not in drop}  # noqa: SIM118 (Row has no iter)
                for r in conn.execute(sql)
            ]

        return {
            "questions": rows(
                "SELECT * FROM questions ORDER BY id", ("first_seen", "last_seen", "last_changed")
            ),
            "versions": rows(
                "SELECT question_id, version, content_hash, record, source, truncated, changed"
                " FROM versions ORDER BY question_id, version"
            ),
            "events": rows(
                "SELECT question_id, version, event, old, new FROM events"
                " ORDER BY question_id, version, event, old, new"
            ),
            "members": rows("SELECT * FROM members ORDER BY id", ("last_seen",)),
            "bodies": rows("SELECT id, name FROM answering_bodies ORDER BY id"),
            "windows": rows(
                "SELECT kind, day, scope, status, total_results, rows_seen FROM sync_windows"
                " ORDER BY kind, day, scope"
            ),
        }
    finally:
        conn.close()


def assert_db_sound(path: Path) -> None:
    """SQLite's own check, foreign keys, and the search index in step with its content table."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO questions_fts (questions_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


def new_versions(store: Store, run_id: int) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for qid, version in store.db.execute(
        "SELECT question_id, version FROM versions WHERE run_id = ? ORDER BY question_id, version",
        [run_id],
    ).fetchall():
        found.setdefault(qid, []).append(version)
    return found


def events_of_run(store: Store, run_id: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for qid, event in store.db.execute(
        "SELECT question_id, event FROM events WHERE run_id = ? ORDER BY question_id, id", [run_id]
    ).fetchall():
        found.setdefault(qid, []).append(event)
    return found


def last_run_id(store: Store) -> int:
    return int(store.db.execute("SELECT max(id) FROM runs").fetchone()[0])


# -- 1. completeness, idempotency, exactly the changes --------------------------------------------


# How many questions each dataset holds: 260 made up, the crowd, our own 62 not withdrawn, and
# the 120 real ones.
SIZES = {"own": 260 + CROWD + 62, "shared": 260 + CROWD + 62 + 120}


@pytest.mark.parametrize("source", SOURCES)
def test_one_sync_stores_every_question_with_full_texts(store: Store, source: str) -> None:
    data = make_dataset(shared=source == "shared")
    with FakeApi(data.values) as fake, api_client(fake) as client:
        report = run_sync(store, client)

        assert report.ok and report.failed == []
        # each day: answered, corrected and tabled questions, and the statements made
        assert report.windows == report.windows_done == 4 * ((UNTIL - SINCE).days + 1)
        assert report.counts.new == len(data.values) == SIZES[source]
        # every question was fetched whole exactly once, however many windows listed it
        assert Counter(detail_ids(fake.requests)) == Counter(v["id"] for v in data.values)
        assert report.requests == len(fake.requests)

    stored = {r["id"]: r for r in store.db.query("SELECT * FROM questions")}
    assert set(stored) == {v["id"] for v in data.values}
    cut_answers = 0
    for v in data.values:
        row = stored[v["id"]]
        assert row["question_text"] == v["questionText"], v["id"]
        if v["answerText"] is None:
            assert row["answer_text"] is None, v["id"]
        else:
            assert row["answer_text"] == html_to_text(v["answerText"]), v["id"]
            cut_answers += answer_is_cut(list_answer(v["answerText"]))
        assert row["truncated"] == 0 and row["version"] == 1, v["id"]
        assert row["house"] == v["house"] and row["answering_body_id"] == v["answeringBodyId"]
    assert cut_answers > 200  # the lists really did cut most answers
    assert sum(len(v["questionText"]) > 255 for v in data.values) > 80

    statuses = Counter(r["status"] for r in stored.values())
    assert statuses == {
        "unanswered": len(data.roles["unanswered"]),
        "holding": len(data.roles["holding"]),
        "corrected": len(data.roles["corrected"]),
        "answered": len(data.values)
        - sum(len(data.roles[k]) for k in ("unanswered", "holding"))
        - len(data.roles["corrected"]),
    }
    assert len(data.roles["lords"]) == 65 and len(data.roles["corrected"]) > 5
    # grouping comes from the list results only (the single endpoint sends [])
    by_id = {v["id"]: v for v in data.values}
    assert len(data.roles["grouped"]) >= 4
    for qid in data.roles["grouped"]:
        assert json.loads(stored[qid]["grouped_uins"]) == by_id[qid]["groupedQuestions"]
    # (versions.source is checked by test_a_question_fetched_whole_is_stored_as_from_the_detail)
    assert store.db.execute("SELECT count(*), sum(truncated) FROM versions").fetchone() == (
        SIZES[source],
        0,
    )
    assert store.db.execute(
        "SELECT count(*) FROM sync_windows WHERE status != 'done'"
    ).fetchone() == (0,)
    assert_db_sound(store.path)  # type: ignore[arg-type]


def test_an_immediate_second_sync_fetches_no_details(store: Store) -> None:
    data = make_dataset()
    with FakeApi(data.values) as fake, api_client(fake) as client:
        assert run_sync(store, client).ok
        listed_before, before = fake.count("list"), len(fake.requests)
        again = run_sync(store, client)
        assert again.ok and again.counts.new == again.counts.changed == 0
        assert fake.count("list") - listed_before == listed_before  # the same pages again
        assert detail_ids(fake.requests[before:]) == []


def test_a_question_fetched_whole_is_stored_as_from_the_detail(store: Store) -> None:
    """The root cause behind the test above, pinned to one unanswered question with a short text."""
    q = question(9001, dateTabled=day_iso(TABLED_DAYS[0]))
    with FakeApi([q]) as fake, api_client(fake) as client:
        assert run_sync(store, client, since=TABLED_DAYS[0], until=TABLED_DAYS[0]).ok
        assert fake.count("detail") == 1
    assert store.db.execute(
        "SELECT source, truncated FROM versions WHERE question_id = 9001"
    ).fetchall() == [("detail", 0)]


def test_next_sync_records_exactly_the_changes_made_meanwhile(store: Store, cli: Cli) -> None:
    data = make_dataset()
    by_id = {v["id"]: v for v in data.values}
    holding = data.roles["holding"][0]
    corrected = next(
        q
        for q in data.roles["answered"]
        if q not in data.roles["grouped"] and "office confirmed" in by_id[q]["answerText"]
    )
    transferred, withdrawn, removed = data.roles["unanswered"][:3]
    rng = random.Random(7)
    with FakeApi(data.values) as fake, api_client(fake) as client:
        assert run_sync(store, client).ok
        assert run_sync(store, client).ok
        versions_before = store.db.execute("SELECT count(*) FROM versions").fetchone()[0]
        start = len(fake.requests)

        # time travel: what the API shows a few days later
        substantive_on = date.fromisoformat(by_id[holding]["dateAnswered"][:10]) + timedelta(3)
        fake.update(
            holding,
            answerIsHolding=False,
            dateAnswered=day_iso(substantive_on),
            answerText=(substantive := long_answer(rng, holding)),
        )
        old_answer = by_id[corrected]["answerText"]
        # the correction is past the 255 characters a list shows: only the flags tell
        new_answer = old_answer.replace("office confirmed", "office has since confirmed")
        assert list_answer(new_answer) == list_answer(old_answer)
        fake.update(
            corrected,
            answerIsCorrection=True,
            dateAnswerCorrected=day_iso(date(2025, 3, 12)),
            correctingMemberId=5001,
            originalAnswerText=old_answer,
            answerText=new_answer,
            comparableAnswerText="<p>office <ins class='ministerial'>has since</ins> confirmed</p>",
        )
        fake.update(
            transferred,
            answeringBodyId=53,
            answeringBodyName="Cabinet Office",
            questionText=f"To ask the Minister for the Cabinet Office, what plans there are for "
            f"{prose(rng, 15)} (question {transferred}).",
        )
        fake.withdraw(withdrawn)
        fake.remove(removed)

        report = run_sync(store, client)
        assert report.ok
        run_id = last_run_id(store)
        fetched = set(detail_ids(fake.requests[start:]))

    changed = {holding, corrected, transferred, withdrawn, removed}
    assert new_versions(store, run_id) == {qid: [2] for qid in changed}
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == versions_before + 5
    assert events_of_run(store, run_id) == {
        holding: ["substantive"],
        corrected: ["corrected"],
        transferred: ["transferred", "reworded"],
        withdrawn: ["withdrawn"],
        removed: ["withdrawn"],
    }
    assert changed <= fetched  # the removed one was looked up by id and got a 404
    assert (report.counts.new, report.counts.changed) == (0, 5)
    summary = report.summary()
    assert (summary["answered"], summary["corrected"], summary["withdrawn"]) == (1, 1, 2)

    row = {
        r["id"]: r
        for r in store.db.query("SELECT * FROM questions WHERE id IN (?,?,?,?,?)", sorted(changed))
    }
    assert row[holding]["status"] == "answered"
    assert row[holding]["date_answered"] == substantive_on.isoformat()
    assert row[holding]["date_holding_answer"] == by_id[holding]["dateHoldingAnswer"][:10]
    assert row[holding]["answer_text"] == html_to_text(substantive)
    assert row[corrected]["status"] == "corrected"
    assert row[corrected]["date_answer_corrected"] == "2025-03-12"
    assert row[corrected]["original_answer_text"] == html_to_text(old_answer)
    assert row[corrected]["answer_text"] == html_to_text(new_answer)
    assert "office has since confirmed" in row[corrected]["answer_text"]
    assert row[transferred]["answering_body_id"] == 53
    assert row[transferred]["question_text"].startswith("To ask the Minister for the Cabinet")
    assert row[withdrawn]["status"] == row[removed]["status"] == "withdrawn"
    # the previous versions are kept whole
    (old_record,) = store.db.execute(
        "SELECT record FROM versions WHERE question_id = ? AND version = 1", [holding]
    ).fetchone()
    assert json.loads(old_record)["answerText"] == HOLDING_TEXT
    # and the change feed shows the same, and only that
    feed = cli.json("changes", "--since", "last-sync")
    assert sorted((e["question_id"], e["event"]) for e in feed) == sorted(
        (qid, event) for qid, events in events_of_run(store, run_id).items() for event in events
    )


# -- 2. transient faults -------------------------------------------------------------------------


def test_sync_through_20_percent_faults_ends_in_the_fault_free_state(tmp_path: Path) -> None:
    data = make_dataset()
    clean = tmp_path / "clean.db"
    with FakeApi(data.values) as fake, api_client(fake) as client:
        store = Store.open(clean)
        assert run_sync(store, client).ok
        store.close()

    faulty = tmp_path / "faulty.db"
    store = Store.open(faulty)
    with FakeApi(data.values, fault_delay=0.6) as fake:
        fake.faults = FaultPlan(rate=0.2, seed=11)
        # two attempts a request: some windows are bound to run out of them
        with api_client(fake, timeout=0.3, max_attempts=2) as client:
            first = run_sync(store, client)
        assert not first.ok and first.summary()["ok"] is False
        assert first.failed and first.windows_done == first.windows - len(first.failed)
        assert first.summary()["windows_failed"] == len(first.failed)
        for line in first.failed:
            assert re.fullmatch(
                r"(answered|corrected|tabled|statements) 2025-\d\d-\d\d: GET /api/written"
                r"(questions/questions|statements/statements)(/\d+)? failed after 2 attempts"
                r" \(last: [^\n]+\)",
                line,
            ), line
        failed_windows = {line.split(": ", 1)[0] for line in first.failed}
        assert {
            f"{kind} {day}"
            for kind, day in store.db.execute(
                "SELECT kind, day FROM sync_windows WHERE status = 'failed'"
            ).fetchall()
        } == failed_windows
        runs = [first]
        with api_client(fake, timeout=0.3) as client:
            while not runs[-1].ok and len(runs) < 5:
                runs.append(run_sync(store, client))
        assert runs[-1].ok, runs[-1].failed
        faults = Counter(r.fault for r in fake.requests if r.fault)
        share = sum(faults.values()) / len(fake.requests)
    store.close()
    assert set(faults) == set(FAULT_KINDS)  # every kind of fault was met
    assert 0.15 < share < 0.25
    assert_db_sound(faulty)
    assert end_state(faulty) == end_state(clean)


# -- 5. the request budget -----------------------------------------------------------------------

BUDGET_START = date(2025, 3, 3)
BUDGET_DAYS = 14
PER_DAY = 400


def budget_questions(day_index: int, first_id: int) -> list[dict[str, Any]]:
    """A day's worth of new questions: 3 in 4 answered within two days, some holding."""
    tabled = BUDGET_START + timedelta(days=day_index)
    last = BUDGET_START + timedelta(days=BUDGET_DAYS - 1)
    out = []
    for k in range(PER_DAY):
        fields: dict[str, Any] = {"dateTabled": day_iso(tabled), "uin": str(first_id + k)}
        if k % 4:
            answered = min(tabled + timedelta(days=k % 3), max(last, tabled))
            fields["answered"] = answered.isoformat()
            if k % 40 == 1:
                fields.update(answerIsHolding=True, dateHoldingAnswer=day_iso(answered))
        out.append(question(first_id + k, **fields))
    return out


@pytest.fixture(scope="module")
def fourteen_days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One sync of 14 days with 400 new questions a day: the database, the data, the counts."""
    values = [q for d in range(BUDGET_DAYS) for q in budget_questions(d, 4_000_000 + d * 1000)]
    path = tmp_path_factory.mktemp("budget") / "pq.db"
    store = Store.open(path)
    last = BUDGET_START + timedelta(days=BUDGET_DAYS - 1)
    with FakeApi(values) as fake, api_client(fake) as client:
        report = syncing.sync(
            store, client, scopes=[syncing.Scope()], since=BUDGET_START, until=last, today=last
        )
        lists, details = fake.count("list"), detail_ids(fake.requests)
        statement_lists = fake.count("statement_list")
    store.close()
    return {"path": path, "values": values, "report": report, "lists": lists, "details": details,
            "statement_lists": statement_lists}  # fmt: skip


def test_a_14_day_sync_of_5600_questions_stays_within_the_request_budget(
    fourteen_days: dict[str, Any],
) -> None:
    report, values = fourteen_days["report"], fourteen_days["values"]
    lists, details = fourteen_days["lists"], fourteen_days["details"]
    print(f"14-day sync: {len(values)} questions, {lists} list requests, {len(details)} details")
    assert report.ok and report.counts.new == len(values) == BUDGET_DAYS * PER_DAY
    assert lists <= 1000
    assert Counter(details) == Counter(v["id"] for v in values)  # exactly one each
    # one (empty) statements listing a day
    assert report.requests == lists + len(details) + fourteen_days["statement_lists"]
    assert fourteen_days["statement_lists"] == report.statement_requests == BUDGET_DAYS


def test_the_next_daily_sync_fetches_only_new_and_changed_questions(
    fourteen_days: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "pq.db"
    source = sqlite3.connect(fourteen_days["path"])
    with sqlite3.connect(path) as target:
        source.backup(target)
    source.close()
    values = [dict(v) for v in fourteen_days["values"]]
    today = BUDGET_START + timedelta(days=BUDGET_DAYS)
    fresh = budget_questions(BUDGET_DAYS, 4_100_000)
    open_ones = [v for v in values if v["dateAnswered"] is None][:100]
    answered = [v for v in values if v["dateAnswered"] and not v["answerIsHolding"]][:20]
    for v in open_ones:  # answered today
        v.update(
            question(v["id"], answered=today.isoformat(), dateTabled=v["dateTabled"], uin=v["uin"])
        )
    for v in answered:  # corrected today
        v.update(
            answerIsCorrection=True,
            dateAnswerCorrected=day_iso(today),
            correctingMemberId=5000,
            answerText=v["answerText"] + "<p>Corrected.</p>",
        )
    expected = {v["id"] for v in [*fresh, *open_ones, *answered]}
    store = Store.open(path)
    with FakeApi([*values, *fresh]) as fake, api_client(fake) as client:
        report = syncing.sync(store, client, scopes=[syncing.Scope()], today=today)
        lists, details = fake.count("list"), detail_ids(fake.requests)
    store.close()
    print(
        f"next daily sync: {lists} list requests, {len(details)} details, {len(expected)} new or"
        " changed"
    )
    assert report.ok and (report.since, report.until) == ("2025-03-02", today.isoformat())
    assert (report.counts.new, report.counts.changed) == (len(fresh), 120)
    assert lists <= 1000
    assert Counter(details) == Counter(expected)


# -- 6. the list reshuffles while we page --------------------------------------------------------


def reshuffle_data(day: date) -> tuple[list[dict[str, Any]], list[int]]:
    """150 questions tabled on `day`: 100 answered (page 1), 50 unanswered (page 2, by id desc)."""
    values = []
    for i in range(150):
        fields: dict[str, Any] = {"dateTabled": day_iso(day)}
        if i < 100:
            fields["answered"] = (day + timedelta(days=i % 3)).isoformat()
        values.append(question(7000 + i, **fields))
    return values, [7149, 7148]  # the first two of page 2


def answer_on(fake: FakeApi, qid: int, day: date) -> str:
    text = long_answer(random.Random(qid), qid)
    fake.update(
        qid,
        answerIsHolding=False,
        answerIsCorrection=False,
        answeringMemberId=5000,
        dateAnswered=day_iso(day),
        answerText=text,
        heading="Reshuffled",
    )
    return text


def test_a_question_answered_between_two_pages_is_still_stored(store: Store) -> None:
    day = TABLED_DAYS[2]
    values, (mover, _) = reshuffle_data(day)
    moved: list[str] = []

    def hook(request: Request) -> None:
        # between page 1 and page 2 of the tabling window, the first question of page 2 is
        # answered (after the sync's range), so it jumps to the top: page 2 never shows it
        if (
            request.is_list
            and request.param("tabledWhenFrom") == day.isoformat()
            and request.param("skip") == "100"
            and not moved
        ):
            moved.append(answer_on(fake, mover, UNTIL + timedelta(days=1)))

    with FakeApi(values) as fake, api_client(fake) as client:
        fake.on_request = hook
        report = run_sync(store, client, since=day, until=day + timedelta(days=2))
        listings = [
            r.param("skip")
            for r in fake.requests
            if r.is_list and r.param("tabledWhenFrom") == day.isoformat()
        ]
    assert moved and report.ok
    assert listings == ["0", "100", "0", "100"]  # listed again because it came back short
    row = store.db.execute(
        "SELECT status, date_answered, answer_text FROM questions WHERE id = ?", [mover]
    ).fetchone()
    assert row == (
        "answered",
        (UNTIL + timedelta(days=1)).isoformat(),
        html_to_text(moved[0]),
    )
    assert store.db.execute("SELECT count(*) FROM questions").fetchone() == (150,)
    assert store.db.execute(
        "SELECT status, total_results, rows_seen FROM sync_windows"
        " WHERE kind = 'tabled' AND day = ?",
        [day.isoformat()],
    ).fetchone() == ("done", 150, 150)


def late_arrival_hook(fake: FakeApi, day: date, mover: int) -> list[int]:
    """Page 2 of the first listing: `mover` is answered and jumps to the top (missed, but seen
    by the second listing); page 2 of the second listing: a question tabled that day appears,
    already answered, at the top (missed by both). Returns the ids it touched."""
    touched: list[int] = []

    def hook(request: Request) -> None:
        if not (request.is_list and request.param("skip") == "100") or len(touched) == 2:
            return
        if not touched:
            answer_on(fake, mover, UNTIL + timedelta(days=1))
            touched.append(mover)
        else:
            late = question(7500, dateTabled=day_iso(day), answered=str(UNTIL))
            fake.upsert(late)
            touched.append(late["id"])

    fake.on_request = hook
    return touched


def test_a_window_still_short_when_listed_again_is_retried_by_the_next_sync(store: Store) -> None:
    day = TABLED_DAYS[2]
    values, (mover, _) = reshuffle_data(day)
    with FakeApi(values) as fake, api_client(fake) as client:
        touched = late_arrival_hook(fake, day, mover)
        first = run_sync(store, client, since=day, until=day)
        assert touched == [mover, 7500] and not first.ok
        assert first.failed == [
            f"tabled {day}: listed 150 of the 151 questions the API counts; will retry"
        ]
        # what was listed is kept
        assert store.db.execute("SELECT count(*) FROM questions").fetchone() == (150,)
        (status,) = store.db.execute(
            "SELECT status FROM sync_windows WHERE kind = 'tabled'"
        ).fetchone()
        assert status != "done"  # so the next sync lists it again
        second = run_sync(store, client, since=day, until=day)
    assert second.ok and second.counts.new == 1
    assert store.db.execute("SELECT count(*) FROM questions").fetchone() == (151,)
    assert store.db.execute(
        "SELECT status FROM questions WHERE id IN (?, ?)", [mover, 7500]
    ).fetchall() == [("answered",), ("answered",)]


def test_a_short_window_counts_what_it_saved(store: Store) -> None:
    day = TABLED_DAYS[2]
    values, (mover, _) = reshuffle_data(day)
    with FakeApi(values) as fake, api_client(fake) as client:
        late_arrival_hook(fake, day, mover)
        report = run_sync(store, client, since=day, until=day)
    assert not report.ok
    assert store.db.execute("SELECT count(*) FROM questions").fetchone() == (150,)
    assert report.summary()["new"] == 150


# -- 7. the ledger: sync --status ----------------------------------------------------------------


def small_set() -> list[dict[str, Any]]:
    """Ten questions tabled 2025-03-03..05: four unanswered, five answered, one corrected."""
    values = []
    for i in range(10):
        tabled = date(2025, 3, 3) + timedelta(days=i % 3)
        fields: dict[str, Any] = {"dateTabled": day_iso(tabled)}
        if i >= 4:
            fields["answered"] = (tabled + timedelta(days=1)).isoformat()
        if i == 9:
            fields["corrected"] = (tabled + timedelta(days=2)).isoformat()
        values.append(question(8000 + i, **fields))
    return values


RANGE = ("--since", "2025-03-03", "--until", "2025-03-05")
LIST_429 = (
    "GET /api/writtenquestions/questions failed after 6 attempts (last: HTTP 429: An error "
    "occurred.)"
)


def test_sync_status_lists_incomplete_windows_until_a_good_run(cli: Cli) -> None:
    with FakeApi(small_set()) as fake:
        # the first window's listing is refused six times running (Retry-After: 0, no waiting)
        fake.faults = FaultPlan(schedule=["429"] * 6, only="list", retry_after="0")
        partial = cli("sync", "--api-url", fake.url, *RANGE, "--rate", "0", "--quiet")
        assert partial.exit_code == 1
        assert partial.stdout == ""
        assert partial.stderr.splitlines() == [
            f"pqtrack: window failed: answered 2025-03-03: {LIST_429}",
            "pqtrack: 1 of 12 windows incomplete; the next sync retries them",
        ]

        text = cli("sync", "--status")
        assert text.exit_code == 0
        lines = text.stdout.splitlines()
        assert "incomplete windows: 1" in lines
        assert f"  answered 2025-03-03 failed: {LIST_429}" in lines
        assert "last good sync: never" in lines
        status = cli.json("sync", "--status")
        assert [
            {k: w[k] for k in ("kind", "day", "scope", "status", "error")}
            for w in status["incomplete"]
        ] == [
            {
                "kind": "answered",
                "day": "2025-03-03",
                "scope": "{}",
                "status": "failed",
                "error": LIST_429,
            }
        ]
        assert status["latest_run"]["status"] == "partial"
        assert status["last_success"] is None
        assert status["questions"] == 10  # the other windows found them all

        # a plain cron-style run (no dates: the last 30 days) retries the window left behind
        fake.faults = None
        before = len(fake.requests)
        good = cli("sync", "--api-url", fake.url, "--rate", "0", "--quiet")
        assert (good.exit_code, good.stdout, good.stderr) == (0, "", "")
        assert any(r.param("answeredWhenFrom") == "2025-03-03" for r in fake.requests[before:])

    lines = cli("sync", "--status").stdout.splitlines()
    assert "incomplete windows: 0" in lines
    assert not any(line.startswith("  answered 2025-03-03") for line in lines)
    status = cli.json("sync", "--status")
    assert status["incomplete"] == []
    assert status["latest_run"]["status"] == "ok"
    assert status["last_success"] is not None


def test_sync_status_before_any_sync_is_a_clean_error(cli: Cli, db_path: Path) -> None:
    result = cli("sync", "--status")
    assert result.exit_code == 1
    assert result.stderr.startswith("pqtrack: no database at ")
    assert "Traceback" not in result.stderr and not db_path.exists()


# -- 8. the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2025-13-45"), "--since: '2025-13-45' is not a date (use YYYY-MM-DD)"),
        (("--until", "2025-02-30"), "--until: '2025-02-30' is not a date (use YYYY-MM-DD)"),
        (
            ("--since", "2025-03-10", "--until", "2025-03-01"),
            "--since 2025-03-10 is after --until 2025-03-01",
        ),
    ],
)
def test_sync_rejects_bad_dates_with_exit_2(
    cli: Cli, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = cli("sync", *args, "--api-url", "http://127.0.0.1:1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"pqtrack: {message}\n"
    assert not db_path.exists()  # bad usage touches nothing


def patch_client_sleep(monkeypatch: pytest.MonkeyPatch, sleep: Any) -> None:
    """The CLI builds its own client: make it record its backoff waits instead of sleeping."""
    defaults = ParliamentClient.__init__.__kwdefaults__
    assert defaults is not None and "sleep" in defaults
    monkeypatch.setitem(defaults, "sleep", sleep)


def test_sync_with_nothing_listening_fails_cleanly_after_retries(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    patch_client_sleep(monkeypatch, waits.append)
    result = cli(
        "sync", "--api-url", "http://127.0.0.1:1", "--timeout", "0.2",
        "--since", "2025-03-03", "--until", "2025-03-03", "--rate", "0", "--quiet",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (1, "")
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("pqtrack: ") for line in lines), result.stderr
    assert (
        "failed after 6 attempts (last: ConnectError: [Errno 111] Connection refused)" in (lines[0])
    )
    # five growing, jittered waits between the six attempts (no real sleeping in this test)
    assert len(waits) >= 5
    for n, wait in enumerate(waits[:5]):
        assert 0.25 * 2**n <= wait <= 0.5 * 2**n


def test_sync_gives_up_soon_with_one_line_when_the_api_is_unreachable(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    patch_client_sleep(monkeypatch, waits.append)
    result = cli("sync", "--api-url", "http://127.0.0.1:1", "--rate", "0", "--quiet")
    assert result.exit_code == 1
    assert sum(waits) < 60, f"{len(waits)} waits, {sum(waits):.0f} s of backoff"
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_sync_format_json_prints_the_summary(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeApi(small_set()) as fake:
        monkeypatch.setenv("PQTRACK_API_URL", fake.url)  # the contract's environment variable
        result = cli("sync", *RANGE, "--rate", "0", "--format", "json")
        requests = len(fake.requests)
    assert (result.exit_code, result.stderr) == (0, "")
    summary = json.loads(result.stdout)
    assert {
        "new",
        "answered",
        "corrected",
        "changed",
        "withdrawn",
        "requests",
        "seconds",
        "ok",
    } <= (set(summary))
    assert {k: summary[k] for k in ("new", "answered", "corrected", "changed", "withdrawn")} == {
        "new": 10,
        "answered": 6,
        "corrected": 1,
        "changed": 0,
        "withdrawn": 0,
    }
    assert summary["ok"] is True and summary["requests"] == requests == 12 + 10
    assert isinstance(summary["seconds"], int | float) and 0 <= summary["seconds"] < 30


def test_sync_prints_a_one_line_summary_on_stderr(cli: Cli) -> None:
    with FakeApi(small_set()) as fake:
        result = cli("sync", "--api-url", fake.url, *RANGE, "--rate", "0")
    assert (result.exit_code, result.stdout) == (0, "")
    assert re.fullmatch(
        r"synced 2025-03-03\.\.2025-03-05: 10 new, 6 answered, 1 corrected, 0 changed, "
        r"0 withdrawn; statements 0 new, 0 changed; 22 requests in \d+\.\ds\n",
        result.stderr,
    ), result.stderr


def test_sync_exits_75_while_another_sync_holds_the_lock(cli: Cli, db_path: Path) -> None:
    Store.open(db_path).close()
    with syncing.sync_lock(db_path):
        result = cli("sync", "--api-url", "http://127.0.0.1:1", *RANGE, "--quiet")
    assert (result.exit_code, result.stdout) == (75, "")
    assert re.fullmatch(
        rf"pqtrack: another sync is running on {re.escape(str(db_path))} "
        rf"\(pid {os.getpid()} since \S+\); try later\n",
        result.stderr,
    ), result.stderr
    store = Store.open(db_path)
    assert store.db.execute("SELECT count(*) FROM runs").fetchone() == (0,)
    store.close()
    assert_db_sound(db_path)


def test_a_report_counts_the_requests_of_its_own_run(store: Store) -> None:
    with FakeApi(small_set()) as fake, api_client(fake) as client:
        first = run_sync(store, client, since=date(2025, 3, 3), until=date(2025, 3, 5))
        assert first.requests == len(fake.requests) == 22
        before = len(fake.requests)
        second = run_sync(store, client, since=date(2025, 3, 3), until=date(2025, 3, 5))
        assert second.requests == len(fake.requests) - before


def test_a_sync_that_cannot_get_the_lock_leaves_the_database_alone(cli: Cli, db_path: Path) -> None:
    with syncing.sync_lock(db_path):
        result = cli("sync", "--api-url", "http://127.0.0.1:1", *RANGE, "--quiet")
    assert result.exit_code == 75
    assert not db_path.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {"answerText": 123},
            id="answerText-number",
        ),
        pytest.param(
            {"questionText": 5},
            id="questionText-number",
        ),
        pytest.param(
            {"originalAnswerText": ["x"]},
            id="originalAnswerText-list",
        ),
        pytest.param(
            {"id": "8004"},
            id="id-string",
        ),
    ],
)
def test_a_malformed_single_response_fails_its_window_cleanly(
    cli: Cli, fields: dict[str, Any]
) -> None:
    values = small_set()
    good = next(v for v in values if v["id"] == 8004)
    with FakeApi(values) as fake:

        def swap(request: Request) -> None:
            # lists show the sound value; the single endpoint serves the malformed one
            if request.path.endswith("/8004"):
                fake.upsert({**good, **fields})
            else:
                fake.upsert(good)

        fake.on_request = swap
        result = cli("sync", "--api-url", fake.url, *RANGE, "--rate", "0", "--quiet")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("pqtrack: ") for line in lines), result.stderr
    # 8004 is listed in two windows (tabled 03-04, answered 03-05): each needs its detail
    assert lines[-1] == "pqtrack: 2 of 12 windows incomplete; the next sync retries them"
    assert "question 8004 is malformed" in lines[0]
