"""The rows the read commands output for written statements: a statement record (list, search,
show), its versions (history), the attachments of a statement or a question, and the links
between statements and the written answers they correct.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict, cast

from pqtrack import records
from pqtrack.errors import UsageError
from pqtrack.records import Event, rows, stored_versions
from pqtrack.statement import CORRECTS_FROM, CORRECTS_LATEST, official_url, parse


class StatementRecord(TypedDict):
    """A statement as list, search and show output it (the order is the output's)."""

    kind: str  # "statement"
    id: int
    uin: str | None
    house: str | None
    date_made: str | None
    title: str | None
    text: str | None
    member: str | None
    member_id: int | None
    member_party: str | None
    member_role: str | None
    answering_body: str | None
    answering_body_id: int | None
    notice_number: int | None
    linked_statements: list[dict[str, Any]]
    corrects: list[str]
    attachment_count: int
    url: str | None
    versions: int | None
    truncated: bool
    first_seen: str | None
    last_seen: str | None
    last_changed: str | None


STATEMENT_FIELDS: tuple[str, ...] = tuple(StatementRecord.__annotations__)


class Attachment(TypedDict):
    title: str | None
    file_type: str | None
    size_bytes: int | None
    url: str | None


class StatementVersion(TypedDict):
    """One stored version of a statement, as `history` outputs it."""

    version: int
    seen_at: str
    date_made: str | None
    title: str | None
    text: str | None
    answering_body: str | None
    changed: list[str]
    events: list[Event]
    source: str | None
    truncated: bool
    content_hash: str
    run_id: int | None


_RECORD_SQL = """
SELECT s.*, m.name AS member, m.party AS member_party
FROM statements s
LEFT JOIN members m ON m.id = s.member_id
"""


def to_record(row: dict[str, Any]) -> StatementRecord:
    out: dict[str, Any] = {k: row.get(k) for k in STATEMENT_FIELDS}
    out["kind"] = "statement"
    out["answering_body"] = row.get("answering_body_name")
    out["linked_statements"] = json.loads(row.get("linked_statements") or "[]")
    out["corrects"] = json.loads(row.get("corrects") or "[]")
    out["truncated"] = bool(row.get("truncated"))
    out["url"] = official_url(row.get("date_made"), row.get("uin"))
    out["versions"] = row.get("version")
    return out  # type: ignore[return-value]  # every key of StatementRecord, as built above


def records_by_id(conn: sqlite3.Connection, ids: list[int]) -> list[StatementRecord]:
    """The records of these statements, in the order given (unknown ids are left out)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = rows(conn, _RECORD_SQL + f" WHERE s.id IN ({marks})", ids)
    by_id = {r["id"]: to_record(r) for r in found}
    return [by_id[i] for i in ids if i in by_id]


def get_statement(conn: sqlite3.Connection, statement_id: int) -> dict[str, Any]:
    """`show`'s record of a statement: the list record, its attachments, the statements it
    links to and those linking to it, and the written questions whose answers it corrects."""
    found = records_by_id(conn, [statement_id])
    if not found:
        raise UsageError(f"no written statement S{statement_id} in the database")
    record: dict[str, Any] = dict(found[0])
    value = records.current_value(conn, "statement", statement_id)
    record["attachments"] = attachments(value)
    record["linked_statements"] = _linked(conn, record["linked_statements"])
    record["linked_from"] = _linked_from(conn, statement_id)
    record["corrected_questions"] = corrected_questions(conn, statement_id)
    return record


def attachments(value: dict[str, Any]) -> list[Attachment]:
    """The attachments an API value lists (detail records only), as the output names them."""
    out: list[Attachment] = []
    for item in value.get("attachments") or ():
        if isinstance(item, dict):
            size = item.get("fileSizeBytes")
            out.append(
                {
                    "title": item.get("title"),
                    "file_type": item.get("fileType"),
                    "size_bytes": size if isinstance(size, int) else None,
                    "url": item.get("url"),
                }
            )
    return out


def _linked(conn: sqlite3.Connection, links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for link in links:
        row = conn.execute(
            "SELECT uin, date_made, title FROM statements WHERE id = ?", [link["id"]]
        ).fetchone()
        uin, made, title = row if row else (None, None, None)
        out.append({**link, "uin": uin, "date_made": made, "title": title})
    return out


def _linked_from(conn: sqlite3.Connection, statement_id: int) -> list[dict[str, Any]]:
    """The stored statements whose links name this one."""
    return [
        {"id": sid, "uin": uin, "date_made": made, "title": title, "type": kind}
        for sid, uin, made, title, kind in conn.execute(
            "SELECT s.id, s.uin, s.date_made, s.title, json_extract(l.value, '$.type')"
            " FROM statements s, json_each(s.linked_statements) l"
            " WHERE json_extract(l.value, '$.id') = ? ORDER BY s.date_made, s.id",
            [statement_id],
        )
    ]


def corrected_questions(conn: sqlite3.Connection, statement_id: int) -> list[dict[str, Any]]:
    """The stored questions whose answers a statement corrects: for each UIN it names, the
    latest question of that UIN tabled by the day the statement was made."""
    return [
        {"id": qid, "uin": uin, "date_tabled": tabled, "heading": heading, "how": how}
        for qid, uin, tabled, heading, how in conn.execute(
            f"SELECT q.id, q.uin, q.date_tabled, q.heading, c.how FROM {CORRECTS_FROM}"
            f" WHERE c.statement_id = ? AND {CORRECTS_LATEST} ORDER BY q.uin",
            [statement_id],
        )
    ]


def corrected_by(conn: sqlite3.Connection, question_id: int) -> list[dict[str, Any]]:
    """The written statements correcting a question's answer (by a CorrectedAnswer link with
    its UIN in the text, or by naming its UIN): those naming its UIN, made on or after it was
    tabled and before another question took that UIN."""
    return [
        {"id": sid, "uin": uin, "date_made": made, "title": title, "how": how}
        for sid, uin, made, title, how in conn.execute(
            f"SELECT s.id, s.uin, s.date_made, s.title, c.how FROM {CORRECTS_FROM}"
            f" WHERE q.id = ? AND {CORRECTS_LATEST} ORDER BY s.date_made, s.id",
            [question_id],
        )
    ]


def question_extras(conn: sqlite3.Connection, question_id: int) -> dict[str, Any]:
    """What `show` adds to a question from this side: its attachments (from its detail
    record) and the written statements correcting its answer."""
    value = records.current_value(conn, "question", question_id)
    return {
        "attachments": attachments(value),
        "corrected_by": corrected_by(conn, question_id),
    }


def long_date(day: str | None) -> str:
    """'2025-12-10' -> '10 December 2025', as parliament writes dates."""
    if not day:
        return "date unknown"
    d = date.fromisoformat(day[:10])
    return f"{d.day} {d:%B %Y}"


def correction_line(statement: Mapping[str, Any]) -> str:
    """'Corrected by written statement HLWS915 (10 December 2025)'."""
    made = long_date(statement.get("date_made"))
    return f"Corrected by written statement {statement.get('uin')} ({made})"


def history(conn: sqlite3.Connection, statement_id: int) -> list[StatementVersion]:
    """Every stored version of a statement, oldest first, with its events."""

    def describe(value: dict[str, Any]) -> dict[str, Any]:
        statement = parse(value)
        return {
            "date_made": statement.date_made,
            "title": statement.title,
            "text": statement.text,
            "answering_body": statement.answering_body_name,
        }

    return cast(list[StatementVersion], stored_versions(conn, "statement", statement_id, describe))


def version_values(conn: sqlite3.Connection, statement_id: int) -> list[dict[str, Any]]:
    """The stored API values of every version, oldest first (for diff)."""
    return records.version_values(conn, statement_id, "statement")


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
