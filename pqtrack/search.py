"""Turning a user's search query into a safe FTS5 MATCH expression, and planning the search.

The query language (what `pqtrack search` documents):

* ``rural crime`` – plain words: every one must match (AND). A plain word also matches its
  English inflections (``theft`` finds "thefts", ``police`` finds "policing"): see `inflections`.
* ``"live facial recognition"`` – a phrase; curly quotes work too. A quoted word or phrase
  matches exactly those forms (``"thefts"`` does not find "theft"). An unclosed quote runs to
  the end of the query.
* ``-word`` and ``-"a phrase"`` – exclude (as on TheyWorkForYou): ``asylum -hotels`` is
  ``asylum NOT hotels``; the exclusions of an AND run apply to all of it.
* ``heading:word``, ``question:"a phrase"``, ``answer:thef*`` – match in one column only.
* ``AND``, ``OR``, ``NOT`` – operators, in capitals only (``and``/``or``/``not`` are words).
  NOT binds tightest, then AND, then OR; ``AND NOT`` means ``NOT``.
* ``( ... )`` – grouping. A missing ``)`` is added at the end, a stray ``)`` is ignored.
* ``vaccin*`` – a trailing ``*`` makes a prefix search (``"covid vacc"*`` works on phrases).
* Anything else is text. Punctuation inside a word is kept and the word is searched as a phrase
  of its parts, the way the index split the stored text: ``covid-19`` finds "covid 19" and
  "COVID-19", ``2020/21`` finds "2020/21" and "2020-21", ``don't`` finds "don't" (not "do not").
  So other syntax is only ever text: ``since:2020`` searches for the phrase "since 2020", and
  ``NEAR(``, ``^``, ``{a b}`` and ``+`` have no special meaning. Where such text looks like
  syntax, the reading says how it was taken (`Reading.notes`; the CLI prints them on stderr).
* AND or OR without a term on each side, and NOT with nothing after it, are searched as words
  (``covid OR`` finds "covid" and "or"), as the literal fallback would. NOT (or ``-word``) with
  nothing to exclude from is an error: FTS5 cannot ask for "everything except", and searching
  for the word "not" would return the opposite of what was meant.
* Words with no letters or digits (``-``, ``*``, ``£``, emoji) are ignored.

Limits, so that a pasted document or a hostile script gets a clean error instead of a slow or
failing query: at most 2,000 characters, 64 search terms and parentheses nested 10 deep.
NUL bytes and other control characters count as spaces; unpaired surrogates are dropped.

`to_match` builds its output only from quoted strings, ``*``, the three operators, column
names and parentheses, so FTS5 should never reject it; `literal` is the fallback if it does,
and `search` tries the one and then the other. `to_match` never stems (topics use it);
`prepare` does, against a database's index.

The second half of the module plans the SQL: `search` and `list_records` run newest first (or by
rank) under time guards that switch to another way into the data when the first is slow.
"""

from __future__ import annotations

import sqlite3
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
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
COLUMNS = {"heading": "heading", "question": "question_text", "answer": "answer_text"}
_EXAMPLE = "e.g. 'vaccine NOT covid'"
_SYNTAX = (
    'the syntax is words, "phrases", -word, heading:/question:/answer:, AND/OR/NOT, ( ), prefix*'
)


@dataclass(frozen=True)
class Term:
    """A word or phrase to match: `prefix` when it ended in `*`, `exact` when it was quoted
    (no inflections), `column` an FTS5 column name when it came as heading:/question:/answer:."""

    text: str
    prefix: bool = False
    exact: bool = False
    column: str | None = None


@dataclass(frozen=True)
class Group:
    """Parts joined by one operator: AND/OR over all of them, NOT as left minus right."""

    op: Op
    parts: tuple[Node, ...]


Node = Term | Group


@dataclass(frozen=True)
class _Operator:
    op: Op


@dataclass(frozen=True)
class _Minus:
    """A term written -word or -"phrase": excluded from its AND run."""

    term: Term


_Item = Node | _Operator | _Minus  # one element of a parenthesised level before precedence


@dataclass(frozen=True)
class Reading:
    """How a query was read: its tree, and notes on text that looked like syntax but was not."""

    tree: Node
    notes: tuple[str, ...] = ()


