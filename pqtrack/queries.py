"""Read-side SQL: resolving references and names, filters, list, search, history and records.

Every query is parameterised; identifiers never come from user input.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from pqtrack.errors import QueryError, UsageError
from pqtrack.question import STATUSES, official_url, status_of
from pqtrack.record import MAX_INT, parse_date, plain_text
from pqtrack.store import Store

SNIPPET_OPEN, SNIPPET_CLOSE = "\x02", "\x03"  # highlight markers; render.py turns them into bold

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

RECORD_FIELDS = (
    "id",
    "uin",
    "house",
    "date_tabled",
    "date_for_answer",
    "date_answered",
    "date_answer_corrected",
    "date_holding_answer",
    "heading",
    "question_text",
    "answer_text",
    "status",
    "asking_member",
    "asking_member_id",
    "asking_member_party",
    "asking_member_from",
    "answering_member",
    "answering_member_id",
    "correcting_member",
    "answering_body",
    "answering_body_id",
    "is_named_day",
    "is_prorogation_answer",
    "grouped_uins",
    "url",
    "versions",
    "truncated",
    "first_seen",
    "last_seen",
    "last_changed",
)


@dataclass
class Filters:
    """Filters shared by list, search, changes, repeats and stats. Ids are already resolved."""

    since: str | None = None  # tabled on or after
    until: str | None = None
    answered_since: str | None = None
    answered_until: str | None = None
    house: str | None = None  # Commons | Lords
    department_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)  # asker
    answered_by_ids: list[int] = field(default_factory=list)
    status: str | None = None
    topic_match: str | None = None  # an FTS5 expression
    topic_department_ids: list[int] = field(default_factory=list)
    overdue_before: list[int] | None = None  # ids of overdue questions, computed by timeliness

    def where(self, alias: str = "q") -> tuple[str, dict[str, Any]]:
        """SQL for the filters over the questions table `alias`, with named parameters."""
        clauses: list[str] = []
        params: dict[str, Any] = {}

        def p(value: Any) -> str:
            name = f"f{len(params)}"
            params[name] = value
            return f":{name}"

        def one_of(values: list[int]) -> str:
            return "(" + ", ".join(p(v) for v in values) + ")"

        q = alias
        if self.since:
            clauses.append(f"{q}.date_tabled >= {p(self.since)}")
        if self.until:
            clauses.append(f"{q}.date_tabled <= {p(self.until)}")
        if self.answered_since:
            clauses.append(f"{q}.date_answered >= {p(self.answered_since)}")
        if self.answered_until:
            clauses.append(f"{q}.date_answered <= {p(self.answered_until)}")
        if self.house:
            clauses.append(f"{q}.house = {p(self.house)}")
        for column, ids in (
            ("answering_body_id", self.department_ids),
            ("asking_member_id", self.member_ids),
            ("answering_member_id", self.answered_by_ids),
            ("answering_body_id", self.topic_department_ids),
        ):
            if ids:
                clauses.append(f"{q}.{column} IN {one_of(ids)}")
        if self.status:
            clauses.append(f"{q}.status = {p(self.status)}")
        if self.topic_match:
            clauses.append(
                f"{q}.id IN (SELECT rowid FROM questions_fts"
                f" WHERE questions_fts MATCH {p(self.topic_match)})"
            )
        if self.overdue_before is not None:
            clauses.append(f"{q}.id IN {one_of(self.overdue_before or [-1])}")
        return (" AND ".join(clauses) or "1"), params


# -- parsing user input ----------------------------------------------------------------------


def parse_day(text: str | None, option: str) -> str | None:
    """A user's date (YYYY-MM-DD) -> ISO date string, or a UsageError naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date (use YYYY-MM-DD)") from None


def parse_house(text: str | None) -> str | None:
    if text is None:
        return None
    house = text.strip().lower()
    if house not in ("commons", "lords"):
        raise UsageError(f"--house: {text!r} is not commons or lords")
    return house.title()


def parse_status(text: str | None) -> str | None:
    if text is None:
        return None
    if text.lower() not in STATUSES:
        raise UsageError(f"--status: {text!r} is not one of {', '.join(STATUSES)}")
    return text.lower()


