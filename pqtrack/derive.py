"""Answer facts: the fingerprint `repeats` groups by and the referrals `show` and `stats` use,
computed from each question's current answer when first needed.

Many missing facts (a first `repeats` over a large database) are computed by two worker
processes, `python -m pqtrack.derive DB AFTER UPTO`, each taking half of the questions and
writing their facts itself in short transactions: on two cores about twice as fast, and the
writes are small beside the text analysis.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from pqtrack import referrals, repeats
from pqtrack.errors import StoreError

Progress = Callable[[int], None]

BATCH = 5000
WORKERS = 2
WORKERS_FROM = 50_000  # missing facts from which workers are worth starting
_LAST_ID = 2**63 - 1

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


def derive_range(
    conn: sqlite3.Connection,
    after: int = 0,
    upto: int = _LAST_ID,
    progress: Progress | None = None,
) -> int:
    """Compute and store the missing facts of questions with after < id <= upto."""
    done = 0
    while True:
        rows = conn.execute(
            "SELECT id, answer_text, date_answered FROM questions q"
            f" WHERE id > ? AND id <= ? AND {_MISSING} ORDER BY id LIMIT {BATCH}",
            [after, upto],
        ).fetchall()
        if not rows:
            return done
        found = facts(rows)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR REPLACE INTO answer_facts (question_id, answer_fp, referrals)"
                " VALUES (?, ?, ?)",
                found,
            )
        except BaseException:
            conn.rollback()
            raise
        conn.execute("COMMIT")
        done, after = done + len(rows), rows[-1][0]
        if progress:
            progress(len(rows))


def derive_all(
    conn: sqlite3.Connection, path: Path | None, progress: Progress | None = None
) -> int:
    """Compute every missing fact: here, or in worker processes when there are many."""
    missing = missing_count(conn)
    if missing == 0:
        return 0
    if missing < WORKERS_FROM or path is None:
        return derive_range(conn, progress=progress)
    bounds = [0]
    for n in range(1, WORKERS):
        (split,) = conn.execute(
            f"SELECT id FROM questions q WHERE {_MISSING} ORDER BY id LIMIT 1 OFFSET ?",
            [missing * n // WORKERS],
        ).fetchone()
        bounds.append(split)
    bounds.append(_LAST_ID)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "pqtrack.derive", str(path), str(lo), str(hi)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    lock = threading.Lock()

    def follow(worker: subprocess.Popen[str]) -> None:
        assert worker.stdout is not None
        for line in worker.stdout:  # one line per batch written: its size
            if progress and line.strip().isdigit():
                with lock:
                    progress(int(line))

    readers = [threading.Thread(target=follow, args=(w,), daemon=True) for w in workers]
    for reader in readers:
        reader.start()
    failures = []
    for worker, reader in zip(workers, readers, strict=True):
        reader.join()
        _, errors = worker.communicate()
        if worker.returncode != 0:
            last = (errors or "").strip().splitlines()
            failures.append(last[-1] if last else f"exit code {worker.returncode}")
    if failures:
        raise StoreError(f"computing answer facts failed: {failures[0]}")
    return missing


def _main(argv: list[str]) -> int:
    path, after, upto = argv[0], int(argv[1]), int(argv[2])
    parent = os.getppid()
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 60000")

    def report(n: int) -> None:
        if os.getppid() != parent:  # the process that started us is gone: stop
            raise SystemExit(1)
        print(n, flush=True)

    try:
        derive_range(conn, after, upto, report)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_main(sys.argv[1:]))
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(1)
