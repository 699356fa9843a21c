"""Facts derived from each question's current answer, computed when first needed:

- answer facts (`answer_facts`): the fingerprint `repeats` groups by and the referrals `show`
  and `stats` use;
- near facts (`near_facts`): what `repeats --near` matches by (repeats.NearFacts), computed
  only once near repeats are first asked for.

Many missing facts (a first `repeats` over a large database) are computed by two worker
processes, `python -m pqtrack.derive DB AFTER UPTO KIND`, each reading half of the questions
and sending their facts back: on two cores about twice as fast. This process alone writes them.
"""

from __future__ import annotations

import gc
import json
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pqtrack import referrals, repeats
from pqtrack.errors import StoreError
from pqtrack.question import LIST_CUT
from pqtrack.record import MAX_INT

Progress = Callable[[str, int, int], None]  # (what is being computed, how many done, of how many)

BATCH = 5000
COMMIT_EVERY = 100_000  # facts per transaction: each commit costs a checkpoint
WORKERS = 2
WORKERS_FROM = 50_000  # missing facts from which workers are worth starting

Row = tuple[Any, ...]  # a row of the kind's query
FactRows = list[tuple[Any, ...]]


def facts(rows: list[Row]) -> FactRows:
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


_KNOWN: dict[tuple[str, int], repeats.NearFacts] = {}  # a worker's recent texts: boilerplate recurs
_KNOWN_MAX = 20_000


def near(rows: list[Row]) -> FactRows:
    """(id, name key, sketch) for each (id, plain answer text, word count, fingerprint)
    row: see repeats.NearFacts. An answer without a fingerprint (none, or cut) has none."""
    todo = {(text, tokens) for _, text, tokens, fp in rows if fp is not None}
    if len(_KNOWN) + len(todo) > _KNOWN_MAX:
        _KNOWN.clear()
    todo.difference_update(_KNOWN)
    texts, tokens = zip(*todo, strict=True) if todo else ((), ())
    _KNOWN.update(zip(todo, repeats.near_facts(texts, tokens), strict=True))
    return [
        (qid, *(_KNOWN[text, tokens][1:] if fp is not None else (None, None)))
        for qid, text, tokens, fp in rows
    ]


@dataclass(frozen=True)
class Kind:
    """One kind of derived facts: its table (keyed by question_id), the question columns its
    computation reads, and the computation."""

    name: str
    table: str
    columns: tuple[str, ...]
    reads: str  # SELECT ... FROM questions q [JOIN ...]
    compute: Callable[[list[Row]], FactRows]

    @property
    def missing(self) -> str:
        return f"NOT EXISTS (SELECT 1 FROM {self.table} d WHERE d.question_id = q.id)"


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "answer",
            "answer_facts",
            ("answer_fp", "referrals", "tokens"),
            "SELECT q.id, q.answer_text, q.date_answered, q.truncated FROM questions q",
            facts,
        ),
        Kind(  # after the answer facts, whose word count and fingerprint it reads
            "near",
            "near_facts",
            ("name_key", "sketch"),
            "SELECT q.id, q.answer_text, f.tokens, f.answer_fp FROM questions q"
            " JOIN answer_facts f ON f.question_id = q.id",
            near,
        ),
    )
}


def missing_count(conn: sqlite3.Connection, kind: Kind) -> int:
    # Facts are only written for questions, and questions are never deleted: as many facts
    # as questions means none is missing (two quick counts instead of a scan of every id).
    if _count(conn, kind.table) == _count(conn, "questions"):
        return 0
    sql = f"SELECT count(*) FROM questions q WHERE {kind.missing}"
    return int(conn.execute(sql).fetchone()[0])


def missing_batches(
    conn: sqlite3.Connection, kind: Kind, after: int = 0, upto: int = MAX_INT
) -> Iterator[FactRows]:
    """The facts of questions with after < id <= upto that have none, a batch at a time."""
    while True:
        rows = conn.execute(
            f"{kind.reads} WHERE q.id > ? AND q.id <= ? AND {kind.missing}"
            f" ORDER BY q.id LIMIT {BATCH}",
            [after, upto],
        ).fetchall()
        if not rows:
            return
        yield kind.compute(rows)
        after = rows[-1][0]