def resolve_department(store: Store, text: str) -> list[int]:
    """A department by id or name: exact, unique prefix or unique substring, case-insensitive."""
    text = text.strip()
    if (number := numeric_id(text, "--department")) is not None:
        return [number]
    # every saved question with a department adds it to answering_bodies, so no scan is needed
    rows = list(store.db.conn.execute("SELECT id, name FROM answering_bodies"))
    known = {name for _, name in rows}
    rows += [(i, name) for i, name in shipped_departments().items() if name not in known]
    return _resolve_name(text, rows, "department", "--department")


def shipped_departments() -> dict[int, str]:
    """Department ids and names that ship in data/departments.toml."""
    import tomllib

    from pqtrack.topics import shipped_file

    path = shipped_file().with_name("departments.toml")
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("departments", {})
    return {int(k): str(v) for k, v in table.items()}


def numeric_id(text: str, option: str) -> int | None:
    """An id typed as ASCII digits, or None if `text` is a name; ids SQLite cannot hold fail."""
    if not re.fullmatch(r"[0-9]+", text):
        return None
    number = int(text)
    if number > MAX_INT:
        raise UsageError(f"{option}: {text[:30]!r} is too large to be an id")
    return number


def resolve_member(store: Store, text: str, option: str) -> list[int]:
    text = text.strip()
    if (number := numeric_id(text, option)) is not None:
        return [number]
    rows = list(store.db.conn.execute("SELECT id, name FROM members WHERE name IS NOT NULL"))
    rows += [
        (i, n)
        for i, n in store.db.conn.execute(
            "SELECT id, list_as FROM members WHERE list_as IS NOT NULL"
        )
    ]
    return _resolve_name(text, rows, "member", option)


def _resolve_name(text: str, rows: list[tuple[int, str]], kind: str, option: str) -> list[int]:
    needle = " ".join(text.lower().split())
    if not needle:
        raise UsageError(f"{option}: empty {kind} name")
    for test in (
        lambda n: n == needle,
        lambda n: n.startswith(needle),
        lambda n: needle in n,
    ):
        hits = {(i, n) for i, n in rows if n and test(" ".join(n.lower().split()))}
        names = sorted({n for _, n in hits})
        if len(names) == 1:
            return sorted({i for i, _ in hits})
        if len(names) > 1:
            shown = "; ".join(names[:10]) + ("; ..." if len(names) > 10 else "")
            raise UsageError(f"{option}: {text!r} matches {len(names)} {kind}s: {shown}")
    raise UsageError(f"{option}: no {kind} matches {text!r}")


_DATE_UIN = re.compile(r"^(\d{4}-\d{2}-\d{2})/([A-Za-z]*\d+)$")


def resolve_ref(store: Store, ref: str) -> int:
    """REF is a question id, a UIN (HL12950, 8024) or DATE/UIN; ambiguity is a usage error."""
    ref = ref.strip()
    conn = store.db.conn
    match = _DATE_UIN.match(ref)
    if match:
        rows = list(
            conn.execute(
                "SELECT id, date_tabled, house FROM questions"
                " WHERE date_tabled = ? AND upper(uin) = ?",
                [match.group(1), match.group(2).upper()],
            )
        )
    elif re.fullmatch(r"[A-Za-z]{0,2}\d{1,12}", ref):
        uin = ref.upper()
        rows = []
        if ref.isdigit():
            rows = list(
                conn.execute(
                    "SELECT id, date_tabled, house FROM questions WHERE id = ?", [int(ref)]
                )
            )
            if rows and len(ref) >= 6:  # ids are 6-7 digits; UINs rarely are
                return int(rows[0][0])
        uin_rows = list(
            conn.execute(
                "SELECT id, date_tabled, house FROM questions"
                " WHERE uin = ? ORDER BY date_tabled DESC",
                [uin],
            )
        )
        rows = uin_rows or rows
    else:
        raise UsageError(f"{ref!r} is not a question id, UIN or DATE/UIN")
    if not rows:
        raise UsageError(f"no question {ref!r} in the database")
    if len(rows) > 1:
        listed = ", ".join(f"{d}/{ref.split('/')[-1].upper()} (id {i})" for i, d, _ in rows[:10])
        raise UsageError(f"{ref!r} is ambiguous: {listed}; use an id or DATE/UIN")
    return int(rows[0][0])


