"""Facts derived from each question's current answer, stored, tagged by the recipe that made
them, and computed when first needed:

- answer facts (`answer_facts`): the fingerprint `repeats` groups by, the referrals `show`
  and `stats` use, the word count;
- near facts (`near_facts`): what `repeats --near` matches by (analysis.near.NearFacts),
  computed only once near repeats are first asked for.

`fact_recipes` keeps, per kind, the recipe its stored facts were made by (the fingerprint
algorithm among them); when the code's recipe differs, that kind's facts (and those built on
them) are dropped and computed again. The store drops a question's facts when its answer
changes. The commands that read facts call `refresh` first; the store never imports this.

Many missing facts (a first `repeats` over a large database) are computed by WORKERS worker
processes (pqtrack.workers), each reading a share of the questions and sending their facts
back: on two cores about twice as fast. This process alone writes them.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pqtrack import workers
from pqtrack.analysis import near, referrals, repeats
from pqtrack.errors import StoreError
from pqtrack.question import LIST_CUT
from pqtrack.record import MAX_INT

if TYPE_CHECKING:  # types only: a worker process importing this module stays light
    from pqtrack.store import Store

Progress = Callable[[str, int, int], None]  # (what is being computed, how many done, of how many)

BATCH = 5000
COMMIT_EVERY = 100_000  # facts per transaction: each commit costs a checkpoint
WORKERS = 2
WORKERS_FROM = 50_000  # missing facts from which workers are worth starting

Row = tuple[Any, ...]  # a row of the kind's query
FactRows = list[tuple[Any, ...]]
Known = dict[Any, Any]  # what a computation keeps between batches of one run


def answer_facts(rows: list[Row], known: Known) -> FactRows:
    """(id, fingerprint, referrals JSON, word count) for each (id, plain answer text, date
    answered, truncated) row. A cut answer has no fingerprint: it would group with other cut
    copies that agree only in their first 255 characters."""
    out: FactRows = []
    for qid, text, answered, truncated in rows:
        if not text:
            out.append((qid, None, None, 0))
            continue
        normalised, refs = repeats.normalise(text), None
        if referrals.may_refer(normalised):
            day = date.fromisoformat(answered) if answered else None
            found = referrals.find_referrals(text, answered_on=day)
            refs = json.dumps([asdict(r) for r in found]) if found else None
        fp = None if _is_cut(text, truncated) else repeats.digest(normalised)
        out.append((qid, fp, refs, repeats.word_count(normalised)))
    return out


def _is_cut(text: str, truncated: int) -> bool:
    """The answer of a question whose texts are not all whole (the question text may be the
    cut one) is the list's cut copy when it ends as one: 255 characters and '...'."""
    return bool(truncated) and len(text) <= LIST_CUT + 3 and text.endswith("...")


_KNOWN_MAX = 20_000  # texts whose near facts a run keeps: boilerplate recurs


def near_facts(rows: list[Row], known: Known) -> FactRows:
    """(id, name key, sketch) for each (id, plain answer text, word count, fingerprint)
    row: see analysis.near.NearFacts. An answer without a fingerprint (none, or cut) has none."""
    todo = {(text, tokens) for _, text, tokens, fp in rows if fp is not None}
    if len(known) + len(todo) > _KNOWN_MAX:
        known.clear()
    todo.difference_update(known)
    texts, tokens = zip(*todo, strict=True) if todo else ((), ())
    known.update(zip(todo, near.near_facts(texts, tokens), strict=True))
    return [
        (qid, *(known[text, tokens][1:] if fp is not None else (None, None)))
        for qid, text, tokens, fp in rows
    ]


@dataclass(frozen=True)
class Kind:
    """One kind of derived facts: its table (keyed by question_id), the question columns its
    computation reads, the computation, and the recipe its facts are tagged with."""

    name: str
    table: str
    columns: tuple[str, ...]
    reads: str  # SELECT ... FROM questions q [JOIN ...]
    compute: Callable[[list[Row], Known], FactRows]
    recipe: str
    after: tuple[str, ...] = ()  # the kinds whose facts it reads: theirs go, its go too

    @property
    def missing(self) -> str:
        return f"NOT EXISTS (SELECT 1 FROM {self.table} d WHERE d.question_id = q.id)"


# The recipes: change one whenever what its code computes changes.
ANSWER_RECIPE = f"fp={repeats.FINGERPRINT_ALGORITHM}; refs={referrals.RECIPE}; words=v1"
NEAR_RECIPE = near.RECIPE

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "answer",
            "answer_facts",
            ("answer_fp", "referrals", "tokens"),
            "SELECT q.id, q.answer_text, q.date_answered, q.truncated FROM questions q",
            answer_facts,
            ANSWER_RECIPE,
        ),
        Kind(  # after the answer facts, whose word count and fingerprint it reads
            "near",
            "near_facts",
            ("name_key", "sketch"),
            "SELECT q.id, q.answer_text, f.tokens, f.answer_fp FROM questions q"
            " JOIN answer_facts f ON f.question_id = q.id",
            near_facts,
            NEAR_RECIPE,
            after=("answer",),
        ),
    )
}


def refresh(store: Store, progress: Progress | None = None, *, near: bool = False) -> int:
    """Compute the answer facts (fingerprint, referrals, word count) that are missing, and
    with `near` the near facts too; return how many. `progress` is told what, how many done,
    of how many. Facts made by another recipe are dropped and computed again first."""
    kinds = [KINDS["answer"], KINDS["near"]] if near else [KINDS["answer"]]
    _retag(store)
    return sum(derive_all(store, kind, progress) for kind in kinds)


