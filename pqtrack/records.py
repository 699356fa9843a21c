"""The rows the read commands output: a question record (list, search, show), its versions
(history) and the change feed with its one-line gist. One projection turns a questions row
into the public record (the fields scripts depend on); the field names here are the output's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict, cast

from pqtrack.errors import UsageError
from pqtrack.filters import DATE_FORMS, Filters, RangeError, parse_date
from pqtrack.question import official_url, parse
from pqtrack.schema import TABLES


class QuestionRecord(TypedDict):
    """A question as list, search and show output it (the order is the output's)."""

    id: int
    uin: str | None
    house: str | None
    date_tabled: str | None
    date_for_answer: str | None
    date_answered: str | None
    date_answer_corrected: str | None
    date_holding_answer: str | None
    heading: str | None
    question_text: str | None
    answer_text: str | None
    status: str | None
    asking_member: str | None
    asking_member_id: int | None
    asking_member_party: str | None
    asking_member_from: str | None
    answering_member: str | None
    answering_member_id: int | None
    correcting_member: str | None
    answering_body: str | None
    answering_body_id: int | None
    is_named_day: bool
    is_prorogation_answer: bool
    grouped_uins: list[str]
    url: str | None
    versions: int | None
    truncated: bool
    first_seen: str | None
    last_seen: str | None
    last_changed: str | None
    # added later, so last: scripts reading CSV columns by position keep theirs
    attachment_count: int
    kind: str  # "question" (a written statement's record has "statement")


RECORD_FIELDS: tuple[str, ...] = tuple(QuestionRecord.__annotations__)


class SearchHit(QuestionRecord):
    snippet: str  # the best fragment, matches between search.SNIPPET_OPEN and SNIPPET_CLOSE


class QuestionDetail(QuestionRecord):
    """`show`'s record: the list record and what only one question's page needs."""

    original_answer_text: str | None
    answer_html: str | None
    member_has_interest: bool


class Event(TypedDict):
    event: str
    old: Any
    new: Any


class Version(TypedDict):
    """One stored version of a question, as `history` outputs it."""

    version: int
    seen_at: str
    status: str
    date_answered: str | None
    date_answer_corrected: str | None
    heading: str | None
    question_text: str | None
    answer_text: str | None
    answering_body: str | None
    changed: list[str]
    events: list[Event]
    source: str | None
    truncated: bool
    content_hash: str
    run_id: int | None


class Change(TypedDict):
    """One event of the change feed, with its record's facts and a one-line gist. A written
    statement's event has kind "statement", its id as `statement_id` (`question_id` null), the
    day it was made as `date_tabled`, its title as `heading`."""

    kind: str  # question | statement: which events table `event_id` is in
    event_id: int
    question_id: int | None
    statement_id: int | None
    event: str
    seen_at: str
    version: int
    run_id: int | None
    uin: str | None
    house: str | None
    heading: str | None
    department: str | None
    date_tabled: str | None
    status: str | None
    old: Any
    new: Any
    url: str | None
    gist: str


_RECORD_SQL = """
SELECT q.*,
       am.name AS asking_member, am.party AS asking_member_party,
       am.member_from AS asking_member_from,
       an.name AS answering_member, an.party AS answering_member_party,
       cm.name AS correcting_member
FROM questions q
LEFT JOIN members am ON am.id = q.asking_member_id
LEFT JOIN members an ON an.id = q.answering_member_id
LEFT JOIN members cm ON cm.id = q.correcting_member_id
"""


def to_record(row: dict[str, Any]) -> QuestionRecord:
    """A questions row (joined with members) -> the public record list, search and show print."""
    out: dict[str, Any] = {k: row.get(k) for k in RECORD_FIELDS}
    out["kind"] = "question"
    out["attachment_count"] = row.get("attachment_count") or 0
    out["answering_body"] = row.get("answering_body_name")
    out["is_named_day"] = bool(row.get("is_named_day"))
    out["is_prorogation_answer"] = bool(row.get("is_prorogation_answer"))
    out["truncated"] = bool(row.get("truncated"))
    out["grouped_uins"] = json.loads(row.get("grouped_uins") or "[]")
    out["url"] = official_url(row.get("date_tabled"), row.get("uin"))
    out["versions"] = row.get("version")
    return out  # type: ignore[return-value]  # every key of QuestionRecord, as built above


def rows(
    conn: sqlite3.Connection, sql: str, params: list[Any] | dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The result of a query as dicts keyed by column name."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def get_record(conn: sqlite3.Connection, question_id: int) -> QuestionDetail:
    found = list(rows(conn, _RECORD_SQL + " WHERE q.id = ?", [question_id]))
    if not found:
        raise UsageError(f"no question {question_id} in the database")
    row = found[0]
    record: dict[str, Any] = dict(to_record(row))
    record["original_answer_text"] = row.get("original_answer_text")
    record["answer_html"] = current_value(conn, "question", question_id).get("answerText")
    record["member_has_interest"] = bool(row.get("member_has_interest"))
    return record  # type: ignore[return-value]


def records_by_id(conn: sqlite3.Connection, ids: list[int]) -> list[QuestionRecord]:
    """The records of these questions, in the order given (unknown ids are left out)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    by_id = {
        r["id"]: to_record(r) for r in rows(conn, _RECORD_SQL + f" WHERE q.id IN ({marks})", ids)
    }
    return [by_id[i] for i in ids if i in by_id]


def stored_versions(
    conn: sqlite3.Connection,
    kind: str,
    record_id: int,
    describe: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every stored version of a record of `kind`, oldest first: what `describe` makes of its
    API value, then when it was seen, what changed, its events and its bookkeeping."""
    tables = TABLES[kind]
    events: dict[int, list[Event]] = {}
    for version, event, old, new in conn.execute(
        f"SELECT version, event, old, new FROM {tables.events} WHERE {tables.key} = ? ORDER BY id",
        [record_id],
    ):
        events.setdefault(version, []).append(
            {"event": event, "old": _loads(old), "new": _loads(new)}
        )
    out: list[dict[str, Any]] = []
    for version, record, changed, seen_at, source, truncated, digest, run_id in conn.execute(
        "SELECT version, record, changed, seen_at, source, truncated, content_hash, run_id"
        f" FROM {tables.versions} WHERE {tables.key} = ? ORDER BY version",
        [record_id],
    ):
        out.append(
            {
                "version": version,
                "seen_at": seen_at,
                **describe(json.loads(record)),
                "changed": json.loads(changed),
                "events": events.get(version, []),
                "source": source,
                "truncated": bool(truncated),
                "content_hash": digest,
                "run_id": run_id,
            }
        )
    return out


def history(conn: sqlite3.Connection, question_id: int) -> list[Version]:
    """Every stored version, oldest first, with its events."""

    def describe(value: dict[str, Any]) -> dict[str, Any]:
        question = parse(value)
        return {
            "status": question.status,
            "date_answered": question.date_answered,
            "date_answer_corrected": question.date_answer_corrected,
            "heading": question.heading,
            "question_text": question.question_text,
            "answer_text": question.answer_text,
            "answering_body": question.answering_body_name,
        }

    return cast(list[Version], stored_versions(conn, "question", question_id, describe))


def version_values(
    conn: sqlite3.Connection, question_id: int, kind: str = "question"
) -> list[dict[str, Any]]:
    """The stored API values of every version of a record, oldest first (for diff)."""
    tables = TABLES[kind]
    return [
        json.loads(record)
        for (record,) in conn.execute(
            f"SELECT record FROM {tables.versions} WHERE {tables.key} = ? ORDER BY version",
            [question_id],
        )
    ]


def current_value(conn: sqlite3.Connection, kind: str, record_id: int) -> dict[str, Any]:
    """The stored API value of a record's current version ({} for an unknown id)."""
    tables = TABLES[kind]
    row = conn.execute(
        f"SELECT v.record FROM {tables.versions} v JOIN {tables.table} r"
        f" ON r.id = v.{tables.key} AND v.version = r.version WHERE r.id = ?",
        [record_id],
    ).fetchone()
    return json.loads(row[0]) if row else {}


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# -- the change feed ---------------------------------------------------------------------------


def last_run_id(conn: sqlite3.Connection) -> int | None:
    """The most recent sync that fetched something, or, if there has been none, the most
    recent import. A sync that fetched nothing (the API unreachable, stopped before its first
    window) is no one's "latest sync": its feed would be empty whatever came before it."""
    fetched = (  # windows it completed, by its counts, or (killed before counting) its ledger
        "SELECT max(id) FROM runs r WHERE kind = 'sync' AND (json_extract(counts,"
        " '$.windows_done') > 0 OR EXISTS (SELECT 1 FROM sync_windows w WHERE w.run_id = r.id"
        " AND w.status != 'failed'))"
    )
    for sql in (fetched, "SELECT max(id) FROM runs WHERE kind != 'sync'"):
        row = conn.execute(sql).fetchone()
        if row and row[0] is not None:
            return int(row[0])
    return None


def parse_since(text: str, *, today: date | None = None, end: bool = False) -> str:
    """A timestamp, or a day as `filters.parse_date` reads it (its start, UTC; with `end`, its
    last second, and a month's last day) -> a UTC timestamp string (changes' bounds, which
    compare with seen_at, kept to the second)."""
    from datetime import UTC, datetime, time

    try:
        day = parse_date(text, today=today, end=end)
        moment = datetime.combine(day, time(23, 59, 59) if end else time(), UTC)
    except UsageError:
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"{text!r} is not a date ({DATE_FORMS}), a timestamp (2025-03-01T06:00)"
                + ("" if end else " or last-sync")
            ) from None
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    except OverflowError:  # a moment UTC cannot represent
        raise UsageError(f"{text!r} is out of range as a UTC timestamp") from None


FEED_DAYS = 7  # what `changes` shows when not told where to start


def feed_start(
    conn: sqlite3.Connection, since: str | None, until: str | None = None
) -> tuple[str | None, int | None]:
    """Where the change feed starts: (a UTC moment, None) for a date or a timestamp, (None, the
    latest sync's run) for 'last-sync', and FEED_DAYS days before `until` (a UTC moment, from
    `feed_end`) or now when `since` is None."""
    from datetime import UTC, datetime, timedelta

    if since == "last-sync":
        run_id = last_run_id(conn)
        if run_id is None:
            raise UsageError("nothing has been synced or imported yet")
        return None, run_id
    if since is not None:
        return parse_since(since), None
    end = datetime.fromisoformat(until) if until else datetime.now(UTC)
    return (end - timedelta(days=FEED_DAYS)).isoformat(timespec="seconds"), None


def feed_end(until: str | None) -> str | None:
    """Where the change feed ends, inclusive: a timestamp, or the end of a day (a month: of
    its last day), as a UTC moment; None for no end."""
    return None if until is None else parse_since(until, end=True)


def check_feed_range(start: str | None, end: str | None) -> None:
    """A feed that would end before it starts is a RangeError (said with the moments read)."""
    if start is not None and end is not None and start > end:
        raise RangeError("since", "until", start, end)


def feed_label(since: str | None, until: str | None, start: str | None = None) -> str:
    """What the feed covers, as a digest's first line says it after "since" (`start`: the
    moment feed_start chose when `since` was not given)."""
    if until is None:
        return since or f"the last {FEED_DAYS} days"
    return f"{since or start} until {until}"


@dataclass(frozen=True)
class EventSpan:
    """A span of the events table by id, as a watch reads it: the events after `after` (None:
    from the first) up to `upto`; with `latest`, only each question's latest one there."""

    after: int | None
    upto: int
    latest: bool = False


FEED_KINDS = ("question", "statement")  # the kinds of record whose events make the feed


@dataclass(frozen=True)
class FeedQuery:
    """Which events the change feed reads, beside the filters on their records: seen from
    `since` to `until` (UTC moments), of one run, of some event names, of some kinds of
    record, and (a watch's) a span of one events table."""

    since: str | None = None
    until: str | None = None
    run_id: int | None = None
    events: list[str] | None = None
    kinds: tuple[str, ...] = FEED_KINDS
    span: EventSpan | None = None


def _feed_where(filters: Filters, query: FeedQuery, kind: str) -> tuple[str, dict[str, Any]] | None:
    """The change feed's WHERE over events `e` joined to questions `q` (or statements `s`),
    with its parameters; None when the filters leave out every record of the kind."""
    if kind == "statement":
        found = filters.statement_where("s")
        if found is None:
            return None
        where, params = found
    else:
        where, params = filters.where()
    clauses = [where]
    span = query.span
    if span is not None:
        clauses.append("e.id <= :upto" + ("" if span.after is None else " AND e.id > :after"))
        params.update(upto=span.upto, after=span.after)
        if span.latest:
            tables = TABLES[kind]
            clauses.append(
                f"e.id = (SELECT max(l.id) FROM {tables.events} l"
                f" WHERE l.{tables.key} = e.{tables.key} AND l.id <= :upto)"
            )
    if query.since is not None:
        clauses.append("e.seen_at >= :since")
        params["since"] = query.since
    if query.until is not None:
        clauses.append("e.seen_at <= :until")
        params["until"] = query.until
    if query.run_id is not None:
        clauses.append("e.run_id = :run_id")
        params["run_id"] = query.run_id
    if query.events:
        names = [f"e{i}" for i in range(len(query.events))]
        clauses.append(f"e.event IN ({','.join(':' + n for n in names)})")
        params.update(zip(names, query.events, strict=True))
    return " AND ".join(clauses), params


_FEED_FROM = {
    "question": "events e JOIN questions q ON q.id = e.question_id",
    "statement": "statement_events e JOIN statements s ON s.id = e.statement_id",
}
_FEED_COLUMNS = {
    "question": (
        "'question' AS kind, e.id AS event_id, e.question_id, NULL AS statement_id, e.event,"
        " e.seen_at, e.version, e.run_id, e.old, e.new, q.uin, q.house, q.heading,"
        " q.answering_body_name AS department, q.date_tabled, q.status, q.question_text,"
        " q.answer_text, q.original_answer_text"
    ),
    "statement": (
        "'statement' AS kind, e.id AS event_id, NULL AS question_id, e.statement_id, e.event,"
        " e.seen_at, e.version, e.run_id, e.old, e.new, s.uin, s.house, s.title AS heading,"
        " s.answering_body_name AS department, s.date_made AS date_tabled,"
        " 'statement' AS status, s.text AS question_text, NULL AS answer_text,"
        " NULL AS original_answer_text"
    ),
}


def _feed_parts(
    filters: Filters, select: Callable[[str], str], query: FeedQuery
) -> tuple[list[str], dict[str, Any]]:
    """One SELECT a kind of record (their parameters kept apart), for a UNION ALL or a sum.
    A span is a span of one events table: it takes one kind."""
    if query.span is not None and len(query.kinds) != 1:
        raise ValueError("an EventSpan covers the events of one kind of record")
    parts: list[str] = []
    params: dict[str, Any] = {}
    for kind in query.kinds:
        found = _feed_where(filters, query, kind)
        if found is not None:
            where, more = found
            parts.append(f"SELECT {select(kind)} FROM {_FEED_FROM[kind]} WHERE {where}")
            params.update(more)
    return parts, params


def count_changes(conn: sqlite3.Connection, filters: Filters, query: FeedQuery) -> int:
    """How many events `changes` would list without a limit."""
    parts, params = _feed_parts(filters, lambda k: "count(*)", query)
    return sum(int(conn.execute(sql, params).fetchone()[0]) for sql in parts)


def changes(
    conn: sqlite3.Connection,
    filters: Filters,
    query: FeedQuery,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[Change]:
    """Events newest first, with the record's uin, heading, department and a one-line gist
    (`limit` None: every one), of the kinds of record asked for (questions and statements;
    with a `span`, one kind)."""
    from pqtrack import statement

    parts, params = _feed_parts(filters, _FEED_COLUMNS.__getitem__, query)
    if not parts:
        return []
    sql = (
        " UNION ALL ".join(parts)
        + " ORDER BY seen_at DESC, kind, event_id DESC LIMIT :limit OFFSET :offset"
    )
    params.update(limit=-1 if limit is None else limit, offset=offset)
    out: list[Change] = []
    for row in rows(conn, sql, params):
        old, new = _loads(row.pop("old")), _loads(row.pop("new"))
        question, answer = row.pop("question_text"), row.pop("answer_text")
        original = row.pop("original_answer_text")
        row["old"], row["new"] = old, new
        if row["kind"] == "statement":
            row["url"] = statement.official_url(row["date_tabled"], row["uin"])
            if row["event"] == "revised" and not (old or new):  # the text: what words changed
                row["gist"] = _revised_text(conn, row["statement_id"], row["version"])
            else:
                row["gist"] = statement_gist(row["event"], old, new, row["heading"], question)
            out.append(row)  # type: ignore[arg-type]  # the columns selected are Change's
            continue
        row["url"] = official_url(row["date_tabled"], row["uin"])
        if row["event"] == "statement" and isinstance(new, dict):
            row["gist"] = _corrected_by(new)
        elif row["event"] == "corrected" and original and answer:
            row["gist"] = correction_gist(original, answer)
        else:
            row["gist"] = gist(row["event"], old, new, question, answer)
        out.append(row)  # type: ignore[arg-type]  # the columns selected are Change's
    return out


def gist(event: str, old: Any, new: Any, question: str | None, answer: str | None) -> str:
    """One line saying what happened."""

    def cut(text: str | None, n: int = 140) -> str:
        flat = " ".join((text or "").split())
        return flat if len(flat) <= n else flat[: n - 1] + "…"

    if event in ("transferred", "heading") and (old or new):
        return f"{old or '(none)'} → {new or '(none)'}"
    if event == "tabled":
        return cut(question)
    if event in ("answered", "substantive", "holding", "corrected"):
        return cut(answer)
    return cut(question)


def _corrected_by(new: dict[str, Any]) -> str:
    from pqtrack.statement_records import correction_line

    return correction_line(new)


def statement_gist(event: str, old: Any, new: Any, title: str | None, text: str | None) -> str:
    """One line saying what happened to a written statement."""
    flat = " ".join((text or "").split())
    cut = flat if len(flat) <= 140 else flat[:139] + "…"
    if event == "revised" and (old or new):
        return f"title: {old or '(none)'} → {new or '(none)'}"
    if event == "revised":
        return f"text revised: {cut}"
    if event == "linked" and isinstance(new, dict):
        return f"linked to statement S{new.get('id')} ({new.get('type')}, {new.get('date')})"
    return cut


def _revised_text(conn: sqlite3.Connection, statement_id: int, version: int) -> str:
    """A revised statement's gist: the words its text changed since the version before, as
    `correction_gist` gives them for a corrected answer."""
    from pqtrack import statement

    texts = {
        number: statement.parse(json.loads(record)).text
        for number, record in conn.execute(
            "SELECT version, record FROM statement_versions WHERE statement_id = ?"
            " AND version IN (?, ?)",
            [statement_id, version - 1, version],
        )
    }
    if len(texts) < 2:
        return "text revised"
    return "text revised: " + correction_gist(texts[version - 1], texts[version])


def correction_gist(original: str, corrected: str, limit: int = 200) -> str:
    """The words a correction replaced, in git's word-diff markers: '[-old-]{+new+}; ...'."""
    from pqtrack import diff

    hunks: list[str] = []
    pending = ""
    for op in diff.word_diff(original, corrected):
        text = " ".join(op.text.split())
        if op.kind == "equal":
            if pending:
                hunks.append(pending)
                pending = ""
        elif text:
            pending += f"[-{text}-]" if op.kind == "delete" else f"{{+{text}+}}"
    if pending:
        hunks.append(pending)
    flat = "; ".join(hunks)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
