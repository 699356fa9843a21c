"""The Store: opening the database and saving observed values as versions, members and events.

Reads that answer users' questions (filters, search, history) live in `queries.py`; this module
owns every write. Every batch is one explicit transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from pqtrack import models
from pqtrack.errors import StoreError
from pqtrack.events import events_between
from pqtrack.merge import Item, Merged, Prepared, Source, json_or_none, merge
from pqtrack.migrations import migrations
from pqtrack.models import Value

BATCH = 500
T = TypeVar("T")

_QUESTION_COLUMNS = (
    *models.to_row({"id": 0}).keys(),
    "truncated",
    "version",
    "content_hash",
    "first_seen",
    "last_seen",
    "last_changed",
)
_UPSERT_QUESTION = (
    "INSERT INTO questions ({cols}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {sets}".format(
        cols=", ".join(_QUESTION_COLUMNS),
        marks=", ".join(f":{c}" for c in _QUESTION_COLUMNS),
        sets=", ".join(
            f"{c} = excluded.{c}" for c in _QUESTION_COLUMNS if c not in ("id", "first_seen")
        ),
    )
)


@dataclass
class Stored:
    """A question's current version as stored, and the texts its search index row holds."""

    value: Value
    source: Source
    version: int
    indexed: tuple[Any, ...]  # (heading, question_text, answer_text)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class SaveCounts:
    new: int = 0
    changed: int = 0
    filled: int = 0
    unchanged: int = 0
    truncated: int = 0  # saved questions whose text is still a list's cut copy
    events: dict[str, int] = field(default_factory=dict)
    changed_ids: list[int] = field(default_factory=list)

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.changed += other.changed
        self.filled += other.filled
        self.unchanged += other.unchanged
        self.truncated += other.truncated
        for k, v in other.events.items():
            self.events[k] = self.events.get(k, 0) + v
        self.changed_ids.extend(other.changed_ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "changed": self.changed,
            "filled": self.filled,
            "unchanged": self.unchanged,
            "truncated": self.truncated,
            "events": dict(sorted(self.events.items())),
        }


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

    @classmethod
    def memory(cls) -> Store:
        store = cls(Database(memory=True))
        store._migrate()
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
        cursor = self.db.execute(
            "INSERT INTO runs (kind, started_at, status, args) VALUES (?, ?, 'running', ?)",
            [kind, now or utc_now(), json.dumps(args, default=str)],
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

    # -- saving ----------------------------------------------------------------------------

    def save_values(
        self,
        items: Iterable[Item],
        *,
        run_id: int | None,
        now: str | None = None,
    ) -> SaveCounts:
        """Save observed values (each with where it came from, if known) in one transaction."""
        now = now or utc_now()
        counts = SaveCounts()
        with self.transaction():
            for batch in _chunks(items, BATCH):
                ids = {item.id if isinstance(item, Prepared) else item[0]["id"] for item in batch}
                current = self._current(sorted(ids))
                plan_counts, ops = self._plan_batch(batch, current, run_id, now)
                counts.add(plan_counts)
                for sql, rows in ops:
                    self.db.conn.executemany(sql, rows)
        return counts

    def _current(self, ids: list[int], conn: sqlite3.Connection | None = None) -> dict[int, Stored]:
        marks = ",".join("?" * len(ids))
        rows = (conn or self.db.conn).execute(
            f"SELECT v.question_id, v.record, v.source, v.version, q.heading, q.question_text,"
            f" q.answer_text FROM questions q"
            f" JOIN versions v ON v.question_id = q.id AND v.version = q.version"
            f" WHERE q.id IN ({marks})",
            ids,
        )
        return {
            qid: Stored(models.loads(rec), src, ver, (head, question, answer))
            for qid, rec, src, ver, head, question, answer in rows
        }

    def current_values(self, ids: list[int]) -> dict[int, tuple[Value, Source, bool]]:
        """The stored value of each known id, where its texts came from, and if still cut."""
        out: dict[int, tuple[Value, Source, bool]] = {}
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            truncated = dict(
                self.db.conn.execute(
                    "SELECT id, truncated FROM questions"
                    f" WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
            for qid, stored in self._current(chunk).items():
                out[qid] = (stored.value, stored.source, bool(truncated.get(qid)))
        return out

    def _plan_batch(
        self,
        batch: list[Item],
        current: dict[int, Stored],
        run_id: int | None,
        now: str,
    ) -> tuple[SaveCounts, list[tuple[str, list[Any]]]]:
        """Merge a batch against the stored values: the counts and the SQL to run, in order."""
        counts = SaveCounts()
        first_seen: dict[int, str] = {}
        touched: dict[int, Value] = {}
        seen_only: list[tuple[str, int]] = []
        version_rows: list[tuple[Any, ...]] = []
        filled_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        members: dict[int, Value] = {}
        bodies: dict[int, str] = {}
        fts_deletes: list[tuple[Any, ...]] = []
        fts_inserts: dict[int, tuple[Any, ...]] = {}
        stale_facts: list[tuple[int]] = []
        repeated = _repeated_ids(batch)
        for item in batch:
            if isinstance(item, Prepared):
                qid, source, prepared = item.id, item.source, item
                found, body = item.members, item.body
            else:
                incoming, source = item
                qid, prepared = incoming["id"], None
                found, body = tuple(models.members_of(incoming)), models.body_of(incoming)
            for member in found:
                members[member["id"]] = member
            if body:
                bodies[body[0]] = body[1]
            stored = current.get(qid)
            value: Value | None
            if stored is None and prepared is not None:
                # New, and prepared ahead: the rows the general path below would compute
                value = prepared.value() if qid in repeated else None
                result = Merged(value or {}, "new", prepared.stored_source, prepared.truncated, [])
                record, digest, row = prepared.record, prepared.digest, dict(prepared.row)
                found_events = prepared.events
            else:
                if prepared is not None:
                    incoming = prepared.value()
                result = merge(
                    stored.value if stored else None,
                    stored.source if stored else None,
                    incoming,
                    source,
                )
                if result.outcome == "unchanged":
                    counts.unchanged += 1
                    if qid not in touched:
                        seen_only.append((now, qid))
                    continue
                value = result.value
                record = models.canonical_json(value)  # value has no member objects: content
                digest = models.hash_json(record)
                row = models.to_row(value)
                found_events = tuple(
                    (ev.event, json_or_none(ev.old), json_or_none(ev.new))
                    for ev in events_between(stored.value if stored else None, value)
                )
            version = 1 if stored is None else stored.version + (result.outcome != "filled")
            if result.outcome == "filled":
                counts.filled += 1
                filled_rows.append(
                    (record, digest, result.source, int(result.truncated), qid, version)
                )
            else:
                if result.outcome == "new":
                    counts.new += 1
                    first_seen[qid] = now
                else:
                    counts.changed += 1
                counts.changed_ids.append(qid)
                version_rows.append(
                    (
                        qid,
                        version,
                        digest,
                        record,
                        result.source,
                        int(result.truncated),
                        json.dumps(result.changed) if result.changed else "[]",
                        now,
                        run_id,
                    )
                )
                for event, old, new in found_events:
                    counts.events[event] = counts.events.get(event, 0) + 1
                    event_rows.append((qid, version, event, old, new, now, run_id))
            indexed = (row["heading"], row["question_text"], row["answer_text"])
            if stored is None or stored.indexed != indexed:
                if stored is not None and qid not in fts_inserts:
                    fts_deletes.append((qid, *stored.indexed))
                fts_inserts[qid] = (qid, *indexed)
            if value is not None:
                current[qid] = Stored(value, result.source, version, indexed)
            if stored is not None:
                stale_facts.append((qid,))  # recomputed from the new answer when next needed
            row.update(
                truncated=int(result.truncated),
                version=version,
                content_hash=digest,
                first_seen=first_seen.get(qid, now),
                last_seen=now,
                last_changed=now,
            )
            touched[qid] = row
            counts.truncated += result.truncated
        ops: list[tuple[str, list[Any]]] = [
            (_UPSERT_QUESTION, list(touched.values())),
            (_INSERT_VERSION, version_rows),
            (_FILL_VERSION, filled_rows),
            ("UPDATE questions SET last_seen = ? WHERE id = ?", seen_only),
            (_INSERT_EVENT, event_rows),
            (_FTS_DELETE, fts_deletes),
            (_FTS_INSERT, list(fts_inserts.values())),
            ("DELETE FROM answer_facts WHERE question_id = ?", stale_facts),
            ("DELETE FROM near_facts WHERE question_id = ?", stale_facts),
            (_UPSERT_MEMBER, [_member_row(m, now) for m in members.values()]),
            (_UPSERT_BODY, [(bid, name, now, now) for bid, name in bodies.items()]),
        ]
        return counts, [(sql, rows) for sql, rows in ops if rows]

    def count_truncated(self) -> int:
        return int(
            self.db.conn.execute("SELECT count(*) FROM questions WHERE truncated").fetchone()[0]
        )


_INSERT_VERSION = (
    "INSERT INTO versions (question_id, version, content_hash, record, source, truncated, changed,"
    " seen_at, run_id) VALUES (?,?,?,?,?,?,?,?,?)"
)
_FILL_VERSION = (
    "UPDATE versions SET record = ?, content_hash = ?, source = ?, truncated = ?"
    " WHERE question_id = ? AND version = ?"
)
_FTS_DELETE = (
    "INSERT INTO questions_fts (questions_fts, rowid, heading, question_text, answer_text)"
    " VALUES ('delete', ?, ?, ?, ?)"
)
_FTS_INSERT = (
    "INSERT INTO questions_fts (rowid, heading, question_text, answer_text) VALUES (?, ?, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO events (question_id, version, event, old, new, seen_at, run_id)"
    " VALUES (?,?,?,?,?,?,?)"
)
_UPSERT_MEMBER = (
    "INSERT INTO members (id, name, list_as, party, party_abbreviation, party_colour, member_from,"
    " thumbnail_url, last_seen) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET"
    " name = excluded.name, list_as = excluded.list_as, party = excluded.party,"
    " party_abbreviation = excluded.party_abbreviation, party_colour = excluded.party_colour,"
    " member_from = excluded.member_from, thumbnail_url = excluded.thumbnail_url,"
    " last_seen = excluded.last_seen"
)
_UPSERT_BODY = (
    "INSERT INTO answering_bodies (id, name, first_seen, last_seen) VALUES (?,?,?,?)"
    " ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen"
)


def _member_row(m: Value, now: str) -> tuple[Any, ...]:
    return (
        m["id"],
        m.get("name"),
        m.get("listAs"),
        m.get("party"),
        m.get("partyAbbreviation"),
        m.get("partyColour"),
        m.get("memberFrom"),
        m.get("thumbnailUrl"),
        now,
    )


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# A cheap test before the full referral parser: most answers mention no other answer.


def _repeated_ids(batch: list[Item]) -> set[int]:
    """Ids that occur more than once in a batch (a file may hold two states of a question)."""
    seen: set[int] = set()
    repeated: set[int] = set()
    for item in batch:
        qid = item.id if isinstance(item, Prepared) else item[0]["id"]
        if qid in seen:
            repeated.add(qid)
        seen.add(qid)
    return repeated


def _describe_db_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "file is not a database" in text:
        return f"{path} is not an SQLite database"
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"cannot write database {path}: {text}"
    return f"database {path}: {text}"
