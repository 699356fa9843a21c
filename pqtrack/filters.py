"""The filters shared by list, search, changes, repeats and stats, and resolving what users type
(dates, houses, statuses, department and member names, question REFs) into them.

Errors name the thing ("no department matches 'x'"), never a command-line flag: `resolve`
raises `FilterError`, whose `field` the CLI turns into the flag it prefixes (`describe`).

Dates are written as people write them: YYYY-MM-DD, a month YYYY-MM (its first day as a lower
bound, its last as an upper bound), today, yesterday, and Nd, Nw, Nm for N days, weeks or
months ago. "Today" is the UTC date, as sync's is; tests pass their own.
"""

from __future__ import annotations

import calendar
import functools
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pqtrack.errors import UsageError
from pqtrack.question import STATUSES
from pqtrack.record import MAX_INT


class FilterError(UsageError):
    """A filter value that cannot be used; `field` is the `resolve` keyword it came in."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def describe(self, flag: Callable[[str], str]) -> str:
        """One line for the user, `flag` turning a field name into what they typed (a message
        that already starts with it, such as an unknown topic's, is left as it is)."""
        option, text = flag(self.field), str(self)
        return text if text.startswith(option) else f"{option}: {text}"


class RangeError(FilterError):
    """A range whose lower bound is after its upper bound, as the user's values were read."""

    def __init__(self, lower: str, upper: str, since: str, until: str) -> None:
        super().__init__(lower, f"{lower} {since} is after {upper} {until}")
        self.upper = upper
        self.since = since
        self.until = until

    def describe(self, flag: Callable[[str], str]) -> str:
        return f"{flag(self.field)} {self.since} is after {flag(self.upper)} {self.until}"


@dataclass
class Filters:
    """Filters shared by list, search, changes, repeats and stats. Ids are already resolved."""

    since: str | None = None  # tabled on or after
    until: str | None = None
    answered_since: str | None = None
    answered_until: str | None = None
    corrected_since: str | None = None  # the answer corrected on or after
    corrected_until: str | None = None
    house: str | None = None  # Commons | Lords
    department_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)  # asker
    answered_by_ids: list[int] = field(default_factory=list)
    status: str | None = None
    named_day: bool | None = None  # True: named-day questions only; False: ordinary ones only
    topic_match: str | None = None  # an FTS5 expression
    query_match: str | None = None  # --query as an FTS5 expression (search.prepare)
    topic_department_ids: list[int] = field(default_factory=list)
    overdue_before: list[int] | None = None  # ids of overdue questions, computed by timeliness
    notes: list[tuple[str, str]] = field(default_factory=list)  # (field, how a name was read)

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
        for column, first, last in (
            ("date_tabled", self.since, self.until),
            ("date_answered", self.answered_since, self.answered_until),
            ("date_answer_corrected", self.corrected_since, self.corrected_until),
        ):
            if first:
                clauses.append(f"{q}.{column} >= {p(first)}")
            if last:
                clauses.append(f"{q}.{column} <= {p(last)}")
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
        if self.named_day is not None:
            clauses.append(f"{q}.is_named_day = {p(int(self.named_day))}")
        matches = [f"({m})" for m in (self.topic_match, self.query_match) if m]
        if matches:  # one MATCH: FTS5 intersects them faster than SQL can
            clauses.append(
                f"{q}.id IN (SELECT rowid FROM questions_fts"
                f" WHERE questions_fts MATCH {p(' AND '.join(matches))})"
            )
        if self.overdue_before is not None:
            # one parameter however many ids: binding tens of thousands one by one is slow
            listed = p(json.dumps(self.overdue_before))
            clauses.append(f"{q}.id IN (SELECT value FROM json_each({listed}))")
        return (" AND ".join(clauses) or "1"), params

    def statement_where(self, alias: str = "s") -> tuple[str, dict[str, Any]] | None:
        """SQL for the filters over the statements table `alias`, or None when a filter only a
        question can pass is set (an answer's dates, its minister, a status, named days,
        overdue). The tabled range is the day a statement was made, the member the minister
        who made it; a topic or --query is matched in the statements' own index."""
        if (
            self.answered_since or self.answered_until or self.corrected_since
            or self.corrected_until or self.answered_by_ids or self.status
            or self.named_day is not None or self.overdue_before is not None
        ):  # fmt: skip
            return None
        clauses: list[str] = []
        params: dict[str, Any] = {}

        def p(value: Any) -> str:
            name = f"g{len(params)}"  # apart from where()'s, so the two can run in one query
            params[name] = value
            return f":{name}"

        s = alias
        if self.since:
            clauses.append(f"{s}.date_made >= {p(self.since)}")
        if self.until:
            clauses.append(f"{s}.date_made <= {p(self.until)}")
        if self.house:
            clauses.append(f"{s}.house = {p(self.house)}")
        for column, ids in (
            ("answering_body_id", self.department_ids),
            ("member_id", self.member_ids),
            ("answering_body_id", self.topic_department_ids),
        ):
            if ids:
                clauses.append(f"{s}.{column} IN ({', '.join(p(i) for i in ids)})")
        matches = [f"({m})" for m in (self.topic_match, self.query_match) if m]
        if matches:
            clauses.append(
                f"{s}.id IN (SELECT rowid FROM statements_fts"
                f" WHERE statements_fts MATCH {p(for_statements(' AND '.join(matches)))})"
            )
        return (" AND ".join(clauses) or "1"), params