def _retag(store: Store) -> None:
    """Drop the facts of every kind whose stored recipe is not the code's (and of the kinds
    built on them), and record the code's recipes."""
    conn = store.db.conn
    stored = dict(conn.execute("SELECT kind, recipe FROM fact_recipes").fetchall())
    stale = {name for name, kind in KINDS.items() if stored.get(name) != kind.recipe}
    stale |= {name for name, kind in KINDS.items() if stale & set(kind.after)}
    if not stale:
        return
    with store.transaction():
        for name in sorted(stale):
            conn.execute(f"DELETE FROM {KINDS[name].table}")
            conn.execute(
                "INSERT OR REPLACE INTO fact_recipes (kind, recipe) VALUES (?, ?)",
                [name, KINDS[name].recipe],
            )


def missing_count(conn: sqlite3.Connection, kind: Kind) -> int:
    # Facts are only written for questions, and questions are never deleted: as many facts
    # as questions means none is missing (two quick counts instead of a scan of every id).
    if _count(conn, kind.table) == _count(conn, "questions"):
        return 0
    sql = f"SELECT count(*) FROM questions q WHERE {kind.missing}"
    return int(conn.execute(sql).fetchone()[0])


def missing_batches(
    conn: sqlite3.Connection, kind: Kind, after: int = 0, upto: int = MAX_INT
) -> Generator[FactRows, None, None]:
    """The facts of questions with after < id <= upto that have none, a batch at a time."""
    known: Known = {}
    while True:
        rows = conn.execute(
            f"{kind.reads} WHERE q.id > ? AND q.id <= ? AND {kind.missing}"
            f" ORDER BY q.id LIMIT {BATCH}",
            [after, upto],
        ).fetchall()
        if not rows:
            return
        yield kind.compute(rows, known)
        after = rows[-1][0]


def _write(conn: sqlite3.Connection, kind: Kind, found: FactRows) -> None:
    columns = ", ".join(("question_id", *kind.columns))
    marks = ", ".join("?" * (1 + len(kind.columns)))
    conn.executemany(f"INSERT OR REPLACE INTO {kind.table} ({columns}) VALUES ({marks})", found)


def derive_all(store: Store, kind: Kind, progress: Progress | None = None) -> int:
    """Compute and store every missing fact of this kind: here, or, when there are many, in
    worker processes that stream their facts back while this process writes them (one writer,
    so no waiting on each other's locks). Commits come every COMMIT_EVERY questions.

    When most of the table's facts are missing (a first run), its indexes are dropped and
    built again after: sorting once beats inserting each fact into them (at a million answer
    facts, half this process's CPU). That happens in one transaction, so that an interrupted
    run leaves the indexes (and no facts) behind."""
    conn = store.db.conn
    missing = missing_count(conn, kind)
    if missing == 0:
        return 0
    what = f"computing {kind.name} facts"
    if progress:
        progress(what, 0, missing)
    batches: Generator[FactRows, None, None]
    if missing < WORKERS_FROM or store.path is None:
        batches = missing_batches(conn, kind)
        rebuilt: list[tuple[str, str]] = []
    else:
        batches = _from_workers(conn, store.path, kind)
        rebuilt = _indexes(conn, kind) if missing > _count(conn, kind.table) else []
    every = MAX_INT if rebuilt else COMMIT_EVERY
    done = 0
    try:
        while True:
            with store.transaction():
                for name, _ in rebuilt:
                    conn.execute(f"DROP INDEX {name}")
                written = 0
                for found in batches:
                    _write(conn, kind, found)
                    written += len(found)
                    if progress:
                        progress(what, done + written, missing)
                    if written >= every:
                        break
                for _, sql in rebuilt:
                    conn.execute(sql)
            done += written
            if written < every:
                return done
    finally:
        batches.close()  # stopped early: the workers end at once


def _indexes(conn: sqlite3.Connection, kind: Kind) -> list[tuple[str, str]]:
    """The name and SQL of each index of the kind's table (but its primary key's)."""
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY name",
        [kind.table],
    ).fetchall()


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _bounds(conn: sqlite3.Connection, kind: Kind) -> list[int]:
    """Ids that cut the questions missing facts into WORKERS equal shares (lo, hi]. The ids
    come from a scan of an index (SQLite picks the smallest, and any holds every id), not
    from the table in id order, which reads pages of the whole table: 3 s from a cold cache
    at a million questions."""
    import numpy as np

    found = conn.execute(f"SELECT q.id FROM questions q WHERE {kind.missing}")
    ids = np.sort(np.fromiter((qid for (qid,) in found), dtype=np.int64))
    if not len(ids):  # another process has just computed them
        return [0] * WORKERS + [MAX_INT]
    return [0, *(int(ids[len(ids) * n // WORKERS]) for n in range(1, WORKERS)), MAX_INT]


def _from_workers(
    conn: sqlite3.Connection, path: Any, kind: Kind
) -> Generator[FactRows, None, None]:
    """Batches of facts from WORKERS processes, each computing a share of the questions."""
    bounds = _bounds(conn, kind)
    jobs = [(str(path), lo, hi, kind.name) for lo, hi in zip(bounds, bounds[1:], strict=False)]
    try:
        yield from workers.stream(_worker_batches, jobs)
    except Exception as exc:  # a worker's failure, whatever it was, fails the command
        raise StoreError(f"computing {kind.name} facts failed: {exc}") from None


def _worker_batches(path: str, after: int, upto: int, kind: str) -> Iterator[FactRows]:
    """A worker: the facts of its share of the questions, read read-only."""
    gc.disable()  # it makes no reference cycles, and collecting them cost 3-5% of its time
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=60)
    try:
        yield from missing_batches(conn, KINDS[kind], after, upto)
    finally:
        conn.close()
