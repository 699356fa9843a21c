"""Watches: saved searches, each with its own cursor per events table, and the runs that
report them.

A run reads, in one read transaction (one WAL snapshot), the highest event id of each events
table and the changes up to it that the watch's search matches; the caller delivers that
report (stdout, mail), and only then `advance` moves the cursors to those ids, in the same
transaction that records the run. Events ids are assigned in commit order, so a snapshot has
no gaps below its highest id: the events after the cursor, up to it, are exactly what
happened since the last run. Delivery before the commit makes it at least once: a run killed
between the two reports the same news again next time, once (nothing is ever skipped).

Watches keep their own three tables (watches, watch_cursors, watch_runs) and write them here.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pqtrack import records
from pqtrack.errors import UsageError
from pqtrack.schema import TABLES

if TYPE_CHECKING:
    from pqtrack.store import Store


@dataclass(frozen=True)
class Feed:
    """One kind of record a watch follows: its events table, the field of a change naming the
    record (both from schema.TABLES), its change feed, and how reports call the records."""

    kind: str
    names: tuple[str, str]  # one, many

    @property
    def table(self) -> str:
        return TABLES[self.kind].events

    @property
    def id_field(self) -> str:
        return TABLES[self.kind].key

    def changes(
        self, conn: sqlite3.Connection, filters: Any, span: records.EventSpan, limit: int | None
    ) -> list[Any]:
        query = records.FeedQuery(kinds=(self.kind,), span=span)
        return records.changes(conn, filters, query, limit=limit)

    def count(self, conn: sqlite3.Connection, filters: Any, span: records.EventSpan) -> int:
        return records.count_changes(
            conn, filters, records.FeedQuery(kinds=(self.kind,), span=span)
        )


# The kinds of record a watch reports; the cursors, reports and feeds take the kinds from it.
FEEDS: dict[str, Feed] = {
    "question": Feed("question", ("question", "questions")),
    "statement": Feed("statement", ("written statement", "written statements")),
}
KINDS: tuple[str, ...] = tuple(FEEDS)

FIRST_RUN_CAP = 100  # a first run reports what matches now: the newest this many, and a count
FEED_RUNS = 9  # an Atom feed holds this run's news and the entries of the runs before it
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
NAME_RULE = "a short name: a lowercase letter, then up to 31 lowercase letters, digits, - or _"


def parse_name(text: str) -> str:
    """A watch's name, checked: lfr, rural-crime, asylum_2025."""
    if not NAME.fullmatch(text):
        shown = text if len(text) <= 40 else text[:39] + "…"
        raise UsageError(f"{shown!r} is not a watch name ({NAME_RULE})")
    return text


@dataclass(frozen=True)
class Watch:
    id: int
    name: str
    search: dict[str, Any]  # the query and the filters as typed (options.FilterArgs' fields)
    feed_id: str
    created_at: str
    cursors: dict[str, int] = field(default_factory=dict)  # kind -> last event id covered
    last_run: str | None = None  # when a report was last delivered

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.search.get("query"),
            "filters": {k: v for k, v in self.search.items() if k != "query"},
            "created_at": self.created_at,
            "last_run": self.last_run,
            "cursors": self.cursors,
            "feed_id": self.feed_id,
        }


# -- saved searches ------------------------------------------------------------------------------


def add(store: Store, name: str, search: Mapping[str, Any], *, replace: bool, now: str) -> Watch:
    """Save a watch (its search as typed, already checked by resolving it). Replacing one
    keeps its feed id (feed readers keep the feed) but starts it afresh: its next run is a
    first run of the new search."""
    parse_name(name)
    text = json.dumps({k: v for k, v in search.items() if v is not None}, sort_keys=True)
    with store.transaction() as db:
        row = db.execute("SELECT id FROM watches WHERE name = ?", [name]).fetchone()
        if row is not None and not replace:
            raise UsageError(f"a watch named {name!r} exists: --replace replaces it")
        if row is None:
            db.execute(
                "INSERT INTO watches (name, filters, feed_id, created_at) VALUES (?, ?, ?, ?)",
                [name, text, f"urn:uuid:{uuid.uuid4()}", now],
            )
        else:
            db.execute(
                "UPDATE watches SET filters = ?, created_at = ? WHERE id = ?", [text, now, row[0]]
            )
            db.execute("DELETE FROM watch_cursors WHERE watch_id = ?", [row[0]])
    return get(store.db.conn, name)


def remove(store: Store, name: str) -> None:
    with store.transaction() as db:
        watch = get(db.conn, name)
        db.execute("DELETE FROM watch_runs WHERE watch_id = ?", [watch.id])
        db.execute("DELETE FROM watch_cursors WHERE watch_id = ?", [watch.id])
        db.execute("DELETE FROM watches WHERE id = ?", [watch.id])


def get(conn: sqlite3.Connection, name: str) -> Watch:
    found = _watches(conn, name)
    if not found:
        raise UsageError(f"no watch named {name!r} (pqtrack watch list shows them)")
    return found[0]


def every(conn: sqlite3.Connection) -> list[Watch]:
    """Every watch, by name."""
    return _watches(conn)