def to_match(query: str) -> str:
    """Translate a user's query into an FTS5 MATCH expression (see the module docstring), every
    word as typed (no inflections: `prepare` adds those).

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
    return read(query).tree


def read(query: str) -> Reading:
    """`parse`, with notes saying how text that looked like syntax was taken."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"search query is too long ({len(query):,} characters; the limit is "
            f"{MAX_QUERY_CHARS:,})"
        )
    text = _clean(query)
    if not text.strip():
        raise QueryError("search query is empty")
    notes: list[str] = []
    levels: list[list[_Item]] = [[]]
    for token in _tokens(text, notes):
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
    return Reading(tree, tuple(dict.fromkeys(notes)))


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


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _tokens(text: str, notes: list[str]) -> list[_Item | str]:
    """Split into terms, operators and the strings "(" and ")"; `notes` gets how text that
    looked like syntax was read."""
    out: list[_Item | str] = []
    i, n = 0, len(text)
    minus = False  # the next term was written -term
    column: str | None = None  # ... or column:term

    def add(term: Term) -> None:
        nonlocal minus, column
        if column is not None:
            term = replace(term, column=column)
        out.append(_Minus(term) if minus else term)
        minus, column = False, None

    while i < n:
        ch = text[i]
        if ch.isspace() or ch in "()":
            minus, column = False, None
            if ch in "()":
                out.append(ch)
            i += 1
        elif ch in QUOTES:
            end = i + 1
            while end < n and text[end] not in QUOTES:
                end += 1
            if end >= n:
                notes.append("an unclosed quote was closed at the end of the query")
            phrase = text[i + 1 : end]
            i = end + 1
            prefix = i < n and text[i] == "*"
            while i < n and text[i] == "*":
                i += 1
            if _searchable(phrase):
                add(Term(" ".join(phrase.split()), prefix, exact=True))
            else:
                minus, column = False, None
        else:
            end = i
            while end < n and not (text[end].isspace() or text[end] in "()" or text[end] in QUOTES):
                end += 1
            word = text[i:end]
            after = text[end] if end < n else ""
            i = end
            if column is None and not minus and (op := OPERATORS.get(word)) is not None:
                out.append(_Operator(op))
                continue
            if word == "-" and after in QUOTES or word[:1] == "-" and word[1:2].isalnum():
                if minus or column is not None:
                    notes.append(f"{_shown(word)} was read as text")
                else:
                    minus = True
                    word = word[1:]
                    if not word:
                        continue
            name, colon, rest = word.partition(":")
            if colon and column is None and name.lower() in COLUMNS:
                column = COLUMNS[name.lower()]
                if not rest:
                    if after not in QUOTES:
                        notes.append(
                            f"{_shown(word)}: a column filter takes a word or a quoted phrase "
                            "right after the colon; it was ignored"
                        )
                        minus, column = False, None
                    continue
                word = rest
            else:
                _note_syntax(word, notes)
            stem = word.rstrip("*")
            if _searchable(stem):
                add(Term(stem, prefix=stem != word))
            else:
                minus, column = False, None
    return out


def _note_syntax(word: str, notes: list[str]) -> None:
    """A note when a word looks like syntax pqtrack does not have: it is searched as text."""
    name, colon, rest = word.partition(":")
    if colon and name.isalpha() and rest and not rest.startswith("//"):
        notes.append(
            f"{_shown(word)} was searched as words: the column filters are heading:, question: "
            "and answer:"
        )
    elif word[:1] in "+^{}~" and len(word) > 1 or word.upper().startswith("NEAR"):
        notes.append(f"{_shown(word)} was searched as text ({_SYNTAX})")


def _close(levels: list[list[_Item]]) -> None:
    node = _build(levels.pop())
    if node is not None:  # "()" and groups of punctuation vanish
        levels[-1].append(node)


def _place_exclusions(items: list[_Item]) -> list[Node | _Operator]:
    """-word becomes NOT word at the end of its AND run (the items between ORs), so that
    `-hotels asylum` reads as `asylum NOT hotels`; an AND written next to it goes with it."""
    out: list[Node | _Operator] = []
    run: list[Node | _Operator] = []
    minuses: list[Term] = []
    drop_and = False

    def flush() -> None:
        if minuses:
            if not any(isinstance(item, Term | Group) for item in run):
                raise QueryError(
                    f"-{_serialise(minuses[0])} excludes, but there is nothing to exclude it "
                    "from (e.g. 'asylum -\"small boats\"')"
                )
            for term in minuses:
                run.extend([_Operator("NOT"), term])
        out.extend(run)
        run.clear()
        minuses.clear()

    for item in items:
        if isinstance(item, _Operator) and item.op == "OR":
            flush()
            out.append(item)
        elif isinstance(item, _Minus):
            minuses.append(item.term)
            drop_and = not (run and run[-1] == _Operator("AND") and run.pop())
        elif drop_and and item == _Operator("AND"):
            drop_and = False
        else:
            run.append(item)
            drop_and = False
    flush()
    return out


