"""Corpus analysis over the store: repeated answers, referrals, timeliness and overdue questions.

The reads live here beside the pure modules they feed (repeats, referrals, timeliness); like
records.py this module only reads, with parameterised SQL over the shared Filters.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pqtrack import repeats, timeliness
from pqtrack.filters import Filters
from pqtrack.records import get_record
from pqtrack.timeliness import QuestionFacts

if TYPE_CHECKING:
    from pqtrack.derive import Progress
    from pqtrack.store import Store


def today_utc() -> date:
    return datetime.now(UTC).date()


# -- repeated answers -----------------------------------------------------------------------------


@dataclass
class _Member:
    id: int
    uin: str
    date_answered: str | None
    department: str | None
    grouped: list[str]


def repeat_groups(
    store: Store,
    filters: Filters,
    *,
    near: float | None = None,
    min_size: int = 2,
    limit: int = 50,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Groups of questions given the same answer (after normalising), largest first.

    With `near`, answers that are nearly the same (a name or date changed) join a group too.
    Questions answered together (the API's grouped questions) count as one occasion: a group
    that is one such occasion is reported with kind 'grouped', not as a repeat.
    """
    store.refresh_derived(progress, near=near is not None)
    where, params = filters.where()
    conn = store.db.conn
    if near is None:
        sizes = conn.execute(
            "SELECT f.answer_fp, count(*) AS n FROM answer_facts f"
            + (" JOIN questions q ON q.id = f.question_id" if where != "1" else "")
            + f" WHERE f.answer_fp IS NOT NULL AND {where}"
            " GROUP BY f.answer_fp HAVING n >= :min_size ORDER BY n DESC",
            {**params, "min_size": min_size},
        ).fetchall()
        return _largest(
            conn, where, params, [_Candidate("exact", n, [fp]) for fp, n in sizes], limit
        )
    fps, firsts, sizes, tokens, keys, sketches = _distinct_answers(conn, where, params)

    def texts(indexes: list[int]) -> list[str]:
        found = dict(_rows(conn, "q.id, q.answer_text", "q.id", [firsts[i] for i in indexes]))
        return [found[firsts[i]] for i in indexes]

    components = repeats.near_components(tokens, keys, sketches, texts, near)
    candidates = [
        _Candidate("near", sum(sizes[i] for i in c), [fps[i] for i in c]) for c in components
    ]
    joined = {i for c in components for i in c}
    candidates += (
        _Candidate("exact", n, [fp])
        for i, (fp, n) in enumerate(zip(fps, sizes, strict=True))
        if n >= min_size and i not in joined
    )
    candidates.sort(key=lambda c: -c.size)
    return _largest(conn, where, params, [c for c in candidates if c.size >= min_size], limit)


@dataclass
class _Candidate:
    """A group before its members are read: near repeats, or one fingerprint's questions."""

    kind: str
    size: int
    fps: list[str]  # in canonical order (by smallest id): the first one's text is shown


def _distinct_answers(
    conn: sqlite3.Connection, where: str, params: dict[str, Any]
) -> tuple[list[str], list[int], list[int], list[int], list[int | None], list[bytes | None]]:
    """Each distinct answer (fingerprint) in order of its smallest id: the fingerprint, that
    id, how many questions have it, and the near facts (word count, name key, sketch)."""
    found = conn.execute(
        "SELECT f.question_id, f.answer_fp, f.tokens, n.name_key, n.sketch FROM answer_facts f"
        " JOIN near_facts n ON n.question_id = f.question_id"
        + (" JOIN questions q ON q.id = f.question_id" if where != "1" else "")
        + f" WHERE f.answer_fp IS NOT NULL AND {where} ORDER BY f.question_id",
        params,
    )
    # Grouped here rather than by SQL's GROUP BY (then sorted by first id): in id order, the
    # first row of each fingerprint comes first, and one pass is twice as fast.
    fps: list[str] = []
    ids: list[int] = []
    sizes: list[int] = []
    tokens: list[int] = []  # the same for every question of a fingerprint
    keys: list[int | None] = []
    sketches: list[bytes | None] = []
    index: dict[str, int] = {}
    for qid, fp, n, key, sketch in found:
        at = index.setdefault(fp, len(fps))
        if at == len(fps):
            fps.append(fp)
            ids.append(qid)
            sizes.append(1)
            tokens.append(n)
            keys.append(key)
            sketches.append(sketch)
        else:
            sizes[at] += 1
    return fps, ids, sizes, tokens, keys, sketches


