"""Exact repeats: answers that are the same once normalised, grouped by fingerprint.

``text.normalise`` drops HTML tags, decodes entities, applies NFKC, case-folds, turns every
Unicode punctuation character (category P: also ``%``, ``&``, ``#``) into a space and
collapses whitespace; symbols such as ``£`` and ``+`` are kept. ``digest`` of that is the
fingerprint: a 64-bit BLAKE2b, as 16 hex digits. ``FINGERPRINT_ALGORITHM`` names the recipe;
pqtrack.facts stores it beside the fingerprints and computes them again when it changes.
Full answer texts only: the list endpoint's cut 255-character texts fingerprint differently
from the full ones, so they get none.

``repeat_groups`` groups the stored fingerprints in SQL (and with ``near`` joins in the near
repeats that near.py finds), then reads the members of only the groups it shows.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pqtrack.analysis.near import chunked, near_repeats
from pqtrack.analysis.text import normalise, word_count

if TYPE_CHECKING:  # types only: a worker process importing this module stays light
    from pqtrack.filters import Filters
    from pqtrack.store import Store

__all__ = ["FINGERPRINT_ALGORITHM", "digest", "normalise", "repeat_groups", "word_count"]

FINGERPRINT_ALGORITHM = "blake2b64:nfkc-casefold-nopunct-v1"


def digest(normalised: str) -> str:
    """The fingerprint of text already normalised (``normalise``)."""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).hexdigest()


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
) -> list[dict[str, Any]]:
    """Groups of questions given the same answer (after normalising), largest first.

    With `near`, answers that are nearly the same (a name or date changed) join a group too.
    Questions answered together (the API's grouped questions) count as one occasion: a group
    that is one such occasion is reported with kind 'grouped', not as a repeat.

    Reads the answer facts (and with `near` the near facts): pqtrack.facts.refresh first.
    """
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
    groups, alone = near_repeats(conn, where, params, near)
    candidates = [_Candidate("near", size, fps) for size, fps in groups]
    candidates += (_Candidate("exact", n, [fp]) for fp, n in alone if n >= min_size)
    candidates.sort(key=lambda c: -c.size)
    return _largest(conn, where, params, [c for c in candidates if c.size >= min_size], limit)


@dataclass
class _Candidate:
    """A group before its members are read: near repeats, or one fingerprint's questions."""

    kind: str
    size: int
    fps: list[str]  # in canonical order (by smallest id): the first one's text is shown


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
    return chunked(
        conn,
        f"SELECT {columns} FROM questions q JOIN answer_facts f ON f.question_id = q.id"
        f" WHERE {key} IN ({{}}) AND {where} ORDER BY q.id",
        values,
        params,
    )


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
