"""Written statements in `search` and `list`: their matches in the statements' own index, and
the listing of questions and statements together (`--kind question|statement|all`).

The query language is the questions' (`search.prepare`); `heading:` looks in a statement's
title, `question:` and `answer:` in its text. Filters a statement cannot pass (an answer's
dates, its minister, a status, named days, overdue) leave statements out. Together, the two
kinds come newest first by their day (tabled, made), each kind in its own order within a day.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

from pqtrack.filters import Filters, for_statements
from pqtrack.search import SNIPPET_CLOSE, SNIPPET_OPEN, SearchResult
from pqtrack.statement_records import records_by_id


class Kind(StrEnum):
    """Which records a listing covers."""

    question = "question"
    statement = "statement"
    all = "all"


def _where(filters: Filters) -> tuple[str, dict[str, Any]] | None:
    return filters.statement_where("s")


def search_statements(
    conn: sqlite3.Connection,
    expressions: Sequence[str],
    filters: Filters,
    *,
    limit: int | None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The statements matching the first expression their index accepts, newest first, each
    with a snippet of its text (else its title)."""
    found = _where(replace(filters, topic_match=None, query_match=None))
    if found is None:
        return []
    where, params = found
    also = [m for m in (filters.topic_match, filters.query_match) if m]
    text = "snippet(statements_fts, 1, :open, :close, '…', 16)"
    title = "snippet(statements_fts, 0, :open, :close, '…', 16)"
    sql = (
        f"SELECT s.id, CASE WHEN instr({text}, :open) THEN {text} ELSE {title} END"
        " FROM statements_fts JOIN statements s ON s.id = statements_fts.rowid"
        f" WHERE statements_fts MATCH :match AND {where}"
        " ORDER BY s.date_made DESC, s.id DESC LIMIT :limit OFFSET :offset"
    )
    for expression in expressions:
        match = " AND ".join(f"({e})" for e in [expression, *also]) if also else expression
        args = {
            **params,
            "open": SNIPPET_OPEN,
            "close": SNIPPET_CLOSE,
            "match": for_statements(match),
            "limit": -1 if limit is None else limit,
            "offset": offset,
        }
        try:
            hits = list(conn.execute(sql, args))
        except sqlite3.OperationalError:
            continue  # what the statements' index cannot read: try the literal fallback
        snippet_of = dict(hits)
        return [
            {**record, "snippet": snippet_of[record["id"]]}
            for record in records_by_id(conn, list(snippet_of))
        ]
    return []


def count_statement_hits(conn: sqlite3.Connection, expression: str, filters: Filters) -> int:
    found = _where(replace(filters, topic_match=None, query_match=None))
    if found is None or not expression:
        return 0
    where, params = found
    sql = (
        f"SELECT count(*) FROM statements s WHERE {where} AND s.id IN"
        " (SELECT rowid FROM statements_fts WHERE statements_fts MATCH :match)"
    )
    try:
        return int(conn.execute(sql, {**params, "match": for_statements(expression)}).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def list_statements(
    conn: sqlite3.Connection, filters: Filters, *, limit: int | None, offset: int = 0
) -> list[dict[str, Any]]:
    """Statements newest first (by the day made) under the filters."""
    found = _where(filters)
    if found is None:
        return []
    where, params = found
    sql = (
        f"SELECT s.id FROM statements s WHERE {where}"
        " ORDER BY s.date_made DESC, s.id DESC LIMIT :limit OFFSET :offset"
    )
    args = {**params, "limit": -1 if limit is None else limit, "offset": offset}
    try:
        ids = [sid for (sid,) in conn.execute(sql, args)]
    except sqlite3.OperationalError:
        return []  # a topic's query the statements' index cannot read
    return [dict(r) for r in records_by_id(conn, ids)]


def count_statements(conn: sqlite3.Connection, filters: Filters) -> int:
    found = _where(filters)
    if found is None:
        return 0
    where, params = found
    try:
        return int(
            conn.execute(f"SELECT count(*) FROM statements s WHERE {where}", params).fetchone()[0]
        )
    except sqlite3.OperationalError:
        return 0


def _day(record: dict[str, Any]) -> str:
    return str(record.get("date_made") or record.get("date_tabled") or "")


def together(
    questions: Sequence[Any], statements: Sequence[Any], limit: int | None, offset: int
) -> list[Any]:
    """The first `limit` after `offset` of two newest-first listings merged by day (each
    holding its first offset + limit)."""
    merged = heapq.merge(questions, statements, key=_day, reverse=True)
    rows = list(merged)
    return rows[offset:] if limit is None else rows[offset : offset + limit]


def search_kinds(
    conn: sqlite3.Connection,
    run: Callable[[int | None, int], SearchResult],
    filters: Filters,
    kind: Kind,
    *,
    limit: int | None,
    offset: int,
) -> SearchResult:
    """A search over the kinds asked for: `run(limit, offset)` is the questions' search (its
    expressions are tried on the statements' index too)."""
    want = None if limit is None else offset + limit
    if kind == Kind.question:
        return run(limit, offset)
    result = run(want if kind == Kind.all else 0, 0)
    tried = [result.expression] if result.expression else []
    bare = replace(filters, topic_match=None, query_match=None)  # the expression holds them
    statements = search_statements(conn, tried, bare, limit=want)
    if kind == Kind.statement:
        records = statements[offset:] if limit is None else statements[offset : offset + limit]
    else:
        records = together(result.records, statements, limit, offset)
    return replace(result, records=records)  # type: ignore[arg-type]  # hits of either kind