def _rows(
    conn: sqlite3.Connection,
    columns: str,
    key: str,
    values: list[Any],
    where: str = "1",
    params: dict[str, Any] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """These columns of the questions (with their answer facts) whose `key` is in `values`
    and that pass `where`."""
    return _chunked(
        conn,
        f"SELECT {columns} FROM questions q JOIN answer_facts f ON f.question_id = q.id"
        f" WHERE {key} IN ({{}}) AND {where} ORDER BY q.id",
        values,
        params,
    )


def _chunked(
    conn: sqlite3.Connection, sql: str, values: list[Any], params: dict[str, Any] | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` for a list of any length, its `{}` filled with named parameters for
    500 values at a time (SQLite caps the parameters of one statement); ordered per chunk."""
    for start in range(0, len(values), 500):
        chunk = {f"v{i}": value for i, value in enumerate(values[start : start + 500])}
        marks = ", ".join(":" + name for name in chunk)
        yield from conn.execute(sql.format(marks), {**(params or {}), **chunk})


def _rank(group: dict[str, Any]) -> tuple[int, int, int]:
    """Most separate occasions first, then most questions, then the oldest."""
    return (-group["occasions"], -group["size"], group["ids"][0])


_MEMBER_COLUMNS = "q.id, q.uin, q.date_answered, q.answering_body_name, q.grouped_uins"


def _member(row: tuple[Any, ...]) -> _Member:
    qid, uin, answered, dept, grouped = row
    return _Member(qid, uin, answered, dept, [] if grouped == "[]" else json.loads(grouped or "[]"))


def _largest(
    conn: sqlite3.Connection,
    where: str,
    params: dict[str, Any],
    candidates: list[_Candidate],
    limit: int,
) -> list[dict[str, Any]]:
    """The `limit` first groups by rank among the candidates (largest first), reading the
    members of only as many as it takes.

    A group's occasions never exceed its size, so once the next size is below the occasions
    of the last group kept, no later group can take its place.
    """
    kept: list[dict[str, Any]] = []
    for candidate in candidates:
        if len(kept) >= limit and candidate.size < kept[-1]["occasions"]:
            break
        members: dict[str, list[_Member]] = defaultdict(list)
        columns = f"f.answer_fp, {_MEMBER_COLUMNS}"
        for row in _rows(conn, columns, "f.answer_fp", candidate.fps, where, params):
            members[row[0]].append(_member(row[1:]))
        parts = [members[fp] for fp in candidate.fps]
        (text,) = conn.execute(
            "SELECT answer_text FROM questions WHERE id = ?", [parts[0][0].id]
        ).fetchone()
        kept.append(_describe(candidate.kind, parts, text))
        kept.sort(key=_rank)
        del kept[limit:]
    return kept


def _describe(kind: str, parts: list[list[_Member]], text: str) -> dict[str, Any]:
    """A group of these parts (one per fingerprint), shown with `text`, the first's answer."""
    members = sorted((m for part in parts for m in part), key=lambda m: m.id)
    occasions = _occasions(members)
    answered = sorted(m.date_answered for m in members if m.date_answered)
    return {
        "kind": "grouped" if occasions == 1 else kind,
        "size": len(members),
        "occasions": occasions,
        "variants": len(parts),
        "ids": [m.id for m in members],
        "uins": [m.uin for m in members],
        "departments": sorted({m.department for m in members if m.department}),
        "first_answered": answered[0] if answered else None,
        "last_answered": answered[-1] if answered else None,
        "answer_text": text,
    }


def _occasions(members: list[_Member]) -> int:
    """How many separate answers the group stands for: questions answered together (grouped,
    on the same day) count once."""
    parent = {m.id: m.id for m in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_key = {(m.uin, m.date_answered): m.id for m in members}
    for m in members:
        for uin in m.grouped:
            other = by_key.get((uin, m.date_answered))
            if other is not None:
                parent[find(other)] = find(m.id)
    return len({find(m.id) for m in members})


# -- referrals ------------------------------------------------------------------------------------


def resolve_referrals(conn: sqlite3.Connection, question_id: int) -> list[dict[str, Any]]:
    """The answers a question's answer refers to, each resolved to a stored question if one fits.

    A UIN names a question only within a session, so a candidate must carry that UIN and, when
    the referral gives a date, have been answered (or corrected) that day; without a date, the
    most recent one tabled before the referring question wins.
    """
    row = conn.execute(
        "SELECT f.referrals, f.question_id IS NOT NULL, q.answer_text, q.date_answered,"
        " q.date_tabled FROM questions q LEFT JOIN answer_facts f ON f.question_id = q.id"
        " WHERE q.id = ?",
        [question_id],
    ).fetchone()
    if row is None:
        return []
    refs_json, derived, text, answered, tabled = row
    if not derived:
        from pqtrack import referrals

        day = date.fromisoformat(answered) if answered else None
        found = [asdict(r) for r in referrals.find_referrals(text or "", answered_on=day)]
    else:
        found = json.loads(refs_json or "[]")
    out = []
    for ref in found:
        for uin in ref.get("uins") or [None]:
            resolved = _resolve(conn, uin, ref.get("date"), tabled) if uin else None
            out.append(
                {
                    "phrase": ref["phrase"],
                    "uin": uin,
                    "date": ref.get("date"),
                    "kind": ref.get("kind", "answer"),
                    "resolved_id": resolved,
                }
            )
    return out


def _resolve(conn: sqlite3.Connection, uin: str, day: str | None, before: str | None) -> int | None:
    if day:
        hit = conn.execute(
            "SELECT id FROM questions WHERE upper(uin) = ? AND (date_answered = ?"
            " OR date_answer_corrected = ? OR date_holding_answer = ?) ORDER BY id DESC",
            [uin.upper(), day, day, day],
        ).fetchone()
        return int(hit[0]) if hit else None  # that UIN on another day is another question
    hit = conn.execute(
        "SELECT id FROM questions WHERE upper(uin) = ? AND date_tabled <= coalesce(?, '9999')"
        " ORDER BY date_tabled DESC LIMIT 1",
        [uin.upper(), before],
    ).fetchone()
    return int(hit[0]) if hit else None


def followed_answers(conn: sqlite3.Connection, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records the resolved referrals point at (for `show --follow`)."""
    seen: set[int] = set()
    out = []
    for ref in refs:
        rid = ref.get("resolved_id")
        if rid and rid not in seen:
            seen.add(rid)
            out.append(dict(get_record(conn, rid)))
    return out


# -- timeliness -----------------------------------------------------------------------------------

_TIMELINESS_COLUMNS = ", ".join(f"q.{name}" for name in timeliness.STORED_COLUMNS)
_FACTS_SQL = (
    f"SELECT {_TIMELINESS_COLUMNS},"
    " CASE WHEN q.is_prorogation_answer THEN q.answer_text END AS answer_text,"
    " f.referrals IS NOT NULL AS refers, {key} AS grp FROM questions q"
    " LEFT JOIN answer_facts f ON f.question_id = q.id {join} WHERE {where}"
)
GROUP_KEYS = {
    "department": ("coalesce(q.answering_body_name, 'unknown')", ""),
    "month": ("substr(q.date_tabled, 1, 7)", ""),
    "member": (
        "coalesce(m.name, 'member ' || q.asking_member_id)",
        "LEFT JOIN members m ON m.id = q.asking_member_id",
    ),
}


def _fact_rows(
    store: Store, filters: Filters, by: str
) -> Iterator[tuple[str, bool, QuestionFacts]]:
    """(group, refers, timeliness facts) of each question that passes the filters."""
    key, join = GROUP_KEYS[by]
    where, params = filters.where()
    cursor = store.db.conn.execute(
        _FACTS_SQL.format(key=key, join=join, where=where + " AND q.date_tabled IS NOT NULL"),
        params,
    )
    for *columns, refers, group in cursor:
        yield str(group), bool(refers), timeliness.from_stored(*columns)


def stats(
    store: Store,
    filters: Filters,
    *,
    by: str,
    today: date | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Counts and timeliness per department, month or asking member."""
    today = today or today_utc()
    store.refresh_derived(progress)
    referrals: dict[str, int] = defaultdict(int)

    def keyed() -> Iterator[tuple[str, QuestionFacts]]:
        for grp, refers, facts in _fact_rows(store, filters, by):
            referrals[grp] += refers
            yield grp, facts

    groups = timeliness.summarise_by(keyed(), today)
    out: list[dict[str, Any]] = []
    for name, g in groups.items():
        out.append(
            {
                by: name,
                "tabled": g.tabled,
                "answered": g.answered,
                "unanswered": g.unanswered,
                "holding": g.holding,
                "corrected": g.corrected,
                "withdrawn": g.withdrawn,
                "lapsed": g.lapsed,
                "overdue": g.overdue,
                "on_time": g.on_time,
                "on_time_rate": _round(g.on_time_rate),
                "holding_rate": _round(g.holding_rate),
                "median_days": g.median_days,
                "median_working_days": g.median_working_days,
                "referrals": referrals[name],
            }
        )
    if by == "month":
        out.sort(key=lambda r: r["month"])
    else:
        out.sort(key=lambda r: (-r["tabled"], r[by]))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def overdue_ids(conn: sqlite3.Connection, filters: Filters, today: date | None = None) -> list[int]:
    """Unanswered (or only holding) questions past their deadline, by the rules in timeliness."""
    today = today or today_utc()
    where, params = filters.where()
    cursor = conn.execute(
        f"SELECT q.id, {_TIMELINESS_COLUMNS} FROM questions q"
        f" WHERE {where} AND q.status IN ('unanswered', 'holding') AND q.date_tabled IS NOT NULL",
        params,
    )
    return [
        qid
        for qid, *columns in cursor
        if timeliness.classify(timeliness.from_stored(*columns), today).overdue(today)
    ]
