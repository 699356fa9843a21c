"""Derived facts (fingerprints, referrals, near facts): computed once, lost on change, computed
again when their recipe changes, the same whether computed here or by worker processes."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pqtrack import facts
from pqtrack.analysis import near, referrals, repeats
from pqtrack.store import Store
from tests.bench.generate import generate


def _die(*job: object) -> Any:
    """A worker that exits at once and sends nothing."""
    os._exit(1)


def facts_of(db: Path) -> list[tuple[int, str | None, str | None, int]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM answer_facts ORDER BY question_id").fetchall()
    finally:
        conn.close()


def built(db: Path, n: int = 1500) -> Path:
    store = Store.open(db)
    store.save(((v, None) for v in generate(n, seed=5)), run_id=None)
    store.close()
    return db


def test_workers_compute_the_facts_this_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = built(tmp_path / "here.db"), built(tmp_path / "there.db")
    progress: list[tuple[str, int, int]] = []
    store = Store.open(here)
    assert facts.refresh(store) == 1500
    store.close()
    monkeypatch.setattr(facts, "WORKERS_FROM", 0)
    store = Store.open(there)
    assert facts.refresh(store, lambda *told: progress.append(told)) == 1500
    assert facts.refresh(store) == 0  # nothing left to do
    store.close()
    # told at the start, then after each worker's batch, how many of how many
    assert {(what, total) for what, _, total in progress} == {("computing answer facts", 1500)}
    done = [told[1] for told in progress]
    assert len(done) == 1 + facts.WORKERS and done == sorted(set(done))
    assert (done[0], done[-1]) == (0, 1500)
    assert facts_of(there) == facts_of(here)
    assert len(facts_of(here)) == 1500
    assert any(refs for _, _, refs, _ in facts_of(here))  # the corpus has referrals to find


def indexes_of(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def test_a_first_run_rebuilds_the_indexes_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With most facts missing, the table's indexes are dropped while the facts are written
    and built again after; stopped half-way, it leaves them as they were, and no facts."""
    db = built(tmp_path / "q.db")
    before = indexes_of(db)
    assert "answer_facts_fp" in {name for name, _ in before}
    monkeypatch.setattr(facts, "WORKERS_FROM", 0)
    monkeypatch.setattr(facts, "COMMIT_EVERY", 100)  # not used: one transaction

    def stop(what: str, done: int, total: int) -> None:
        if done == total:  # every fact written, in batches: none of them committed
            raise KeyboardInterrupt

    store = Store.open(db)
    with pytest.raises(KeyboardInterrupt):
        facts.refresh(store, stop)
    store.close()
    assert (indexes_of(db), facts_of(db)) == (before, [])
    store = Store.open(db)
    assert facts.refresh(store) == 1500
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM answer_facts WHERE answer_fp = 'x'"
    ).fetchall()
    store.close()
    assert indexes_of(db) == before
    assert "answer_facts_fp" in str(plan)


