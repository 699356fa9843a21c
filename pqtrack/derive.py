"""Answer facts: the fingerprint `repeats` groups by and the referrals `show` and `stats` use,
computed from each question's current answer when first needed.

Many missing facts (a first `repeats` over a large database) are computed by two worker
processes, `python -m pqtrack.derive DB AFTER UPTO`, each reading half of the questions and
sending their facts back: on two cores about twice as fast. This process alone writes them.
"""

from __future__ import annotations

import json
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pqtrack import referrals, repeats
from pqtrack.errors import StoreError
from pqtrack.models import MAX_INT

Progress = Callable[[int], None]

BATCH = 5000
COMMIT_EVERY = 100_000  # facts per transaction: each commit costs a checkpoint
WORKERS = 2
WORKERS_FROM = 50_000  # missing facts from which workers are worth starting

_MISSING = "NOT EXISTS (SELECT 1 FROM answer_facts f WHERE f.question_id = q.id)"


def facts(rows: list[tuple[int, str | None, str | None]]) -> list[tuple[int, Any, Any]]:
    """(id, fingerprint, referrals JSON) for (id, plain answer text, date answered) rows."""
    out: list[tuple[int, Any, Any]] = []
    for qid, text, answered in rows:
        if not text:
            out.append((qid, None, None))
            continue
        normalised, refs = repeats.normalise(text), None
        if referrals.may_refer(normalised):
            day = date.fromisoformat(answered) if answered else None
            found = referrals.find_referrals(text, answered_on=day)
            refs = json.dumps([asdict(r) for r in found]) if found else None
        out.append((qid, repeats.digest(normalised), refs))
    return out


def missing_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute(f"SELECT count(*) FROM questions q WHERE {_MISSING}").fetchone()[0])


def missing_batches(
    conn: sqlite3.Connection, after: int = 0, upto: int = MAX_INT
) -> Iterator[list[tuple[int, Any, Any]]]:
    """The facts of questions with after < id <= upto that have none, a batch at a time."""
    while True:
        rows = conn.execute(
            "SELECT id, answer_text, date_answered FROM questions q"
            f" WHERE id > ? AND id <= ? AND {_MISSING} ORDER BY id LIMIT {BATCH}",
            [after, upto],
        ).fetchall()
        if not rows:
            return
        yield facts(rows)
        after = rows[-1][0]


def _write(conn: sqlite3.Connection, found: list[tuple[int, Any, Any]]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO answer_facts (question_id, answer_fp, referrals) VALUES (?, ?, ?)",
        found,
    )


def derive_all(
    conn: sqlite3.Connection,
    path: Path | None,
    progress: Progress | None = None,
    transaction: Callable[[], AbstractContextManager[Any]] | None = None,
) -> int:
    """Compute and store every missing fact: here, or, when there are many, in worker
    processes that stream their facts back while this process writes them (one writer, so
    no waiting on each other's locks). Commits come every COMMIT_EVERY questions."""
    missing = missing_count(conn)
    if missing == 0:
        return 0
    if missing < WORKERS_FROM or path is None:
        batches: Iterator[list[tuple[int, Any, Any]]] = missing_batches(conn)
    else:
        batches = _from_workers(conn, path, missing)
    begin = transaction or (lambda: _transaction(conn))
    done = 0
    while True:
        with begin():
            written = 0
            for found in batches:
                _write(conn, found)
                written += len(found)
                if progress:
                    progress(len(found))
                if written >= COMMIT_EVERY:
                    break
        done += written
        if written < COMMIT_EVERY:
            return done


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")


def _from_workers(
    conn: sqlite3.Connection, path: Path, missing: int
) -> Iterator[list[tuple[int, Any, Any]]]:
    """Batches of facts from WORKERS processes, each computing a share of the questions."""
    bounds = [0]
    for n in range(1, WORKERS):
        (split,) = conn.execute(
            f"SELECT id FROM questions q WHERE {_MISSING} ORDER BY id LIMIT 1 OFFSET ?",
            [missing * n // WORKERS],
        ).fetchone()
        bounds.append(split)
    bounds.append(MAX_INT)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "pqtrack.derive", str(path), str(lo), str(hi)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    arrived: queue.Queue[list[tuple[int, Any, Any]] | None] = queue.Queue(maxsize=8)

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
        raise StoreError(f"computing answer facts failed: {failures[0]}")


def _main(argv: list[str]) -> int:
    """A worker: read the questions (read-only), write their facts to stdout, pickled."""
    path, after, upto = argv[0], int(argv[1]), int(argv[2])
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=60)
    try:
        with open(sys.stdout.fileno(), "wb", closefd=False) as out:
            for found in missing_batches(conn, after, upto):
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
