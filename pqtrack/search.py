"""Turning a user's search query into a safe FTS5 MATCH expression.

The query language (what `pqtrack search` documents):

* ``rural crime`` – plain words: every one must match (AND).
* ``"live facial recognition"`` – a phrase; curly quotes work too. An unclosed quote runs to the
  end of the query.
* ``AND``, ``OR``, ``NOT`` – operators, in capitals only (``and``/``or``/``not`` are words).
  NOT binds tightest, then AND, then OR; ``AND NOT`` means ``NOT``.
* ``( ... )`` – grouping. A missing ``)`` is added at the end, a stray ``)`` is ignored.
* ``vaccin*`` – a trailing ``*`` makes a prefix search (``"covid vacc"*`` works on phrases).
* Anything else is text. Punctuation inside a word is kept and the word is searched as a phrase
  of its parts, the way the index split the stored text: ``covid-19`` finds "covid 19" and
  "COVID-19", ``2020/21`` finds "2020/21" and "2020-21", ``don't`` finds "don't" (not "do not").
  So FTS5 syntax typed by a user is only ever text: ``heading:police`` searches for the phrase
  "heading police" (column filters are deliberately not supported), and ``NEAR(``, ``^``,
  ``{a b}`` and ``+`` have no special meaning.
* AND or OR without a term on each side, and NOT with nothing after it, are searched as words
  (``covid OR`` finds "covid" and "or"), as the literal fallback would. NOT with nothing before
  it is an error: FTS5 cannot ask for "everything except", and searching for the word "not"
  would return the opposite of what was meant.
* Words with no letters or digits (``-``, ``*``, ``£``, emoji) are ignored.

Limits, so that a pasted document or a hostile script gets a clean error instead of a slow or
failing query: at most 2,000 characters, 64 search terms and parentheses nested 10 deep.
NUL bytes and other control characters count as spaces; unpaired surrogates are dropped.

`to_match` builds its output only from quoted strings, ``*``, the three operators and
parentheses, so FTS5 should never reject it; `literal` is the fallback if it does, and
`search` tries the one and then the other.

The second half of the module plans the SQL: `search` and `list_records` run newest first (or by
rank) under time guards that switch to another way into the data when the first is slow.
"""

from __future__ import annotations

import sqlite3
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal

from pqtrack.errors import QueryError
from pqtrack.filters import Filters
from pqtrack.records import QuestionRecord, SearchHit, records_by_id

Op = Literal["AND", "OR", "NOT"]

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
MAX_DEPTH = 10  # FTS5's parser overflows near 33 levels of alternating AND/OR groups

OPERATORS: dict[str, Op] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
QUOTES = frozenset('"\u201c\u201d\u201e')  # " “ ” „
_EXAMPLE = "e.g. 'vaccine NOT covid'"


@dataclass(frozen=True)
class Term:
    """A word or phrase to match; `prefix` when it ended in `*`."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Group:
    """Parts joined by one operator: AND/OR over all of them, NOT as left minus right."""

    op: Op
    parts: tuple[Node, ...]


Node = Term | Group


@dataclass(frozen=True)
class _Operator:
    op: Op


_Item = Node | _Operator  # one element of a parenthesised level before precedence is applied


def to_match(query: str) -> str:
    """Translate a user's query into an FTS5 MATCH expression (see the module docstring).

    >>> to_match('covid-19 vaccin* OR "live facial recognition"')
    '"covid-19" AND "vaccin"* OR "live facial recognition"'

    Raises QueryError for an empty query, one with nothing searchable in it, or one past the
    limits.
    """
    return _serialise(parse(query))


def literal(query: str) -> str:
    """The fallback: every whitespace-separated word as a quoted FTS5 string, all required.

    Valid FTS5 for any text with at least one letter or digit; raises QueryError otherwise.
    """
    words = [w for w in _clean(query).split() if _searchable(w)]
    if not words:
        raise QueryError(_nothing_to_search(query))
    return " ".join(_quote(w) for w in words)


def parse(query: str) -> Node:
    """The query as a tree of terms and operators, repaired as the module docstring describes."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"search query is too long ({len(query):,} characters; the limit is "
            f"{MAX_QUERY_CHARS:,})"
        )
    text = _clean(query)
    if not text.strip():
        raise QueryError("search query is empty")
    levels: list[list[_Item]] = [[]]
    for token in _tokens(text):
        if not isinstance(token, str):
            levels[-1].append(token)
        elif token == "(":
            if len(levels) > MAX_DEPTH:
                raise QueryError(f"search query nests parentheses more than {MAX_DEPTH} deep")
            levels.append([])
        elif len(levels) > 1:  # a ")"; a stray one is ignored
            _close(levels)
    while len(levels) > 1:  # unclosed "(" closes at the end
        _close(levels)
    tree = _build(levels[0])
    if tree is None:
        raise QueryError(_nothing_to_search(query))
    count = _count_terms(tree)
    if count > MAX_TERMS:
        raise QueryError(f"search query has {count} terms; the limit is {MAX_TERMS}")
    return tree