def _build(items: list[_Item]) -> Node | None:
    """Apply operator rules and precedence to one parenthesised level."""
    # "a AND NOT b" is how other search engines spell "a NOT b".
    merged: list[Node | _Operator] = []
    for item in _place_exclusions(items):
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


def _serialise(node: Node, forms: Callable[[Term], list[str]] | None = None) -> str:
    """FTS5 text for a tree: quoted terms, explicit AND, parentheses wherever precedence needs.

    Always an explicit AND: FTS5 rejects an implicit AND next to a parenthesised group, and its
    implicit AND binds tighter than NOT (`a NOT b c` is `a NOT (b AND c)`) while the explicit
    one binds looser, as our language says. Parentheses only where needed keep the nesting
    within what FTS5's parser can hold. `forms` gives the words a plain word stands for (its
    inflections, `prepare`); without it every term is matched as typed.
    """
    if isinstance(node, Term):
        words = forms(node) if forms is not None else [node.text]
        text = " OR ".join(_quote(w) for w in words)
        if len(words) > 1:
            text = f"({text})"
        text += "*" if node.prefix else ""
        return f"{node.column} : {text}" if node.column else text
    rendered = []
    for position, part in enumerate(node.parts):
        text = _serialise(part, forms)
        if isinstance(part, Group):
            rank, parent = _RANK[part.op], _RANK[node.op]
            # NOT is not associative: its right side is always grouped.
            if rank < parent or (node.op == "NOT" and position > 0):
                text = f"({text})"
        rendered.append(text)
    return f" {node.op} ".join(rendered)


# -- inflections -----------------------------------------------------------------------------------

# The endings English inflection adds (with the spelling changes Snowball's English stemmer
# undoes: a doubled consonant, y -> i, a dropped e). A form is kept only if the stemmer gives it
# the word's own stem and the index holds it, so these can be generous without matching noise.
ENDINGS = ("", "s", "es", "e", "ed", "d", "ing", "ings", "er", "ers", "y", "ies", "ied")
MAX_FORMS = 12


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: the Snowball project's own stemmers, in C

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Snowball's English stem of a lower-cased word (what `inflections` groups forms by)."""
    return str(_stemmer().stemWord(word))


def candidate_forms(word: str) -> list[str]:
    """The spellings that could be inflections of `word`: those with its stem, word first."""
    word = word.lower()
    root = stem(word)
    bases = {root, word, root + root[-1]}
    if root.endswith("i"):
        bases.add(root[:-1] + "y")
    if word.endswith("e"):
        bases.add(word[:-1])
    found = {word}
    for base in bases:
        for ending in ENDINGS:
            form = base + ending
            if form not in found and stem(form) == root:
                found.add(form)
    return [word, *sorted(found - {word})]


def inflections(conn: sqlite3.Connection, word: str) -> list[str]:
    """`word` and those of its inflections that the index holds (theft -> theft, thefts).

    Why this way (README, Searching): the index's own vocabulary (an fts5vocab table) counts
    every term's documents as it is read, 3-30 ms a word at 200,000 questions; a second index
    with stemmed terms would double the index and could not mix quoted and plain words in one
    MATCH. Asking the index about a few spellings costs some 20 microseconds each.
    """
    forms = candidate_forms(word)
    kept = [forms[0]]
    for form in forms[1:]:
        for index in ("questions_fts", "statements_fts"):  # constants; statements: a few
            probe = f"SELECT 1 FROM {index} WHERE {index} MATCH ? LIMIT 1"
            if conn.execute(probe, [_quote(form)]).fetchone():
                kept.append(form)
                break
    return kept[:MAX_FORMS]


def _inflectable(term: Term) -> bool:
    return not (term.exact or term.prefix) and term.text.isalpha()


@dataclass(frozen=True)
class Prepared:
    """A query ready to run: the FTS5 expressions to try in turn, and notes on its reading."""

    query: str
    expressions: list[str]
    notes: tuple[str, ...] = ()