_COLUMN_FILTER = re.compile(r"\b(heading|question_text|answer_text) : ")
_STATEMENT_COLUMN = {"heading": "title", "question_text": "text", "answer_text": "text"}


def for_statements(expression: str) -> str:
    """An FTS5 expression over the questions' index made one over the statements' index: a
    heading: filter looks in the title, question: and answer: in the text (quoted terms are
    left as they are)."""
    parts = expression.split('"')
    for i in range(0, len(parts), 2):  # outside quotes
        parts[i] = _COLUMN_FILTER.sub(lambda m: f"{_STATEMENT_COLUMN[m.group(1)]} : ", parts[i])
    return '"'.join(parts)


def resolve(
    conn: sqlite3.Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    answered_since: str | None = None,
    answered_until: str | None = None,
    corrected_since: str | None = None,
    corrected_until: str | None = None,
    house: str | None = None,
    department: str | None = None,
    member: str | None = None,
    answered_by: str | None = None,
    status: str | None = None,
    named_day: bool | None = None,
    topic: str | None = None,
    query: str | None = None,
    today: date | None = None,
) -> Filters:
    """Filters from what a user typed: dates, names or ids, a topic, a query in the search
    language (bad input -> FilterError, naming the keyword in `field`, an inverted date range
    -> RangeError; an unknown topic is the topics module's UsageError)."""

    def checked(name: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except FilterError:
            raise
        except UsageError as exc:
            raise FilterError(name, str(exc)) from None

    tabled = parse_range(since, until, today=today)
    answered = parse_range(
        answered_since, answered_until, today=today, names=("answered_since", "answered_until")
    )
    corrected = parse_range(
        corrected_since, corrected_until, today=today, names=("corrected_since", "corrected_until")
    )
    filters = Filters(
        since=tabled[0],
        until=tabled[1],
        answered_since=answered[0],
        answered_until=answered[1],
        corrected_since=corrected[0],
        corrected_until=corrected[1],
        house=checked("house", parse_house, house),
        status=checked("status", parse_status, status),
        named_day=named_day,
    )
    if department is not None:
        match = checked("department", match_department, conn, department)
        filters.department_ids = match.ids
        if match.note:
            filters.notes.append(("department", match.note))
    if member is not None:
        filters.member_ids = checked("member", resolve_member, conn, member)
    if answered_by is not None:
        filters.answered_by_ids = checked("answered_by", resolve_member, conn, answered_by)
    if topic is not None:
        from pqtrack.topics import load_topics

        chosen = load_topics().get(topic)
        filters.topic_match = chosen.match_expression()
        filters.topic_department_ids = list(chosen.departments)
    if query is not None:
        from pqtrack.search import prepare

        prepared = checked("query", prepare, query, conn)
        filters.query_match = prepared.expressions[0]
        filters.notes.extend(("query", note) for note in prepared.notes)
    return filters


# -- what users type -------------------------------------------------------------------------


DATE_FORMS = "YYYY-MM-DD, a month YYYY-MM, today, yesterday, or days, weeks, months ago: 7d, 2w, 3m"

_AGO = re.compile(r"([0-9]{1,6})([dwm])")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def utc_today() -> date:
    return datetime.now(UTC).date()


def parse_date(text: str, *, today: date | None = None, end: bool = False) -> date:
    """A day as people write it (see the module docstring); a month is its first day, or its
    last with `end` (an upper bound). Bad input -> UsageError saying what is accepted."""
    word = text.strip().lower()
    today = today or utc_today()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if ago := _AGO.fullmatch(word):
        count, unit = int(ago[1]), ago[2]
        try:
            if unit == "m":
                return months_before(today, count)
            return today - timedelta(days=count * (7 if unit == "w" else 1))
        except (ValueError, OverflowError):
            raise UsageError(f"{text!r} is too far back") from None
    if month := _MONTH.fullmatch(word):
        year, number = int(month[1]), int(month[2])
        if not (1 <= number <= 12 and year >= 1):
            raise UsageError(f"{text!r} is not a month (use YYYY-MM)")
        return date(year, number, calendar.monthrange(year, number)[1] if end else 1)
    try:
        return date.fromisoformat(word)
    except ValueError:
        if _DAY.fullmatch(word):
            raise UsageError(f"{text!r} is not a date (use YYYY-MM-DD)") from None
        raise UsageError(f"{text!r} is not a date (use {DATE_FORMS})") from None


def months_before(day: date, count: int) -> date:
    """The same day of the month `count` months earlier, or that month's last day if shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - count, 12)
    month += 1
    if year < 1:
        raise ValueError("before year 1")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_day(text: str | None, *, today: date | None = None, end: bool = False) -> str | None:
    """A user's date (see `parse_date`) -> ISO date string; None stays None."""
    if text is None:
        return None
    return parse_date(text, today=today, end=end).isoformat()


def parse_range(
    since: str | None,
    until: str | None,
    *,
    today: date | None = None,
    names: tuple[str, str] = ("since", "until"),
) -> tuple[str | None, str | None]:
    """A lower and an upper bound as ISO dates (a month: its first day, its last day). A bad
    value -> FilterError naming its field in `names`; lower after upper -> RangeError."""
    bounds: list[str | None] = []
    for name, text, end in ((names[0], since, False), (names[1], until, True)):
        try:
            bounds.append(parse_day(text, today=today, end=end))
        except UsageError as exc:
            raise FilterError(name, str(exc)) from None
    lower, upper = bounds
    if lower is not None and upper is not None and lower > upper:
        raise RangeError(names[0], names[1], lower, upper)
    return lower, upper


def check_sync_range(since: date | None, until: date | None, *, today: date | None = None) -> None:
    """sync's --since/--until, already read as days: the range may not be inverted (RangeError)
    nor start after today, when there is nothing to fetch yet (FilterError)."""
    today = today or utc_today()
    if since is not None and until is not None and since > until:
        raise RangeError("since", "until", since.isoformat(), until.isoformat())
    if since is not None and since > today:
        raise FilterError("since", f"{since} is in the future (today is {today}, UTC)")


def parse_house(text: str | None) -> str | None:
    if text is None:
        return None
    house = text.strip().lower()
    if house not in ("commons", "lords"):
        raise UsageError(f"{text!r} is not commons or lords")
    return house.title()


def parse_status(text: str | None) -> str | None:
    if text is None:
        return None
    if text.lower() not in STATUSES:
        raise UsageError(f"{text!r} is not one of {', '.join(STATUSES)}")
    return text.lower()


def resolve_department(conn: sqlite3.Connection, text: str) -> list[int]:
    """A department by id or name (see `match_department`)."""
    return match_department(conn, text).ids


def match_department(conn: sqlite3.Connection, text: str) -> Match:
    """A department by id; its name (case, accents and apostrophes folded); a short name or a
    former name shipped in data/departments.toml (DHSC, BEIS, DfID: the match's `note` says
    which department that is); else a unique prefix or part of a name."""
    text = text.strip()
    if (number := numeric_id(text)) is not None:
        return Match([number])
    # every saved question with a department adds it to answering_bodies, so no scan is needed
    rows = {int(i): str(name) for i, name in conn.execute("SELECT id, name FROM answering_bodies")}
    catalogue = shipped_catalogue()
    for i, name in catalogue.names.items():
        rows.setdefault(i, name)
    candidates = [
        Named(i, name, (name,), catalogue.forms_of(i, name)) for i, name in sorted(rows.items())
    ]
    return _resolve_name(text, candidates, "department")


@dataclass(frozen=True)
class Match:
    """What a name resolved to: ids, and a note for stderr when the name was not literal."""

    ids: list[int]
    note: str = ""


@dataclass(frozen=True)
class Named:
    """One thing a name may resolve to: `texts` match exactly, by prefix or as a part; `forms`
    (folded short names, surnames, former names) only exactly, each with the note it gives."""

    id: int
    name: str
    texts: tuple[str, ...]
    forms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    """data/departments.toml: ids and names, short names by id, and former names."""

    names: dict[int, str]
    aliases: dict[int, tuple[str, ...]]
    former: tuple[tuple[tuple[str, ...], int, str], ...]  # (names, id it resolves to, note)

    def forms_of(self, number: int, name: str) -> dict[str, str]:
        """Folded short and former names of department `number` -> the note each gives."""
        said = f"is {name} (id {number})"
        forms = {fold(alias): said for alias in self.aliases.get(number, ())}
        for names, target, note in self.former:
            if target == number:
                forms.update((fold(n), f"{said}: {names[-1]} was {note}") for n in names)
        forms.pop(fold(name), None)
        return forms

    def aliases_of(self, number: int) -> list[str]:
        """Short names, then former names, as the data file writes them."""
        former = [n for names, target, _ in self.former if target == number for n in names]
        own = fold(self.names.get(number, ""))
        return [n for n in (*self.aliases.get(number, ()), *former) if fold(n) != own]


def shipped_departments() -> dict[int, str]:
    """Department ids and names that ship in data/departments.toml."""
    return shipped_catalogue().names


@functools.cache
def shipped_catalogue() -> Catalogue:
    """data/departments.toml, read once."""
    import tomllib

    from pqtrack.topics import shipped_file

    path = shipped_file().with_name("departments.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Catalogue(
        names={int(k): str(v) for k, v in data.get("departments", {}).items()},
        aliases={int(k): tuple(v) for k, v in data.get("aliases", {}).items()},
        former=tuple(
            (tuple(f["names"]), int(f["id"]), str(f["note"])) for f in data.get("former", [])
        ),
    )


def department_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every department the database or the shipped list knows: id, name, its short and former
    names, and how many stored questions it answers; by name."""
    catalogue = shipped_catalogue()
    names = dict(catalogue.names)
    names.update((int(i), str(n)) for i, n in conn.execute("SELECT id, name FROM answering_bodies"))
    counts = dict(
        conn.execute(
            "SELECT answering_body_id, count(*) FROM questions"
            " WHERE answering_body_id IS NOT NULL GROUP BY answering_body_id"
        )
    )
    return [
        {
            "id": i,
            "name": name,
            "aliases": catalogue.aliases_of(i),
            "questions": int(counts.get(i, 0)),
        }
        for i, name in sorted(names.items(), key=lambda item: (fold(item[1]), item[0]))
    ]


def numeric_id(text: str) -> int | None:
    """An id typed as ASCII digits, or None if `text` is a name; ids SQLite cannot hold fail."""
    if not re.fullmatch(r"[0-9]+", text):
        return None
    number = int(text)
    if number > MAX_INT:
        raise UsageError(f"{text[:30]!r} is too large to be an id")
    return number


def resolve_member(conn: sqlite3.Connection, text: str) -> list[int]:
    """A member by id, or by name as people type it: the full name or the 'list as' name, or
    "Surname", "Firstname Surname", "Lord Hanson" (case, accents and apostrophes folded), else
    a unique prefix or part of a name."""
    text = text.strip()
    if (number := numeric_id(text)) is not None:
        return [number]
    rows = conn.execute(
        "SELECT id, name, list_as FROM members WHERE name IS NOT NULL OR list_as IS NOT NULL"
    )
    candidates = [
        Named(
            int(i),
            name or list_as,
            tuple(t for t in (name, list_as) if t),
            dict.fromkeys(member_forms(name, list_as), ""),
        )
        for i, name, list_as in rows
    ]
    return _resolve_name(text, candidates, "member").ids


_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018\u02bc\u0060\u00b4\u2032"))
HONORIFICS = frozenset("sir dame dr mr mrs ms miss mx rt hon the prof professor rev".split())
PEERAGES = frozenset(
    "lord baroness lady viscount viscountess earl countess duke marquess bishop".split()
)


def fold(text: str) -> str:
    """A name as compared: accents dropped, apostrophes (' \u2019 \u2018) removed, case and
    spaces folded."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def member_forms(name: str | None, list_as: str | None) -> list[str]:
    """The folded ways people write a member: "Surname", "Firstname Surname", and for peers
    "Lord Surname" and the territorial name ("Hanson of Flint")."""
    words = fold(name or "").split()
    title = words[0] if words and words[0] in PEERAGES else ""
    given = [w for w in words if w not in HONORIFICS and w not in PEERAGES]
    with_comma = list_as and "," in list_as
    surname = fold(list_as.split(",", 1)[0]) if list_as and with_comma else " ".join(given[-1:])
    forms = {surname}
    if title:
        short = surname.split(" of ", 1)[0]
        forms |= {short, f"{title} {short}", f"{title} {surname}"}
    elif given and surname:
        forms.add(f"{given[0]} {surname}")
        forms.add(" ".join(given))
    return sorted(f for f in forms if f)


def _resolve_name(text: str, candidates: list[Named], kind: str) -> Match:
    """Exact name, then a short or former name (its note said), then a unique prefix, then a
    unique part; several different names at the first step that matches -> UsageError."""
    needle = fold(text)
    if not needle:
        raise UsageError(f"empty {kind} name")
    steps: list[Callable[[Named], bool]] = [
        lambda c: any(fold(t) == needle for t in c.texts),
        lambda c: needle in c.forms,
        lambda c: any(fold(t).startswith(needle) for t in c.texts),
        lambda c: any(needle in fold(t) for t in c.texts),
    ]
    for step, test in enumerate(steps):
        hits = [c for c in candidates if test(c)]
        names = sorted({c.name for c in hits})
        if len(names) == 1:
            note = hits[0].forms.get(needle, "") if step == 1 else ""
            return Match(sorted({c.id for c in hits}), f"{text!r} {note}" if note else "")
        if len(names) > 1:
            shown = "; ".join(names[:10]) + ("; ..." if len(names) > 10 else "")
            raise UsageError(f"{text!r} matches {len(names)} {kind}s: {shown}")
    raise UsageError(f"no {kind} matches {text!r}")


_DATE_UIN = re.compile(r"^(\d{4}-\d{2}-\d{2})/([A-Za-z]*\d+)$")
_STATEMENT_UIN = re.compile(r"^(?:(\d{4}-\d{2}-\d{2})/)?(H[CL]WS\d{1,7})$", re.IGNORECASE)
_STATEMENT_ID = re.compile(r"^S(\d{1,12})$", re.IGNORECASE)


def is_statement_ref(ref: str) -> bool:
    """A REF naming a written statement: its UIN (HCWS901, HLWS902), DATE/UIN, or its id
    with the prefix S (S1282168)."""
    ref = ref.strip()
    return bool(_STATEMENT_UIN.match(ref) or _STATEMENT_ID.match(ref))


def resolve_statement_ref(conn: sqlite3.Connection, ref: str) -> int:
    """A statement REF -> its id. UINs restart every session, as questions' do: an ambiguous
    one is a usage error listing the candidates."""
    ref = ref.strip()
    by_id = _STATEMENT_ID.match(ref)
    if by_id:
        found = conn.execute("SELECT id FROM statements WHERE id = ?", [int(by_id.group(1))])
        row = found.fetchone()
        if row is None:
            raise UsageError(f"no written statement {ref!r} in the database")
        return int(row[0])
    match = _STATEMENT_UIN.match(ref)
    if match is None:
        raise UsageError(f"{ref!r} is not a statement id (S1282168), UIN (HCWS901) or DATE/UIN")
    day, uin = match.group(1), match.group(2).upper()
    sql = "SELECT id, date_made FROM statements WHERE uin = ?"
    args: list[Any] = [uin]
    if day:
        sql += " AND date_made = ?"
        args.append(day)
    rows = list(conn.execute(sql + " ORDER BY date_made DESC", args))
    if not rows:
        raise UsageError(f"no written statement {ref!r} in the database")
    if len(rows) > 1:
        listed = ", ".join(f"{d}/{uin} (S{i})" for i, d in rows[:10])
        raise UsageError(f"{ref!r} is ambiguous: {listed}; use S<id> or DATE/UIN")
    return int(rows[0][0])


def _statement_exists(conn: sqlite3.Connection, statement_id: int) -> bool:
    found = conn.execute("SELECT 1 FROM statements WHERE id = ?", [statement_id])
    return found.fetchone() is not None


def resolve_ref(conn: sqlite3.Connection, ref: str) -> int:
    """REF is a question id, a UIN (HL12950, 8024) or DATE/UIN; ambiguity is a usage error."""
    ref = ref.strip()
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
        if ref.isdigit() and _statement_exists(conn, int(ref)):  # an id from a listing's S-id
            raise UsageError(f"no question {ref}; statement S{int(ref)} has that id")
        raise UsageError(f"no question {ref!r} in the database")
    if len(rows) > 1:
        listed = ", ".join(f"{d}/{ref.split('/')[-1].upper()} (id {i})" for i, d, _ in rows[:10])
        raise UsageError(f"{ref!r} is ambiguous: {listed}; use an id or DATE/UIN")
    return int(rows[0][0])