def _write(conn: sqlite3.Connection, kind: Kind, found: FactRows) -> None:
    columns = ", ".join(("question_id", *kind.columns))
    marks = ", ".join("?" * (1 + len(kind.columns)))
    conn.executemany(f"INSERT OR REPLACE INTO {kind.table} ({columns}) VALUES ({marks})", found)


def derive_all(
    conn: sqlite3.Connection,
    path: Path | None,
    progress: Progress | None = None,
    transaction: Callable[[], AbstractContextManager[Any]] | None = None,
    kind: Kind = KINDS["answer"],
) -> int:
    """Compute and store every missing fact of this kind: here, or, when there are many, in
    worker processes that stream their facts back while this process writes them (one writer,
    so no waiting on each other's locks). Commits come every COMMIT_EVERY questions.

    When most of the table's facts are missing (a first run), its indexes are dropped and
    built again after: sorting once beats inserting each fact into them (at a million answer
    facts, half this process's CPU). That happens in one transaction, so that an interrupted
    run leaves the indexes (and no facts) behind."""
    missing = missing_count(conn, kind)
    if missing == 0:
        return 0
    what = f"computing {kind.name} facts"
    if progress:
        progress(what, 0, missing)
    if missing < WORKERS_FROM or path is None:
        batches = missing_batches(conn, kind)
        rebuilt: list[tuple[str, str]] = []
    else:
        batches = _from_workers(conn, path, kind)
        rebuilt = _indexes(conn, kind) if missing > _count(conn, kind.table) else []
    every = MAX_INT if rebuilt else COMMIT_EVERY
    begin = transaction or (lambda: _transaction(conn))
    done = 0
    while True:
        with begin():
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


def _indexes(conn: sqlite3.Connection, kind: Kind) -> list[tuple[str, str]]:
    """The name and SQL of each index of the kind's table (but its primary key's)."""
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY name",
        [kind.table],
    ).fetchall()


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")


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


def _from_workers(conn: sqlite3.Connection, path: Path, kind: Kind) -> Iterator[FactRows]:
    """Batches of facts from WORKERS processes, each computing a share of the questions."""
    bounds = _bounds(conn, kind)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "pqtrack.derive", str(path), str(lo), str(hi), kind.name],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    arrived: queue.Queue[FactRows | None] = queue.Queue(maxsize=8)

    def follow(worker: subprocess.Popen[bytes]) -> None:
        assert worker.stdout is not None
        try:
            while True:
                arrived.put(pickle.load(worker.stdout))
        except (EOFError, pickle.UnpicklingError, OSError):
            arrived.put(None)  # this worker is done (or gone: its exit code tells)

    readers = [threading.Thread(target=follow, args=(w,), daemon=True) for w in workers]
    for reader in readers:
        reader.start()
    try:
        running = len(workers)
        while running:
            batch = arrived.get()
            if batch is None:
                running -= 1
            else:
                yield batch
    finally:
        for worker in workers:
            if worker.poll() is None and running:
                worker.kill()  # stopped early: the facts not written are computed next time
        failures = []
        for worker in workers:
            _, errors = worker.communicate()
            if worker.returncode not in (0, -9):
                last = errors.decode(errors="replace").strip().splitlines()
                failures.append(last[-1] if last else f"exit code {worker.returncode}")
        while any(reader.is_alive() for reader in readers):  # unblock their last put
            with suppress(queue.Empty):
                arrived.get(timeout=0.05)
    if failures:
        raise StoreError(f"computing {kind.name} facts failed: {failures[0]}")


def _main(argv: list[str]) -> int:
    """A worker: read the questions (read-only), write their facts to stdout, pickled."""
    path, after, upto, kind = argv[0], int(argv[1]), int(argv[2]), KINDS[argv[3]]
    gc.disable()  # it makes no reference cycles, and collecting them cost 3-5% of its time
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=60)
    try:
        with open(sys.stdout.fileno(), "wb", closefd=False) as out:
            for found in missing_batches(conn, kind, after, upto):
                out.write(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
                out.flush()
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_main(sys.argv[1:]))
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(1)