def prepare(query: str, conn: sqlite3.Connection | None = None, *, exact: bool = False) -> Prepared:
    """A user's query read (`read`), with each plain word widened to the inflections `conn`'s
    index holds unless `exact` (or no connection), then its literal fallback. Raises QueryError
    for a query neither can search for."""
    reading = read(query)
    forms = None
    if conn is not None and not exact:

        def forms(term: Term) -> list[str]:
            return inflections(conn, term.text) if _inflectable(term) else [term.text]

    tried = [_serialise(reading.tree, forms)]
    fallback = literal(query)
    if fallback not in tried:
        tried.append(fallback)
    return Prepared(query, tried, reading.notes)


# -- running a search ----------------------------------------------------------------------------

SNIPPET_OPEN, SNIPPET_CLOSE = "\x02", "\x03"  # highlight markers; views.py turns them into bold


@dataclass
class SearchResult:
    records: list[SearchHit]
    note: str | None = None  # e.g. the relevance guard fell back to newest first
    notes: tuple[str, ...] = ()  # how the query was read
    expression: str = ""  # the FTS5 expression that ran
    way: str = ""  # the way into the data the planner took
    seconds: float = 0.0

    def talk(self, asked: str, *, explain: bool = False) -> list[str]:
        """The lines for stderr: how the query was read, the planner's note, what ran (with
        `explain`), and "no matches for ..." when there are none."""
        lines = [*self.notes, *([self.note] if self.note else [])]
        lines += self.explain() if explain else []
        return lines + ([] if self.records else [f"no matches for {asked!r}"])

    def explain(self) -> list[str]:
        """What `search --explain` prints: the expression, the plan's way in, the time."""
        return [
            f"expression: {self.expression}",
            f"way in: {self.way}",
            f"time: {self.seconds * 1000:.1f} ms, {len(self.records)} result(s)",
        ]


def _sql_limit(limit: int | None) -> int:
    return -1 if limit is None else limit  # SQLite: a negative LIMIT is no limit


def _joined(expression: str, filters: Filters) -> tuple[str, Filters]:
    """The query joined with the filters' topic and --query as one MATCH (FTS5 intersects them
    far faster than SQL can), and the filters left to apply as SQL."""
    also = [m for m in (filters.topic_match, filters.query_match) if m]
    if not also:
        return expression, filters
    joined = " AND ".join(f"({e})" for e in [expression, *also])
    return joined, replace(filters, topic_match=None, query_match=None)


def search(
    conn: sqlite3.Connection,
    query: str | None,
    filters: Filters,
    *,
    limit: int | None,
    offset: int = 0,
    relevance: bool = False,
    exact: bool = False,
) -> SearchResult:
    """The questions matching a user's query: its translation (`prepare`, with inflections
    unless `exact`) if FTS5 takes it, else the `literal` fallback. Without a query, the
    matches of the filters' topic."""
    if query is None:
        if not filters.topic_match:
            raise QueryError("give a search query, or a topic to list its matches")
        prepared = Prepared("", [filters.topic_match])
        filters = replace(filters, topic_match=None)
    else:
        prepared = prepare(query, conn, exact=exact)
    started = time.perf_counter()
    result = search_records(
        conn, prepared.expressions, filters, limit=limit, offset=offset, relevance=relevance
    )
    result.seconds = time.perf_counter() - started
    result.notes = prepared.notes
    return result


def expressions(query: str) -> list[str]:
    """The FTS5 expressions `search` tries in turn without inflections: `to_match`, then
    `literal` if it differs. Raises QueryError for a query neither can search for."""
    return prepare(query).expressions


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
    matches = [_joined(e, filters)[0] for e in expressions]
    filters = replace(filters, topic_match=None, query_match=None)
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
    for number, match in enumerate(matches):
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
                    way = "ranked by bm25"
                except _Interrupted:
                    note = (
                        "ranking took too long for so common a query; showing newest first instead"
                    )
                    hits, way = _newest_first(conn, columns, base, where, args, filters)
                    way = f"ranking stopped at {guard_seconds * 1000:.0f} ms; {way}"
            else:
                hits, way = _newest_first(conn, columns, base, where, args, filters)
        except sqlite3.OperationalError as exc:
            last_error = exc
            continue
        snippet_of = dict(hits)
        records: list[SearchHit] = []
        for record in records_by_id(conn, list(snippet_of)):
            records.append({**record, "snippet": snippet_of[record["id"]]})
        if number:
            way += " (the literal fallback: FTS5 refused the first expression)"
        return SearchResult(records, note, expression=match, way=way)
    raise QueryError(f"cannot search for that: {last_error}")