# -- records -----------------------------------------------------------------------------------


def to_record(row: dict[str, Any]) -> dict[str, Any]:
    """A questions row (joined with members) -> the public record of CONTRACT.md."""
    out = {k: row.get(k) for k in RECORD_FIELDS}
    out["answering_body"] = row.get("answering_body_name")
    out["is_named_day"] = bool(row.get("is_named_day"))
    out["is_prorogation_answer"] = bool(row.get("is_prorogation_answer"))
    out["truncated"] = bool(row.get("truncated"))
    out["grouped_uins"] = json.loads(row.get("grouped_uins") or "[]")
    out["url"] = official_url(row.get("date_tabled"), row.get("uin"))
    out["versions"] = row.get("version")
    return out


def _rows(store: Store, sql: str, params: list[Any] | dict[str, Any]) -> Iterator[dict[str, Any]]:
    cursor = store.db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def get_record(store: Store, question_id: int) -> dict[str, Any]:
    rows = list(_rows(store, _RECORD_SQL + " WHERE q.id = ?", [question_id]))
    if not rows:
        raise UsageError(f"no question {question_id} in the database")
    record = to_record(rows[0])
    record["original_answer_text"] = rows[0].get("original_answer_text")
    record["answer_html"] = _current_value(store, question_id).get("answerText")
    record["member_has_interest"] = bool(rows[0].get("member_has_interest"))
    record["attachment_count"] = rows[0].get("attachment_count")
    return record