def _clean(query: str) -> str:
    # NUL ends an FTS5 string early and other controls are noise: make them spaces. A lone
    # surrogate cannot be encoded as UTF-8, so sqlite3 would fail before FTS5 saw it.
    out: list[str] = []
    for ch in query:
        if ch.isascii():
            out.append(ch if ch.isprintable() else " ")
            continue
        category = unicodedata.category(ch)
        if category == "Cs":
            continue
        out.append(" " if category == "Cc" else ch)
    return "".join(out)


def _searchable(text: str) -> bool:
    # FTS5's unicode61 tokenizer keeps letters, numbers and private-use characters; a string
    # without any of them would become an empty phrase, which FTS5 treats inconsistently.
    return any(ch.isalnum() or unicodedata.category(ch) == "Co" for ch in text)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _nothing_to_search(query: str) -> str:
    shown = query if len(query) <= 40 else query[:37] + "..."
    return f"search query {shown!r} has no letters or digits to search for"


def _tokens(text: str) -> list[_Item | str]:
    """Split into terms, operators and the strings "(" and ")"."""
    out: list[_Item | str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(ch)
            i += 1
        elif ch in QUOTES:
            end = i + 1
            while end < n and text[end] not in QUOTES:
                end += 1
            phrase = text[i + 1 : end]
            i = end + 1
            prefix = i < n and text[i] == "*"
            while i < n and text[i] == "*":
                i += 1
            if _searchable(phrase):
                out.append(Term(" ".join(phrase.split()), prefix))
        else:
            end = i
            while end < n and not (text[end].isspace() or text[end] in "()" or text[end] in QUOTES):
                end += 1
            word = text[i:end]
            i = end
            op = OPERATORS.get(word)
            if op is not None:
                out.append(_Operator(op))
                continue
            stem = word.rstrip("*")
            if _searchable(stem):
                out.append(Term(stem, prefix=stem != word))
    return out


def _close(levels: list[list[_Item]]) -> None:
    node = _build(levels.pop())
    if node is not None:  # "()" and groups of punctuation vanish
        levels[-1].append(node)


def _build(items: list[_Item]) -> Node | None:
    """Apply operator rules and precedence to one parenthesised level."""
    # "a AND NOT b" is how other search engines spell "a NOT b".
    merged: list[_Item] = []
    for item in items:
        if (
            isinstance(item, _Operator)
            and item.op == "NOT"
            and merged
            and isinstance(merged[-1], _Operator)
            and merged[-1].op == "AND"
        ):
            merged[-1] = item
        else:
            merged.append(item)

    # An operator needs a term on its left and something on its right; otherwise it is a word.
    # NOT with something on its right but nothing on its left would be searched for as the word
    # "not", the opposite of what was meant, so that one is an error.
    cleaned: list[Node | _Operator] = []
    for index, item in enumerate(merged):
        if isinstance(item, _Operator):
            has_left = bool(cleaned) and not isinstance(cleaned[-1], _Operator)
            has_right = index + 1 < len(merged)
            if has_left and has_right:
                cleaned.append(item)
                continue
            if item.op == "NOT" and has_right:
                raise QueryError(f"NOT needs a term before it ({_EXAMPLE})")
            cleaned.append(Term(item.op.lower()))
        else:
            cleaned.append(item)
    if not cleaned:
        return None

    # Precedence: NOT, then AND (explicit or implied by adjacency), then OR.
    alternatives: list[Node] = []
    conjuncts: list[Node] = []
    current: Node | None = None
    pending: Op | None = None
    for item in cleaned:
        if isinstance(item, _Operator):
            pending = item.op
            if pending == "OR":
                assert current is not None
                conjuncts.append(current)
                alternatives.append(_join("AND", conjuncts))
                conjuncts, current = [], None
            continue
        if current is None:
            current = item
        elif pending == "NOT":
            current = Group("NOT", (current, item))
        else:
            conjuncts.append(current)
            current = item
        pending = None
    assert current is not None  # every operator kept above has a term after it
    conjuncts.append(current)
    alternatives.append(_join("AND", conjuncts))
    return _join("OR", alternatives)


def _join(op: Op, parts: list[Node]) -> Node:
    if len(parts) == 1:
        return parts[0]
    flat: list[Node] = []
    for part in parts:  # AND and OR are associative: fewer levels, fewer parentheses
        if isinstance(part, Group) and part.op == op:
            flat.extend(part.parts)
        else:
            flat.append(part)
    return Group(op, tuple(flat))


def _count_terms(node: Node) -> int:
    if isinstance(node, Term):
        return 1
    return sum(_count_terms(part) for part in node.parts)


_RANK = {"OR": 1, "AND": 2, "NOT": 3}


def _serialise(node: Node) -> str:
    """FTS5 text for a tree: quoted terms, explicit AND, parentheses wherever precedence needs.

    Always an explicit AND: FTS5 rejects an implicit AND next to a parenthesised group, and its
    implicit AND binds tighter than NOT (`a NOT b c` is `a NOT (b AND c)`) while the explicit
    one binds looser, as our language says. Parentheses only where needed keep the nesting
    within what FTS5's parser can hold.
    """
    if isinstance(node, Term):
        return _quote(node.text) + ("*" if node.prefix else "")
    rendered = []
    for position, part in enumerate(node.parts):
        text = _serialise(part)
        if isinstance(part, Group):
            rank, parent = _RANK[part.op], _RANK[node.op]
            # NOT is not associative: its right side is always grouped.
            if rank < parent or (node.op == "NOT" and position > 0):
                text = f"({text})"
        rendered.append(text)
    return f" {node.op} ".join(rendered)


# -- running a search ----------------------------------------------------------------------------

SNIPPET_OPEN, SNIPPET_CLOSE = "\x02", "\x03"  # highlight markers; render.py turns them into bold


@dataclass
class SearchResult:
    records: list[SearchHit]
    note: str | None = None  # e.g. the relevance guard fell back to newest first
    expression: str = ""  # the FTS5 expression that was run (`count_hits` counts its matches)


def _sql_limit(limit: int | None) -> int:
    return -1 if limit is None else limit  # SQLite: a negative LIMIT is no limit


def _with_topic(expression: str, filters: Filters) -> tuple[str, Filters]:
    """A topic joined to the query as one MATCH: FTS5 intersects the two far faster than SQL."""
    if not filters.topic_match:
        return expression, filters
    return f"({expression}) AND ({filters.topic_match})", replace(filters, topic_match=None)


def search(
    conn: sqlite3.Connection,
    query: str,
    filters: Filters,
    *,
    limit: int | None,
    offset: int = 0,
    relevance: bool = False,
) -> SearchResult:
    """The questions matching a user's query: its translation (`to_match`) if FTS5 takes it,
    else the `literal` fallback (`limit` None: every one)."""
    return search_records(
        conn, expressions(query), filters, limit=limit, offset=offset, relevance=relevance
    )


def expressions(query: str) -> list[str]:
    """The FTS5 expressions `search` tries in turn: `to_match`, then `literal` if it differs.
    Raises QueryError for a query neither can search for."""
    tried = [to_match(query)]
    fallback = literal(query)
    if fallback not in tried:
        tried.append(fallback)
    return tried


def search_records(
    conn: sqlite3.Connection,
    expressions: list[str],
    filters: Filters,
    *,
    limit: int | None,
    offset: int = 0,
    relevance: bool = False,
    guard_seconds: float = 0.15,  # ranking; the newest-first fallback must fit in 300 ms too
) -> SearchResult:
    """Run the first FTS5 expression FTS5 accepts."""
    matches = [_with_topic(e, filters)[0] for e in expressions]
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
    for expression, match in zip(expressions, matches, strict=True):
        args = {
            "open": SNIPPET_OPEN,
            "close": SNIPPET_CLOSE,
            "match": match,
            **params,
            "limit": _sql_limit(limit),
            "offset": offset,
        }
        try:
            note = None
            if relevance:
                try:
                    hits = _guarded(
                        conn,
                        base + " ORDER BY rank LIMIT :limit OFFSET :offset",
                        args,
                        guard_seconds,
                    )
                except _Interrupted:
                    note = (
                        "ranking took too long for so common a query; showing newest first instead"
                    )
                    hits = _newest_first(conn, columns, base, where, args, filters)
            else:
                hits = _newest_first(conn, columns, base, where, args, filters)
        except sqlite3.OperationalError as exc:
            last_error = exc
            continue
        snippet_of = dict(hits)
        records: list[SearchHit] = []
        for record in records_by_id(conn, list(snippet_of)):
            records.append({**record, "snippet": snippet_of[record["id"]]})
        return SearchResult(records, note, expression)
    raise QueryError(f"cannot search for that: {last_error}")


def count_hits(conn: sqlite3.Connection, expression: str, filters: Filters) -> int | None:
    """How many questions a search (its `SearchResult.expression`) matches under the filters,
    or None if counting takes longer than COUNT_TRY_SECONDS (a very common word): asked only
    when a table was cut, so that every other search stays as quick as it was."""
    match, filters = _with_topic(expression, filters)
    where, params = filters.where()
    # the matches' ids gathered once, then the filtered questions probed against them: never
    # one MATCH per question, which the planner picks for an indexed filter if let
    sql = (
        f"SELECT count(*) FROM questions q WHERE {where}"
        " AND q.id IN (SELECT rowid FROM questions_fts WHERE questions_fts MATCH :match)"
    )
    if where == "1":
        sql = "SELECT count(*) FROM questions_fts WHERE questions_fts MATCH :match"
    return _count(conn, sql, {**params, "match": match})


def count_questions(conn: sqlite3.Connection, filters: Filters) -> int | None:
    """How many questions pass the filters (`list_records` without its limit), or None if
    counting takes longer than COUNT_TRY_SECONDS."""
    where, params = filters.where()
    return _count(conn, f"SELECT count(*) FROM questions q WHERE {where}", params)


def _count(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> int | None:
    try:
        return int(_guarded(conn, sql, params, COUNT_TRY_SECONDS)[0][0])
    except _Interrupted:
        return None


def list_records(
    conn: sqlite3.Connection, filters: Filters, *, limit: int | None, offset: int = 0
) -> list[QuestionRecord]:
    """Questions newest first (`limit` None: every one). A scan that overruns a few
    milliseconds is tried again from the newest id an --until or --answered-until allows
    (see _id_ceiling)."""
    where, params = filters.where()
    args = {**params, "limit": _sql_limit(limit), "offset": offset}
    order = " ORDER BY q.id DESC LIMIT :limit OFFSET :offset"
    try:
        rows = _guarded(
            conn, f"SELECT q.id FROM questions q WHERE {where}{order}", args, LIST_TRY_SECONDS
        )
    except _Interrupted:
        ceiling = _id_ceiling(conn, filters)
        if ceiling is not None:
            where += " AND q.id <= :ceiling"
            args["ceiling"] = ceiling
        rows = list(conn.execute(f"SELECT q.id FROM questions q WHERE {where}{order}", args))
    return records_by_id(conn, [qid for (qid,) in rows])


# How long newest-first search may follow the index of matches before trying another way in.
FIRST_TRY_SECONDS = 0.002
NEXT_TRY_SECONDS = 0.010
FILTER_TRY_SECONDS = 0.030  # walking an indexed filter: slower to give up on, costlier to lose
LIST_TRY_SECONDS = 0.005
COUNT_TRY_SECONDS = 0.150  # a cut table's total: within any query's 300 ms with the search
GUARD_STEPS = 10_000  # SQLite virtual-machine steps between looks at the clock


def _newest_first(
    conn: sqlite3.Connection,
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
        return _guarded(conn, base + order, args, FIRST_TRY_SECONDS)
    except _Interrupted:
        pass
    ceiling = _id_ceiling(conn, filters)
    if ceiling is not None:
        base += " AND questions_fts.rowid <= :ceiling"
        args = {**args, "ceiling": ceiling}
        try:
            return _guarded(conn, base + order, args, NEXT_TRY_SECONDS)
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
                conn, from_filters + " ORDER BY q.id DESC" + paging, args, FILTER_TRY_SECONDS
            )
        except _Interrupted:
            pass
    return list(conn.execute(base + order, args))


def _id_ceiling(conn: sqlite3.Connection, filters: Filters) -> int | None:
    """The largest id the date upper bounds let through, or None without such a bound: a
    condition that changes no result but lets a newest-first scan start where it should.
    (Cheap exactly when it helps: the older the bound, the shorter the index range read.)"""
    bounds = []
    for column, index, day in (
        ("date_tabled", "questions_tabled", filters.until),
        ("date_answered", "questions_answered", filters.answered_until),
    ):
        if day:
            (top,) = conn.execute(
                f"SELECT max(id) FROM questions INDEXED BY {index} WHERE {column} <= ?", [day]
            ).fetchone()
            bounds.append(top or 0)
    return min(bounds) if bounds else None


class _Interrupted(Exception):
    pass


def _guarded(conn: sqlite3.Connection, sql: str, args: dict[str, Any], seconds: float) -> list[Any]:
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), GUARD_STEPS)
    try:
        return list(conn.execute(sql, args))
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise _Interrupted from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