def count_hits(conn: sqlite3.Connection, expression: str, filters: Filters) -> int | None:
    """How many questions a search matches under the filters (its `SearchResult.expression`,
    which holds the topic and --query already), or None if counting takes longer than
    COUNT_TRY_SECONDS (a very common word): asked only when a table was cut, so that every
    other search stays as quick as it was."""
    match = expression
    where, params = replace(filters, topic_match=None, query_match=None).where()
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
COMMON_MATCHES = 1_000  # matches that make a word common, for choosing the filter way first
FEW_SELECTED = 3_000  # questions an indexed filter selects that make it go first
COUNT_TRY_SECONDS = 0.150  # a cut table's total: within any query's 300 ms with the search
GUARD_STEPS = 10_000  # SQLite virtual-machine steps between looks at the clock


def _newest_first(
    conn: sqlite3.Connection,
    columns: str,
    base: str,
    where: str,
    args: dict[str, Any],
    filters: Filters,
) -> tuple[list[Any], str]:
    """Newest-first hits, starting from whichever side selects fewer rows.

    Following the matches newest first is quickest unless the filters reject most of them
    (a common word before an old --until, or among withdrawn questions). When a quick count
    shows a common match and an indexed filter that selects few questions, the filter goes
    first. Otherwise each way in gets a few milliseconds before the next is tried: the matches;
    the matches below the newest question an --until or --answered-until allows; the questions
    an indexed filter selects, newest first, each tested against the matches; and last the
    matches again, unhurried.
    """
    paging = " LIMIT :limit OFFSET :offset"
    order = " ORDER BY questions_fts.rowid DESC" + paging
    indexed = _indexed_part(filters)
    from_filters = (
        f"{columns} FROM questions q CROSS JOIN questions_fts"
        f" ON questions_fts.rowid = q.id WHERE questions_fts MATCH :match AND {where}"
        " ORDER BY q.id DESC" + paging
    )
    filter_way = "the questions the filters select, newest first, each tested"
    if indexed and _filter_first(conn, indexed, args["match"]):
        try:
            few = "the few questions the filters select (counted first), newest first, each tested"
            return _guarded(conn, from_filters, args, FILTER_TRY_SECONDS), few
        except _Interrupted:
            pass
    try:
        return _guarded(conn, base + order, args, FIRST_TRY_SECONDS), "the matches, newest first"
    except _Interrupted:
        pass
    ceiling = _id_ceiling(conn, filters)
    if ceiling is not None:
        base += " AND questions_fts.rowid <= :ceiling"
        args = {**args, "ceiling": ceiling}
        try:
            hits = _guarded(conn, base + order, args, NEXT_TRY_SECONDS)
            return hits, "the matches below the newest id the date bound allows, newest first"
        except _Interrupted:
            pass
    if indexed:
        try:
            return _guarded(conn, from_filters, args, FILTER_TRY_SECONDS), filter_way
        except _Interrupted:
            pass
    return list(conn.execute(base + order, args)), "the matches, newest first, unhurried"


def _indexed_part(filters: Filters) -> Filters | None:
    """The filters an index serves (status, department, member, answered-by), or None."""
    indexed = Filters(
        status=filters.status,
        department_ids=filters.department_ids,
        member_ids=filters.member_ids,
        answered_by_ids=filters.answered_by_ids,
        topic_department_ids=filters.topic_department_ids,
    )
    return None if indexed == Filters() else indexed


def _filter_first(conn: sqlite3.Connection, indexed: Filters, match: str) -> bool:
    """Whether testing the few questions the indexed filters select beats following the
    matches: at least COMMON_MATCHES matches, at most FEW_SELECTED selected. Both counts stop
    there, so asking costs a fraction of a millisecond."""
    (matches,) = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM questions_fts WHERE questions_fts MATCH ?"
        f" LIMIT {COMMON_MATCHES})",
        [match],
    ).fetchone()
    if matches < COMMON_MATCHES:
        return False
    where, params = indexed.where()
    (selected,) = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM questions q WHERE {where} LIMIT {FEW_SELECTED + 1})",
        params,
    ).fetchone()
    return bool(selected <= FEW_SELECTED)


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