def list_records(
    store: Store, filters: Filters, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Questions newest first. A scan that overruns a few milliseconds is tried again from
    the newest id an --until or --answered-until allows (see _id_ceiling)."""
    where, params = filters.where()
    args = {**params, "limit": limit, "offset": offset}
    order = " ORDER BY q.id DESC LIMIT :limit OFFSET :offset"
    try:
        rows = _guarded(
            store, f"SELECT q.id FROM questions q WHERE {where}{order}", args, LIST_TRY_SECONDS
        )
    except _Interrupted:
        ceiling = _id_ceiling(store, filters)
        if ceiling is not None:
            where += " AND q.id <= :ceiling"
            args["ceiling"] = ceiling
        rows = list(
            store.db.conn.execute(f"SELECT q.id FROM questions q WHERE {where}{order}", args)
        )
    return _records_by_id(store, [qid for (qid,) in rows])


@dataclass
class SearchResult:
    records: list[dict[str, Any]]
    expression: str  # the FTS5 expression that ran
    note: str | None = None  # e.g. the relevance guard fell back to newest first


def search_records(
    store: Store,
    expressions: list[str],
    filters: Filters,
    *,
    limit: int,
    offset: int = 0,
    relevance: bool = False,
    guard_seconds: float = 0.15,  # ranking; the newest-first fallback must fit in 300 ms too
) -> SearchResult:
    """Run the first expression FTS5 accepts (the user's query, then its literal fallback)."""
    if filters.topic_match:  # one MATCH: FTS5 intersects the two far faster than SQL can
        expressions = [f"({e}) AND ({filters.topic_match})" for e in expressions]
        filters = replace(filters, topic_match=None)
    where, params = filters.where()
    # The answer's best fragment if the answer matches, else the question's, else the heading's
    snippets = [f"snippet(questions_fts, {col}, :open, :close, '…', 16)" for col in (2, 1, -1)]
    columns = (
        f"SELECT q.id, CASE WHEN instr({snippets[0]}, :open) THEN {snippets[0]}"
        f" WHEN instr({snippets[1]}, :open) THEN {snippets[1]} ELSE {snippets[2]} END"
    )
    base = (
        f"{columns} FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid"
        f" WHERE questions_fts MATCH :match AND {where}"
    )
    last_error: sqlite3.Error | None = None
    for expression in expressions:
        args = {
            "open": SNIPPET_OPEN,
            "close": SNIPPET_CLOSE,
            "match": expression,
            **params,
            "limit": limit,
            "offset": offset,
        }
        try:
            note = None
            if relevance:
                try:
                    hits = _guarded(
                        store,
                        base + " ORDER BY rank LIMIT :limit OFFSET :offset",
                        args,
                        guard_seconds,
                    )
                except _Interrupted:
                    note = (
                        "ranking took too long for so common a query; showing newest first instead"
                    )
                    hits = _newest_first(store, columns, base, where, args, filters)
            else:
                hits = _newest_first(store, columns, base, where, args, filters)
        except sqlite3.OperationalError as exc:
            last_error = exc
            continue
        snippet_of = dict(hits)
        records = _records_by_id(store, list(snippet_of))
        for record in records:
            record["snippet"] = snippet_of[record["id"]]
        return SearchResult(records, expression, note)
    raise QueryError(f"cannot search for that: {last_error}")


# How long newest-first search may follow the index of matches before trying another way in.
FIRST_TRY_SECONDS = 0.002
NEXT_TRY_SECONDS = 0.010
FILTER_TRY_SECONDS = 0.030  # walking an indexed filter: slower to give up on, costlier to lose
LIST_TRY_SECONDS = 0.005
GUARD_STEPS = 10_000  # SQLite virtual-machine steps between looks at the clock


def _newest_first(
    store: Store,
    columns: str,
    base: str,
    where: str,
    args: dict[str, Any],
    filters: Filters,
) -> list[Any]:
    """Newest-first hits, starting from whichever side selects fewer rows.

    Following the matches newest first is quickest unless the filters reject most of them
    (a common word before an old --until, or among withdrawn questions). So each way in gets
    a few milliseconds before the next is tried: the matches; the matches below the newest
    question an --until or --answered-until allows; the questions an indexed filter selects,
    newest first, each tested against the matches; and last the matches again, unhurried.
    """
    paging = " LIMIT :limit OFFSET :offset"
    order = " ORDER BY questions_fts.rowid DESC" + paging
    try:
        return _guarded(store, base + order, args, FIRST_TRY_SECONDS)
    except _Interrupted:
        pass
    ceiling = _id_ceiling(store, filters)
    if ceiling is not None:
        base += " AND questions_fts.rowid <= :ceiling"
        args = {**args, "ceiling": ceiling}
        try:
            return _guarded(store, base + order, args, NEXT_TRY_SECONDS)
        except _Interrupted:
            pass
    if (
        filters.status
        or filters.department_ids
        or filters.member_ids
        or filters.answered_by_ids
        or filters.topic_department_ids
    ):
        from_filters = (
            f"{columns} FROM questions q CROSS JOIN questions_fts"
            f" ON questions_fts.rowid = q.id WHERE questions_fts MATCH :match AND {where}"
        )
        try:
            return _guarded(
                store, from_filters + " ORDER BY q.id DESC" + paging, args, FILTER_TRY_SECONDS
            )
        except _Interrupted:
            pass
    return list(store.db.conn.execute(base + order, args))


def _id_ceiling(store: Store, filters: Filters) -> int | None:
    """The largest id the date upper bounds let through, or None without such a bound: a
    condition that changes no result but lets a newest-first scan start where it should.
    (Cheap exactly when it helps: the older the bound, the shorter the index range read.)"""
    bounds = []
    for column, index, day in (
        ("date_tabled", "questions_tabled", filters.until),
        ("date_answered", "questions_answered", filters.answered_until),
    ):
        if day:
            (top,) = store.db.conn.execute(
                f"SELECT max(id) FROM questions INDEXED BY {index} WHERE {column} <= ?", [day]
            ).fetchone()
            bounds.append(top or 0)
    return min(bounds) if bounds else None


class _Interrupted(Exception):
    pass


def _guarded(store: Store, sql: str, args: dict[str, Any], seconds: float) -> list[Any]:
    deadline = time.monotonic() + seconds
    conn = store.db.conn
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), GUARD_STEPS)
    try:
        return list(conn.execute(sql, args))
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise _Interrupted from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _records_by_id(store: Store, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    by_id = {
        r["id"]: to_record(r) for r in _rows(store, _RECORD_SQL + f" WHERE q.id IN ({marks})", ids)
    }
    return [by_id[i] for i in ids if i in by_id]


def history(store: Store, question_id: int) -> list[dict[str, Any]]:
    """Every stored version, oldest first, with its events."""
    conn = store.db.conn
    events: dict[int, list[dict[str, Any]]] = {}
    for version, event, old, new in conn.execute(
        "SELECT version, event, old, new FROM events WHERE question_id = ? ORDER BY id",
        [question_id],
    ):
        events.setdefault(version, []).append(
            {"event": event, "old": _loads(old), "new": _loads(new)}
        )
    out = []
    for version, record, changed, seen_at, source, truncated, digest, run_id in conn.execute(
        "SELECT version, record, changed, seen_at, source, truncated, content_hash, run_id"
        " FROM versions WHERE question_id = ? ORDER BY version",
        [question_id],
    ):
        value = json.loads(record)
        out.append(
            {
                "version": version,
                "seen_at": seen_at,
                "status": status_of(value),
                "date_answered": parse_date(value.get("dateAnswered")),
                "date_answer_corrected": parse_date(value.get("dateAnswerCorrected")),
                "heading": value.get("heading"),
                "question_text": value.get("questionText"),
                "answer_text": plain_text(value.get("answerText")) or None,
                "answering_body": value.get("answeringBodyName"),
                "changed": json.loads(changed),
                "events": events.get(version, []),
                "source": source,
                "truncated": bool(truncated),
                "content_hash": digest,
                "run_id": run_id,
            }
        )
    return out


def version_values(store: Store, question_id: int) -> list[dict[str, Any]]:
    """The stored API values of every version, oldest first (for diff)."""
    return [
        json.loads(record)
        for (record,) in store.db.conn.execute(
            "SELECT record FROM versions WHERE question_id = ? ORDER BY version", [question_id]
        )
    ]


def _current_value(store: Store, question_id: int) -> dict[str, Any]:
    row = store.db.conn.execute(
        "SELECT v.record FROM versions v JOIN questions q ON q.id = v.question_id"
        " AND v.version = q.version WHERE q.id = ?",
        [question_id],
    ).fetchone()
    return json.loads(row[0]) if row else {}


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# -- the change feed ---------------------------------------------------------------------------


def last_run_id(store: Store) -> int | None:
    """The most recent sync run, or, if there has been none, the most recent run of any kind."""
    for sql in ("SELECT max(id) FROM runs WHERE kind = 'sync'", "SELECT max(id) FROM runs"):
        row = store.db.conn.execute(sql).fetchone()
        if row and row[0] is not None:
            return int(row[0])
    return None


def parse_since(text: str) -> str:
    """A --since value for changes: a date or an ISO timestamp -> a UTC timestamp string."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    except (ValueError, OverflowError):  # OverflowError: a moment UTC cannot represent
        raise UsageError(
            f"--since: {text!r} is not a date, a timestamp (2025-03-01T06:00) or last-sync"
        ) from None


def changes(
    store: Store,
    filters: Filters,
    *,
    since: str | None = None,
    run_id: int | None = None,
    events: list[str] | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Events newest first, with the question's uin, heading, department and a one-line gist."""
    where, params = filters.where()
    clauses = [where]
    if since is not None:
        clauses.append("e.seen_at >= :since")
        params["since"] = since
    if run_id is not None:
        clauses.append("e.run_id = :run_id")
        params["run_id"] = run_id
    if events:
        names = [f"e{i}" for i in range(len(events))]
        clauses.append(f"e.event IN ({','.join(':' + n for n in names)})")
        params.update(zip(names, events, strict=True))
    sql = (
        "SELECT e.question_id, e.event, e.seen_at, e.version, e.run_id, e.old, e.new,"
        " q.uin, q.house, q.heading, q.answering_body_name AS department, q.date_tabled,"
        " q.status, q.question_text, q.answer_text, q.original_answer_text"
        " FROM events e JOIN questions q ON q.id = e.question_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY e.seen_at DESC, e.id DESC LIMIT :limit"
    )
    out = []
    for row in _rows(store, sql, {**params, "limit": limit}):
        old, new = _loads(row.pop("old")), _loads(row.pop("new"))
        question, answer = row.pop("question_text"), row.pop("answer_text")
        original = row.pop("original_answer_text")
        row["old"], row["new"] = old, new
        row["url"] = official_url(row["date_tabled"], row["uin"])
        if row["event"] == "corrected" and original and answer:
            row["gist"] = correction_gist(original, answer)
        else:
            row["gist"] = gist(row["event"], old, new, question, answer)
        out.append(row)
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
