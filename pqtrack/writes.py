"""What one batch of planned changes writes, for any kind of record the store keeps.

The store (`store.py`) reads the stored versions of a batch, and this module gathers the rows
its plans write, table by table, so that each statement runs once for the batch.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pqtrack import question as q
from pqtrack import statement as st
from pqtrack.record import Value, canonical_json
from pqtrack.schema import TABLES
from pqtrack.versions import Change, Item, Prepared, Source, Stored, plan, plan_statement


@dataclass
class SaveCounts:
    new: int = 0
    changed: int = 0
    filled: int = 0
    unchanged: int = 0
    truncated: int = 0  # saved questions whose text is still a list's cut copy
    older: int = 0  # observations older than the stored current version: skipped
    events: dict[str, int] = field(default_factory=dict)
    changed_ids: list[int] = field(default_factory=list)

    @property
    def written(self) -> int:
        """Records given a new version (or their full text in place of a cut copy)."""
        return self.new + self.changed + self.filled

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.changed += other.changed
        self.filled += other.filled
        self.unchanged += other.unchanged
        self.truncated += other.truncated
        self.older += other.older
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
            "older": self.older,
            "events": dict(sorted(self.events.items())),
        }


People = tuple[tuple[Value, ...], tuple[int, str] | None]
_BOOKKEEPING = ("truncated", "version", "content_hash", "first_seen", "last_seen", "last_changed")


@dataclass(frozen=True)
class RecordKind:
    """A kind of record the store keeps, and the tables it keeps it in: the current state (one
    row a record, its columns those of the kind's typed record plus bookkeeping), every version
    and the events between them (keyed by `key`), the full-text index over `indexed`, and the
    derived tables whose rows go stale when a record changes. Table names are constants here,
    never input. Questions are one kind; written statements (`STATEMENTS`) are another."""

    table: str
    columns: tuple[str, ...]
    key: str
    versions: str
    events: str
    fts: str
    indexed: tuple[str, ...]
    derived: tuple[str, ...]
    plan: Callable[[Stored | None, Value, Source | None], Change | None]  # versions.plan
    people: Callable[[Value], People]  # the members and the department a value names
    # what else a batch writes once its rows are in (a statement's corrections of answers)
    after: Callable[[sqlite3.Connection, Batch], None] | None = None

    @functools.cached_property
    def sql(self) -> dict[str, str]:
        cols = (*self.columns, *_BOOKKEEPING)
        fts_cols = ", ".join(self.indexed)
        marks = ", ".join("?" * len(self.indexed))
        return {
            "upsert": (
                f"INSERT INTO {self.table} ({', '.join(cols)})"
                f" VALUES ({', '.join(':' + c for c in cols)}) ON CONFLICT (id) DO UPDATE SET "
                + ", ".join(
                    f"{c} = excluded.{c}"
                    for c in cols
                    if c not in ("id", "first_seen", "last_seen")
                )
                + f", last_seen = max(coalesce({self.table}.last_seen, ''), excluded.last_seen)"
            ),  # last_seen never goes back: an import as of an earlier time may follow a later
            "seen": (
                f"UPDATE {self.table} SET last_seen = max(coalesce(last_seen, ''), ?) WHERE id = ?"
            ),
            "version": (
                f"INSERT INTO {self.versions} ({self.key}, version, content_hash, record, source,"
                " truncated, changed, seen_at, run_id) VALUES (?,?,?,?,?,?,?,?,?)"
            ),
            "fill": (
                f"UPDATE {self.versions} SET record = ?, content_hash = ?, source = ?,"
                f" truncated = ? WHERE {self.key} = ? AND version = ?"
            ),
            "event": (
                f"INSERT INTO {self.events} ({self.key}, version, event, old, new, seen_at,"
                " run_id) VALUES (?,?,?,?,?,?,?)"
            ),
            "fts_delete": (
                f"INSERT INTO {self.fts} ({self.fts}, rowid, {fts_cols})"
                f" VALUES ('delete', ?, {marks})"
            ),
            "fts_insert": f"INSERT INTO {self.fts} (rowid, {fts_cols}) VALUES (?, {marks})",
            "current": (
                f"SELECT v.{self.key}, v.record, v.source, v.version, r.truncated, v.seen_at,"
                f" {', '.join('r.' + c for c in self.indexed)} FROM {self.table} r"
                f" JOIN {self.versions} v ON v.{self.key} = r.id AND v.version = r.version"
                " WHERE r.id IN ({marks})"
            ),
            **{f"stale {t}": f"DELETE FROM {t} WHERE {self.key} = ?" for t in self.derived},
        }


QUESTIONS = RecordKind(
    **TABLES["question"]._asdict(),
    columns=q.COLUMNS,
    indexed=("heading", "question_text", "answer_text"),
    derived=("answer_facts", "near_facts"),  # recomputed from the new answer when next needed
    plan=plan,
    people=lambda value: (tuple(q.members_of(value)), q.body_of(value)),
    after=lambda conn, batch: _question_corrections(conn, batch),
)
STATEMENTS = RecordKind(
    **TABLES["statement"]._asdict(),
    columns=st.COLUMNS,
    indexed=("title", "text"),
    derived=(),
    plan=plan_statement,
    people=lambda value: (tuple(st.members_of(value)), st.body_of(value)),
    after=lambda conn, batch: _save_corrections(conn, batch),
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


class Current(NamedTuple):
    """A question's stored version, when it was seen, and the texts its search index row holds."""

    stored: Stored
    indexed: tuple[Any, ...]  # (heading, question_text, answer_text)
    seen_at: str | None  # the current version's seen_at (UTC, ISO, to the second)


class Batch:
    """The rows one batch of observations writes, gathered so that each statement runs once
    for the whole batch (executemany), in the order the tables need."""

    def __init__(
        self, kind: RecordKind, items: list[Item], now: str, run_id: int | None,
        counts: SaveCounts,
    ) -> None:  # fmt: skip
        self.kind, self.items, self.now, self.run_id, self.counts = kind, items, now, run_id, counts
        self.repeated = _repeated_ids(items)  # ids met more than once in the batch
        self.rows: dict[int, dict[str, Any]] = {}
        self.seen_only: list[tuple[str, int]] = []
        self.versions: list[tuple[Any, ...]] = []
        self.filled: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.members: dict[int, Value] = {}
        self.bodies: dict[int, str] = {}
        self.fts_deletes: list[tuple[Any, ...]] = []
        self.fts_inserts: dict[int, tuple[Any, ...]] = {}
        self.stale: list[tuple[int]] = []

    def add(self, item: Item, current: dict[int, Current]) -> None:
        """Plan one observation against the stored version and gather what it writes."""
        qid = id_of(item)
        found = current.get(qid)
        if found is not None and found.seen_at and self.now < found.seen_at:
            # seen as of a time before the stored current version: it never becomes current and
            # never makes events (nor touches members, bodies or last_seen); it is skipped
            self.counts.older += 1
            return
        if isinstance(item, Prepared):
            members, body = item.members, item.body
            change: Change | None = item.change
            if found is not None:
                change = self.kind.plan(found.stored, item.change.value(), item.given)
        else:
            members, body = self.kind.people(item[0])
            change = self.kind.plan(found.stored if found else None, *item)
        for member in members:
            self.members[member["id"]] = member
        if body:
            self.bodies[body[0]] = body[1]
        if change is None:
            self.counts.unchanged += 1
            if qid not in self.rows:
                self.seen_only.append((self.now, qid))
            return
        self._record(change, found)
        indexed = tuple(change.row[c] for c in self.kind.indexed)
        if found is None or found.indexed != indexed:
            if found is not None and qid not in self.fts_inserts:
                self.fts_deletes.append((qid, *found.indexed))
            self.fts_inserts[qid] = (qid, *indexed)
        if found is not None:
            self.stale.append((qid,))
        if qid in self.repeated:  # the next observation of it merges with this one
            stored = Stored(change.value(), change.source, change.version, change.truncated)
            current[qid] = Current(stored, indexed, self.now)

    def _record(self, change: Change, found: Current | None) -> None:
        counts, qid = self.counts, change.id
        if change.outcome == "filled":
            counts.filled += 1
            self.filled.append(
                (change.record, change.digest, change.source, int(change.truncated), qid,
                 change.version)
            )  # fmt: skip
        else:
            if change.outcome == "new":
                counts.new += 1
            else:
                counts.changed += 1
            counts.changed_ids.append(qid)
            self.versions.append(
                (qid, change.version, change.digest, change.record, change.source,
                 int(change.truncated), json.dumps(list(change.changed)), self.now, self.run_id)
            )  # fmt: skip
        for ev in change.events:  # a filled-in version has none, but for a statement's links
            counts.events[ev.event] = counts.events.get(ev.event, 0) + 1
            self.events.append(
                (qid, change.version, str(ev.event), _json(ev.old), _json(ev.new), self.now,
                 self.run_id)
            )  # fmt: skip
        self.rows[qid] = {
            **change.row,
            "truncated": int(change.truncated),
            "version": change.version,
            "content_hash": change.digest,
            "first_seen": self.now,  # written only when the record is new
            "last_seen": self.now,
            "last_changed": self.now,
        }
        counts.truncated += change.truncated

    def run(self, conn: sqlite3.Connection) -> None:
        sql = self.kind.sql
        batches: list[tuple[str, Sequence[Any]]] = [
            (sql["upsert"], list(self.rows.values())),
            (sql["version"], self.versions),
            (sql["fill"], self.filled),
            (sql["seen"], self.seen_only),
            (sql["event"], self.events),
            (sql["fts_delete"], self.fts_deletes),
            (sql["fts_insert"], list(self.fts_inserts.values())),
            *((sql[f"stale {t}"], self.stale) for t in self.kind.derived),
            (_UPSERT_MEMBER, [_member_row(m, self.now) for m in self.members.values()]),
            (_UPSERT_BODY, [(bid, name, self.now, self.now) for bid, name in self.bodies.items()]),
        ]
        for statement, rows in batches:
            if rows:
                conn.executemany(statement, rows)
        if self.kind.after is not None:
            self.kind.after(conn, self)


def _json(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def id_of(item: Item) -> int:
    return item.change.id if isinstance(item, Prepared) else int(item[0]["id"])


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


def _repeated_ids(batch: list[Item]) -> set[int]:
    """Ids that occur more than once in a batch (a file may hold two states of a question)."""
    seen: set[int] = set()
    repeated: set[int] = set()
    for item in batch:
        qid = id_of(item)
        if qid in seen:
            repeated.add(qid)
        seen.add(qid)
    return repeated


def _save_corrections(conn: sqlite3.Connection, batch: Batch) -> None:
    """The written answers the batch's new or changed statements correct, kept by UIN, and a
    `statement` event on each stored question they correct (see `_correction_events`)."""
    if not batch.rows:
        return
    ids = list(batch.rows)
    conn.executemany(
        "DELETE FROM statement_corrections WHERE statement_id = ?", [(i,) for i in ids]
    )
    rows = []
    for sid, row in batch.rows.items():
        links = json.loads(row["linked_statements"])
        how = "link" if any(link["type"] == "CorrectedAnswer" for link in links) else "text"
        rows += [(sid, uin, how) for uin in json.loads(row["corrects"])]
    conn.executemany(
        "INSERT INTO statement_corrections (statement_id, question_uin, how) VALUES (?,?,?)", rows
    )
    if rows:
        _correction_events(conn, batch, "c.statement_id", ids)


def _question_corrections(conn: sqlite3.Connection, batch: Batch) -> None:
    """A question saved after a statement correcting its answer gets its `statement` event
    too, so the order things arrive in does not matter."""
    if batch.rows and conn.execute("SELECT 1 FROM statement_corrections LIMIT 1").fetchone():
        _correction_events(conn, batch, "q.id", list(batch.rows))


# A `statement` event for each question a statement corrects (statement.CORRECTS_FROM and
# CORRECTS_LATEST), once per question and statement, whichever is saved last.
_CORRECTION_EVENTS = f"""
INSERT INTO events (question_id, version, event, old, new, seen_at, run_id)
SELECT q.id, q.version, 'statement', NULL,
       json_object('date_made', s.date_made, 'id', s.id, 'uin', s.uin), :now, :run_id
FROM {st.CORRECTS_FROM}
WHERE {{key}} IN (SELECT value FROM json_each(:ids))
  AND {st.CORRECTS_LATEST}
  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.question_id = q.id AND e.event = 'statement'
                  AND json_extract(e.new, '$.id') = s.id)
"""


def _correction_events(conn: sqlite3.Connection, batch: Batch, key: str, ids: list[int]) -> None:
    found = conn.execute(
        _CORRECTION_EVENTS.format(key=key),  # key: one of two constants above
        {"now": batch.now, "run_id": batch.run_id, "ids": json.dumps(ids)},
    )
    if found.rowcount > 0:
        name = str(q.EventKind.statement)
        batch.counts.events[name] = batch.counts.events.get(name, 0) + found.rowcount