def _watches(conn: sqlite3.Connection, name: str | None = None) -> list[Watch]:
    where, params = ("WHERE w.name = ?", [name]) if name is not None else ("", [])
    out: list[Watch] = []
    for wid, wname, search, feed_id, created, last in conn.execute(
        "SELECT w.id, w.name, w.filters, w.feed_id, w.created_at,"
        " (SELECT max(ran_at) FROM watch_runs r WHERE r.watch_id = w.id)"
        f" FROM watches w {where} ORDER BY w.name",
        params,
    ):
        cursors = dict(
            conn.execute(
                "SELECT kind, last_event_id FROM watch_cursors WHERE watch_id = ?", [wid]
            ).fetchall()
        )
        out.append(Watch(wid, wname, json.loads(search), feed_id, created, cursors, last))
    return out


# -- runs ----------------------------------------------------------------------------------------


@dataclass
class Report:
    """What one run of a watch found: the changes to report, newest first, and the span of
    each events table it covers. A first run (no cursor yet) holds each matching record's
    latest change, the newest FIRST_RUN_CAP of them, and `total` says how many match."""

    watch: Watch
    first: bool
    spans: dict[str, records.EventSpan]
    changes: list[dict[str, Any]]
    totals: dict[str, int]  # kind -> changes found (a first run: records that match)
    earlier: list[list[dict[str, Any]]] = field(default_factory=list)  # earlier runs' reports

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def more(self) -> int:
        """Changes found but not in the report (a first run's cap)."""
        return self.total - len(self.changes)


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every read inside sees the database as of one commit."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def collect(
    conn: sqlite3.Connection,
    watch: Watch,
    resolve: Callable[[Mapping[str, Any]], Any],
    *,
    earlier_runs: int = 0,
) -> Report:
    """The report of one watch, read in one snapshot: for each kind, the changes after its
    cursor up to the highest event id there is (a first run: each matching record's latest
    change). `resolve` turns the stored search into the library's Filters. With
    `earlier_runs`, the report also holds what each of the last so many runs reported, read
    again from the spans they recorded: an Atom feed keeps those entries, so that a reader
    that polls less often than the watch runs still sees every one."""
    with snapshot(conn):
        filters = resolve(watch.search)
        spans: dict[str, records.EventSpan] = {}
        changes: list[dict[str, Any]] = []
        totals: dict[str, int] = {}
        for kind, feed in FEEDS.items():
            if watch.search.get("kind", kind) != kind:  # a watch of one kind of record
                continue
            after = watch.cursors.get(kind)  # None: this kind's first run (a new kind, too)
            top = conn.execute(f"SELECT coalesce(max(id), 0) FROM {feed.table}").fetchone()[0]
            span = spans[kind] = records.EventSpan(after, int(top), latest=after is None)
            found = feed.changes(conn, filters, span, FIRST_RUN_CAP if after is None else None)
            totals[kind] = len(found) if after is not None else feed.count(conn, filters, span)
            changes += [{"watch": watch.name, "kind": kind, **c} for c in found]
        earlier = [_reported(conn, watch, filters, run) for run in _runs(conn, watch, earlier_runs)]
    for listed in (changes, *earlier):
        listed.sort(key=lambda c: c["seen_at"], reverse=True)  # newest first across kinds
    return Report(watch, not watch.cursors, spans, changes, totals, earlier)


def _runs(conn: sqlite3.Connection, watch: Watch, last: int) -> list[dict[str, list[Any]]]:
    """The spans ({kind: [after, upto]}) of the watch's last `last` delivered runs."""
    return [
        json.loads(text)
        for (text,) in conn.execute(
            "SELECT cursors FROM watch_runs WHERE watch_id = ? ORDER BY id DESC LIMIT ?",
            [watch.id, last],
        )
    ]


def _reported(
    conn: sqlite3.Connection, watch: Watch, filters: Any, run: dict[str, list[Any]]
) -> list[dict[str, Any]]:
    """What a run reported, read again from its spans (a first run's: each matching record's
    latest change); questions that no longer match the search are left out."""
    found: list[dict[str, Any]] = []
    for kind, (after, upto) in run.items():
        if kind in FEEDS and watch.search.get("kind", kind) == kind:
            span = records.EventSpan(after, upto, latest=after is None)
            found += [
                {"watch": watch.name, "kind": kind, **c}
                for c in FEEDS[kind].changes(
                    conn, filters, span, FIRST_RUN_CAP if after is None else None
                )  # all it reported (a first run: the newest FIRST_RUN_CAP)
            ]
    return found


def advance(store: Store, report: Report, *, delivered: str, fmt: str, now: str) -> None:
    """Record a delivered report and move the watch's cursors to the ends of its spans, in
    one transaction. A cursor never moves back (a run that overlapped another leaves the
    further one), and a watch removed meanwhile is left removed."""
    with store.transaction() as db:
        row = db.execute("SELECT id FROM watches WHERE id = ?", [report.watch.id]).fetchone()
        if row is None:
            return
        for kind, span in report.spans.items():
            db.execute(
                "INSERT INTO watch_cursors (watch_id, kind, last_event_id) VALUES (?, ?, ?)"
                " ON CONFLICT (watch_id, kind) DO UPDATE"
                " SET last_event_id = max(last_event_id, excluded.last_event_id)",
                [report.watch.id, kind, span.upto],
            )
        cursors = {kind: [span.after, span.upto] for kind, span in report.spans.items()}
        db.execute(
            "INSERT INTO watch_runs (watch_id, ran_at, delivered, format, first, reported,"
            " cursors) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [report.watch.id, now, delivered, fmt, int(report.first), len(report.changes),
             json.dumps(cursors)],
        )  # fmt: skip
