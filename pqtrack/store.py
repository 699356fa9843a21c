"""The Store: opening and migrating the database, saving observations, and the ledger of runs
and sync windows. With `writes.py` it is the only writer; every batch is one transaction.

What an observation changes is planned by the pure `versions.plan`; `writes.py` gathers the
rows the plans write, for any kind of record. Reads that answer users' questions live in
filters.py, records.py and search.py.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from pqtrack.errors import StoreError
from pqtrack.interrupts import signal_name
from pqtrack.migrations import migrations
from pqtrack.record import loads
from pqtrack.versions import Item, Stored
from pqtrack.writes import QUESTIONS, Batch, Current, RecordKind, SaveCounts, id_of

BATCH = 500
TIDY_AT_LEAST = 10_000  # records a run writes before tidy_index merges the index
TIDY_SHARE = 5  # ... and at least a fifth of the records stored
HOST = socket.gethostname()
T = TypeVar("T")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A pqtrack database. Open with `Store.open(path)`; it is migrated on opening."""

    def __init__(self, db: Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path | str, *, create_dirs: bool = False, must_exist: bool = False
    ) -> Store:
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a database file")
        if not path.parent.exists():
            if not create_dirs:
                raise StoreError(
                    f"cannot create database {path}: directory {path.parent} does not exist"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        if must_exist and not path.exists():
            raise StoreError(f"no database at {path}: run `pqtrack sync` or `pqtrack import` first")
        try:
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            db = Database(conn)
            db.execute("PRAGMA busy_timeout = 30000")
            # WAL with synchronous=NORMAL survives a killed process; only a power cut can lose
            # the last commits, never corrupt the file
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA cache_size = -65536")
            store = cls(db, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(_describe_db_error(path, exc)) from None
        return store

    def _migrate(self) -> None:
        known = {m.name for m in migrations._migrations}
        applied = {m.name for m in migrations.applied(self.db)}
        if applied - known:
            raise StoreError(
                f"{self.path} was written by a newer pqtrack"
                f" (schema {sorted(applied - known)[-1]});"
                " upgrade pqtrack to use it"
            )
        if not applied and self.db.table_names():
            raise StoreError(f"{self.path} is an SQLite database, but not a pqtrack one")
        if self.path is not None:
            self.db.enable_wal()
        migrations.apply(self.db)
        self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction: BEGIN IMMEDIATE takes the write lock up front, so a reader that
        turns writer cannot fail on a snapshot another process moved on; nested, a savepoint."""
        if self.db.conn.in_transaction:
            with self.db.atomic() as db:
                yield db
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        self.db.conn.execute("COMMIT")

    # -- runs ------------------------------------------------------------------------------

    def begin_run(self, kind: str, args: Mapping[str, Any], now: str | None = None) -> int:
        """A new run, marked running by this process; runs this host's dead processes left
        marked running are marked interrupted first (they can never finish)."""
        self._end_dead_runs()
        cursor = self.db.execute(
            "INSERT INTO runs (kind, started_at, status, args, pid, host)"
            " VALUES (?, ?, 'running', ?, ?, ?)",
            [kind, now or utc_now(), json.dumps(args, default=str), os.getpid(), HOST],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self, run_id: int, status: str, counts: Mapping[str, Any], message: str | None = None
    ) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, counts = ?, message = ? WHERE id = ?",
            [utc_now(), status, json.dumps(counts), message, run_id],
        )

    def cut_short(self, exc: BaseException, counts: Mapping[str, Any] | None = None) -> None:
        """End the run this process has under way, stopped by `exc`: the open transaction (the
        batch being written) rolls back, and the run is marked interrupted (Ctrl-C, SIGTERM)
        or failed (anything else), with `counts` of what was saved before, if given.

        It goes by this process's id, not a run id, so a run is ended even if `exc` arrived
        as it was being begun. If the database itself fails here, `exc` is what matters: the
        run stays marked running, and is shown abandoned once this process has ended."""
        if isinstance(exc, KeyboardInterrupt):
            status, message = "interrupted", f"stopped by {signal_name(exc)}"
        else:
            status, message = "failed", f"{type(exc).__name__}: {exc}"
        try:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
            self.db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = coalesce(?, counts),"
                " message = ? WHERE status = 'running' AND pid = ? AND host = ?",
                [utc_now(), status, None if counts is None else json.dumps(counts), message,
                 os.getpid(), HOST],
            )  # fmt: skip
        except sqlite3.Error:
            pass

    def _end_dead_runs(self) -> None:
        dead = [
            run_id
            for run_id, pid, host in self.db.conn.execute(
                "SELECT id, pid, host FROM runs WHERE status = 'running'"
            )
            if host == HOST and process_gone(pid, host)
        ]
        if dead:
            self.db.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ?,"
                " message = 'its process was gone'"
                f" WHERE status = 'running' AND id IN ({','.join('?' * len(dead))})",
                [utc_now(), *dead],
            )

    # -- saving ----------------------------------------------------------------------------

    def save(
        self,
        items: Iterable[Item],
        *,
        run_id: int | None,
        now: str | None = None,
        kind: RecordKind = QUESTIONS,
    ) -> SaveCounts:
        """Save observations (values with where they came from, if known, or first sights
        planned ahead) in one transaction: new versions, events, members, the search index."""
        now = now or utc_now()
        counts = SaveCounts()
        with self.transaction():
            for batch in _chunks(items, BATCH):
                writes = Batch(kind, batch, now, run_id, counts)
                current = self.current(sorted({id_of(item) for item in batch}), kind)
                for item in batch:
                    writes.add(item, current)
                writes.run(self.db.conn)
        return counts

    def tidy_index(self, written: int, kind: RecordKind = QUESTIONS) -> bool:
        """Merge the full-text index into one segment after a run that wrote a large share of
        it (a first import, a first sync): a bulk load leaves hundreds of segments, and a
        newest-first search with a selective filter, which seeks in every segment for each
        question it tests, then takes twice as long. Costs about 5 us a record (some 5 s at a
        million); small runs are left to FTS5's own automatic merging. True if it merged."""
        (records,) = self.db.conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()
        if written < TIDY_AT_LEAST or written * TIDY_SHARE < records:
            return False
        with self.transaction():
            self.db.conn.execute(f"INSERT INTO {kind.fts} ({kind.fts}) VALUES ('optimize')")
        return True

    def current(self, ids: list[int], kind: RecordKind = QUESTIONS) -> dict[int, Current]:
        """The stored version of each known id (unknown ids are left out)."""
        out: dict[int, Current] = {}
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            sql = kind.sql["current"].format(marks=",".join("?" * len(chunk)))
            rows = self.db.conn.execute(sql, chunk)
            for qid, record, source, version, truncated, seen_at, *indexed in rows:
                stored = Stored(loads(record), source, version, bool(truncated))
                out[qid] = Current(stored, tuple(indexed), seen_at)
        return out

    def count_truncated(self) -> int:
        """Questions and statements whose text is still a list's cut copy."""
        return int(
            self.db.conn.execute(
                "SELECT (SELECT count(*) FROM questions WHERE truncated)"
                " + (SELECT count(*) FROM statements WHERE truncated)"
            ).fetchone()[0]
        )

    # -- the sync ledger -------------------------------------------------------------------

    def set_run_args(self, run_id: int, args: Mapping[str, Any]) -> None:
        self.db.execute("UPDATE runs SET args = ? WHERE id = ?", [json.dumps(args), run_id])

    def interrupt_running(self, kind: str) -> None:
        """Runs of `kind` still marked running were cut short: no other can be under way."""
        self.db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE kind = ?"
            " AND status = 'running'",
            [utc_now(), kind],
        )

    def completed_until(self, scope: str) -> str | None:
        """The last day of the latest sync that completed every window of `scope` (its key)."""
        for (args_text,) in self.db.conn.execute(
            "SELECT args FROM runs WHERE kind = 'sync' AND status IN ('ok', 'partial')"
            " ORDER BY id DESC"
        ):
            done = json.loads(args_text or "{}").get("complete", {})
            if scope in done:
                return str(done[scope])
        return None

    def unfinished_windows(self, scope: str) -> list[tuple[str, str]]:
        """(kind, day) of the windows of `scope` not yet done, oldest first."""
        return list(
            self.db.conn.execute(
                "SELECT kind, day FROM sync_windows WHERE scope = ? AND status != 'done'"
                " ORDER BY day",
                [scope],
            )
        )

    def open_question_days(self, since: str, before: str) -> list[str]:
        """Days in [since, before) on which questions still unanswered or holding were tabled."""
        return [
            day
            for (day,) in self.db.conn.execute(
                "SELECT DISTINCT date_tabled FROM questions WHERE status IN ('unanswered',"
                " 'holding') AND date_tabled >= ? AND date_tabled < ? ORDER BY date_tabled",
                [since, before],
            )
        ]

    def tabled_on(self, day: str) -> list[tuple[int, str | None, int | None]]:
        """(id, house, answering body id) of the questions tabled on `day`, not withdrawn."""
        return list(
            self.db.conn.execute(
                "SELECT id, house, answering_body_id FROM questions WHERE date_tabled = ?"
                " AND status != 'withdrawn'",
                [day],
            )
        )

    def mark_window(self, kind: str, day: str, scope: str, status: str, run_id: int,
                    **facts: Any) -> None:  # fmt: skip
        """Record how a window went: status, and `total`, `seen`, `details` or `error`."""
        self.db.execute(
            "INSERT INTO sync_windows (kind, day, scope, status, total_results, rows_seen,"
            " details, error, fetched_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (kind, day, scope) DO UPDATE SET status = excluded.status,"
            " total_results = excluded.total_results, rows_seen = excluded.rows_seen,"
            " details = excluded.details, error = excluded.error,"
            " fetched_at = excluded.fetched_at, run_id = excluded.run_id",
            [kind, day, scope, status, facts.get("total"), facts.get("seen"),
             facts.get("details"), facts.get("error"), utc_now(), run_id],
        )  # fmt: skip

    def ledger(self) -> dict[str, Any]:
        """The last good sync, the latest one, coverage per kind, and windows not done."""
        conn = self.db.conn
        last = conn.execute(
            "SELECT started_at, finished_at, args, counts FROM runs WHERE kind = 'sync'"
            " AND status = 'ok' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        latest = conn.execute(
            "SELECT id, started_at, finished_at, status, counts, pid, host FROM runs"
            " WHERE kind = 'sync' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        coverage = conn.execute(
            "SELECT kind, scope, min(day), max(day), count(*) FROM sync_windows"
            " WHERE status = 'done' GROUP BY kind, scope ORDER BY scope, kind"
        )
        incomplete = conn.execute(
            "SELECT kind, day, scope, status, error, fetched_at FROM sync_windows"
            " WHERE status != 'done' ORDER BY day, kind"
        )
        return {
            "last_success": None
            if last is None
            else {
                "started_at": last[0],
                "finished_at": last[1],
                **json.loads(last[2] or "{}"),
                "counts": json.loads(last[3] or "{}"),
            },
            "latest_run": None
            if latest is None
            else {
                "id": latest[0],
                "started_at": latest[1],
                "finished_at": latest[2],
                "status": run_status(latest[3], latest[5], latest[6]),
                "counts": json.loads(latest[4] or "{}"),
                "pid": latest[5],
                "host": latest[6],
            },
            "coverage": [
                {"kind": k, "scope": s, "first_day": a, "last_day": b, "windows": n}
                for k, s, a, b, n in coverage
            ],
            "incomplete": [
                {"kind": k, "day": d, "scope": s, "status": st, "error": e, "fetched_at": f}
                for k, d, s, st, e, f in incomplete
            ],
            "questions": conn.execute("SELECT count(*) FROM questions").fetchone()[0],
            "statements": conn.execute("SELECT count(*) FROM statements").fetchone()[0],
            "truncated": self.count_truncated(),
        }


def run_status(status: str, pid: int | None, host: str | None) -> str:
    """A run's status as it stands: one still marked running whose process is gone is
    abandoned (it will never finish; the next run marks it interrupted)."""
    return "abandoned" if status == "running" and process_gone(pid, host) else status


def process_gone(pid: int | None, host: str | None) -> bool:
    """Whether the process that began a run is certainly gone: it ran on this host and no
    process has its id now, or the run is from before runs recorded their process. A run
    of another host is never taken for gone (its process cannot be seen from here); nor is
    one whose process id a new process has taken since (rare: it is shown running until it
    ends, and blocks nothing meanwhile)."""
    if pid is None:
        return True
    if host != HOST:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _describe_db_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "file is not a database" in text:
        return f"{path} is not an SQLite database"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"cannot write database {path}: {text}"
    return f"database {path}: {text}"