def test_workers_get_equal_shares_of_the_missing_questions(tmp_path: Path) -> None:
    store = Store.open(built(tmp_path / "q.db", 100))
    conn, kind = store.db.conn, facts.KINDS["answer"]
    ids = [qid for (qid,) in conn.execute("SELECT id FROM questions ORDER BY id")]
    cuts = [ids[100 * n // facts.WORKERS] for n in range(1, facts.WORKERS)]
    assert facts._bounds(conn, kind) == [0, *cuts, facts.MAX_INT]
    facts.refresh(store)
    none = [0] * facts.WORKERS + [facts.MAX_INT]  # none missing: every share empty
    assert facts._bounds(conn, kind) == none
    store.close()


def test_a_failing_worker_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pqtrack.errors import StoreError

    db = built(tmp_path / "q.db", 50)
    monkeypatch.setattr(facts, "WORKERS_FROM", 0)
    monkeypatch.setattr(facts, "_worker_batches", _die)  # the workers run this instead
    store = Store.open(db)
    with pytest.raises(StoreError, match=r"computing answer facts failed: exit code 1"):
        facts.refresh(store)
    store.close()


def test_a_changed_answer_loses_its_facts_until_recomputed(tmp_path: Path) -> None:
    db = built(tmp_path / "q.db", 30)
    store = Store.open(db)
    facts.refresh(store)
    value = next(v for v in generate(30, seed=5) if v.get("answerText"))
    changed = {**value, "answerText": "<p>An answer quite unlike the first one.</p>"}
    store.save([(changed, "detail")], run_id=None)
    assert facts.refresh(store) == 1
    (fp,) = store.db.execute(
        "SELECT answer_fp FROM answer_facts WHERE question_id = ?", [value["id"]]
    ).fetchone()
    assert fp == repeats.digest(repeats.normalise("An answer quite unlike the first one."))
    store.close()


def test_the_quick_look_never_hides_a_referral() -> None:
    texts = [v["answerText"] for v in generate(3000, seed=9) if v.get("answerText")]
    texts += [
        "I refer the hon. Member to the answer I gave on 3 May 2024 to Question 1234.",
        "Further to the reply of 4 June, see PQ 5678.",
        "As set out in HL1234, the scheme continues.",
        "See the written statement HCWS 12 of 5 March 2025.",
    ]
    found = 0
    for text in texts:
        if referrals.find_referrals(text):
            found += 1
            assert referrals.may_refer(repeats.normalise(text)), text
            assert referrals.may_refer(text.lower()), text
    assert found >= 4


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_repeats_with_a_limit_are_the_first_of_all_groups(tmp_path: Path, limit: int) -> None:
    """Exact repeats stop reading groups once no smaller group can rank among those shown."""
    from pqtrack.filters import Filters

    store = Store.open(built(tmp_path / "q.db", 1500))
    facts.refresh(store)
    try:
        everything = repeats.repeat_groups(store, Filters(), limit=10**6)
        assert len(everything) > 10
        assert repeats.repeat_groups(store, Filters(), limit=limit) == everything[:limit]
        lords = Filters(house="Lords")
        assert (
            repeats.repeat_groups(store, lords, limit=limit)
            == repeats.repeat_groups(store, lords, limit=10**6)[:limit]
        )
    finally:
        store.close()


def near_facts_of(db: Path) -> list[tuple[int, int | None, bytes | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM near_facts ORDER BY question_id").fetchall()
    finally:
        conn.close()


def test_near_facts_come_only_when_asked_for_and_workers_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = built(tmp_path / "here.db", 800), built(tmp_path / "there.db", 800)
    store = Store.open(here)
    assert facts.refresh(store) == 800
    assert near_facts_of(here) == []  # plain repeats never pay for them
    assert facts.refresh(store, near=True) == 800
    store.close()
    monkeypatch.setattr(facts, "WORKERS_FROM", 0)
    store = Store.open(there)
    assert facts.refresh(store, near=True) == 1600  # answer facts, then near facts
    assert facts.refresh(store, near=True) == 0
    store.close()
    assert near_facts_of(there) == near_facts_of(here)
    texts = dict(sqlite3.connect(here).execute("SELECT id, answer_text FROM questions"))
    for qid, *fact in near_facts_of(here)[:200]:
        assert tuple(fact) == near.near_facts([texts[qid]])[0][1:], qid


def test_a_changed_answer_loses_its_near_facts(tmp_path: Path) -> None:
    db = built(tmp_path / "q.db", 30)
    store = Store.open(db)
    facts.refresh(store, near=True)
    value = next(v for v in generate(30, seed=5) if v.get("answerText"))
    text = " ".join(["A wholly new answer about something else entirely"] * 6)
    store.save([({**value, "answerText": f"<p>{text}</p>"}, "detail")], run_id=None)
    assert facts.refresh(store, near=True) == 2  # its answer facts and its near facts
    (row,) = [row for row in near_facts_of(db) if row[0] == value["id"]]
    assert row[1:] == near.near_facts([text])[0][1:]
    store.close()


def test_facts_of_another_recipe_are_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind's facts are tagged with their recipe; when the code's recipe differs, they
    (and the facts built on them) are dropped and computed again, and the new tag stored."""
    store = Store.open(built(tmp_path / "q.db", 40))
    try:
        assert facts.refresh(store, near=True) == 80
        assert facts.refresh(store, near=True) == 0
        recipes = dict(store.db.execute("SELECT kind, recipe FROM fact_recipes").fetchall())
        assert recipes == {"answer": facts.ANSWER_RECIPE, "near": facts.NEAR_RECIPE}
        assert repeats.FINGERPRINT_ALGORITHM in recipes["answer"]
        new_near = dataclasses.replace(facts.KINDS["near"], recipe="near-v99")
        monkeypatch.setitem(facts.KINDS, "near", new_near)
        assert facts.refresh(store) == 0  # the answer facts' recipe has not changed
        assert facts.refresh(store, near=True) == 40  # only the near facts again
        new_answer = dataclasses.replace(facts.KINDS["answer"], recipe="fp=other")
        monkeypatch.setitem(facts.KINDS, "answer", new_answer)
        assert facts.refresh(store) == 40  # the near facts, built on them, went too
        assert store.db.execute("SELECT count(*) FROM near_facts").fetchone()[0] == 0
        assert facts.refresh(store, near=True) == 40
        recipes = dict(store.db.execute("SELECT kind, recipe FROM fact_recipes").fetchall())
        assert recipes == {"answer": "fp=other", "near": "near-v99"}
    finally:
        store.close()
