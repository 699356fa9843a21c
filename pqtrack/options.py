"""The command line's shared options, declared once, and parsing their values as it is read.

The filters are the fields of `FilterArgs`, --limit, --offset and --all those of `PageArgs`: a
command takes them all (or `Only` some) by naming a parameter of that type, and `bundled`
spreads it into typer options and gathers them back. --format comes from one factory. Values
are parsed by the library's own parsers while click reads the command line; a bad one is one
line on stderr naming the flag, exit 2, like every usage error pqtrack reports.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer

from pqtrack.errors import UsageError
from pqtrack.output import Format, cut_footer, say

T = TypeVar("T")


class BadValue(click.ClickException):
    """A bad option value: one line on stderr, exit 2, like every usage error pqtrack raises."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        say(f"pqtrack: {self.message}")


def flagged(flag: str, exc: Exception) -> str:
    """A library message (naming the thing) with the flag it came in put in front; a message
    that already starts with the flag is left as it is."""
    text = str(exc)
    return text if text.startswith(flag) else f"{flag}: {text}"


@contextmanager
def flag(name: str) -> Iterator[None]:
    """Library UsageErrors raised inside, said to come from option `name`."""
    try:
        yield
    except UsageError as exc:
        raise type(exc)(flagged(name, exc)) from None


def _flag_of(param: click.Parameter | None) -> str:
    """The option's first long flag: --since for --since/--tabled-since, --limit for -n."""
    if param is None:
        return "value"
    return next((o for o in param.opts if o.startswith("--")), max(param.opts, key=len))


class Parsed(click.ParamType):  # type: ignore[type-arg]
    """A value parsed by `parse` (a library parser) while the command line is read."""

    def __init__(self, name: str, parse: Callable[[str], Any], choices: Sequence[str] = ()):
        self.name = name
        self.parse = parse
        self.choices = tuple(choices)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return f"[{'|'.join(self.choices)}]" if self.choices else self.name.upper()

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value  # a default, already what the command wants
        try:
            return self.parse(value)
        except UsageError as exc:
            raise BadValue(flagged(_flag_of(param), exc)) from None


class Count(click.types.IntParamType):
    """An integer from `low` to SQLite's largest (--limit, --offset)."""

    def __init__(self, low: int) -> None:
        self.low = low

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pqtrack.record import MAX_INT

        number = super().convert(value, param, ctx)
        if not self.low <= number <= MAX_INT:
            raise BadValue(
                f"{_flag_of(param)} must be between {self.low} and {MAX_INT}, not {number}"
            )
        return number


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """--format: the Format values one command can write, case-insensitive."""

    def __init__(self, choices: Sequence[Format]) -> None:
        super().__init__([c.value for c in choices], case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return Format(super().convert(value, param, ctx))


def _day(text: str) -> str | None:
    from pqtrack.filters import parse_day

    return parse_day(text)


def _last_day(text: str) -> str | None:
    from pqtrack.filters import parse_day

    return parse_day(text, end=True)  # a month as an upper bound is its last day


def _house(text: str) -> str | None:
    from pqtrack.filters import parse_house

    return parse_house(text)


def _status(text: str) -> str | None:
    from pqtrack.filters import parse_status

    return parse_status(text)


def _date(text: str) -> date:
    return date.fromisoformat(str(_day(text)))


def _last_date(text: str) -> date:
    return date.fromisoformat(str(_last_day(text)))


def _topic(text: str) -> str:
    """A topic that exists, checked before any command opens the database."""
    from pqtrack.topics import load_topics

    try:
        topics = load_topics()
    except UsageError as exc:  # the file itself is bad, and its line names it: no flag in front
        raise BadValue(str(exc)) from None
    topics.get(text)
    return text


def _api_url(text: str) -> str:
    from pqtrack.client import parse_api_url

    return parse_api_url(text)


API_URL = Parsed("url", _api_url)  # http(s) with a host, refused before anything is stored
DAY = Parsed("date", _day)  # an ISO date string, as the filters take it (a month: its first day)
LAST_DAY = Parsed("date", _last_day)  # the same for an upper bound (a month: its last day)
DATE = Parsed("date", _date)  # a datetime.date
LAST_DATE = Parsed("date", _last_date)
DATES = (
    "DATE: YYYY-MM-DD, a month YYYY-MM, today, yesterday, or 7d, 2w, 3m (days, weeks, months ago)"
)


@contextmanager
def field_flags(renamed: Mapping[str, str] | None = None) -> Iterator[None]:
    """The library's FilterErrors raised inside, said with the flags their fields came in:
    --since for `since`, unless `renamed` gives it another."""
    from pqtrack.filters import FilterError

    def flag(name: str) -> str:
        return (renamed or {}).get(name) or f"--{name.replace('_', '-')}"

    try:
        yield
    except FilterError as exc:
        raise UsageError(exc.describe(flag)) from None


def sync_days(since: date | None, until: date | None) -> None:
    """sync's range checked: an inverted one, or one that starts in the future, is a usage
    error saying how the dates were read."""
    from pqtrack.filters import check_sync_range

    with field_flags():
        check_sync_range(since, until)


def one_of(values: Sequence[str], message: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in values:
            raise UsageError(f"{text!r} is not {message}")
        return text

    return parse


def parse_event(text: str) -> str:
    from pqtrack.question import EVENTS
    from pqtrack.statement import EVENTS as STATEMENT_EVENTS

    known = (*EVENTS, *STATEMENT_EVENTS)
    return one_of(known, f"one of {', '.join(known)}")(text)


# -- options declared once -----------------------------------------------------------------------

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="PQTRACK_DB",
        show_default=False,
        help="Database file (default: pqtrack.db in your user data directory).",
    ),
]
ApiUrlOption = Annotated[
    str,
    typer.Option(
        "--api-url",
        envvar="PQTRACK_API_URL",
        click_type=API_URL,
        help="Written Questions API base URL (http or https, with a host).",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def _as_of(text: str) -> str:
    from pqtrack.importer import as_of

    return as_of(text)


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        click_type=Parsed("date|time", _as_of),
        show_default=False,
        help="When what is imported was seen: a date (its start, UTC) or an ISO time; default now."
        " Questions already stored as seen later are skipped.",
    ),
]
NoHeaderOption = Annotated[
    bool,
    typer.Option("--no-header", help="No header line over plain lines in a pipe, or over CSV."),
]


def format_option(*choices: Format, help: str | None = None) -> Any:
    names = [c.value for c in choices]
    default = f"table (default on a terminal), {', '.join(names[1:-1])} or {names[-1]}."
    return typer.Option("--format", "-f", click_type=FormatChoice(choices), help=help or default)


LISTING = (Format.table, Format.json, Format.jsonl, Format.csv)  # what a listing can be written as
FormatOption = Annotated[Format | None, format_option(*LISTING)]
SummaryFormat = Annotated[
    Format | None, format_option(Format.table, Format.json, help="json prints the summary as JSON.")
]


def _field(*decls: str, help: str, parse: Any = None, default: Any = None) -> Any:
    return field(default=default, metadata={"decls": decls, "help": help, "parse": parse})


def _option(f: Any, decls: Sequence[str] | None = None) -> Any:
    """The typer option of a bundle's field, under its own flags or `decls`."""
    meta = f.metadata
    return typer.Option(*(decls or meta["decls"]), help=meta["help"], click_type=meta["parse"])


@dataclass(frozen=True)
class FilterArgs:
    """The filters of every command that lists, as typed: dates and enums already checked."""

    since: str | None = _field(
        "--since",
        "--tabled-since",
        help=f"Tabled on or after DATE (a month: its first day). {DATES}.",
        parse=DAY,
    )
    until: str | None = _field(
        "--until",
        "--tabled-until",
        help="Tabled on or before DATE (a month: its last day).",
        parse=LAST_DAY,
    )
    answered_since: str | None = _field(
        "--answered-since", help="Answered on or after DATE.", parse=DAY
    )
    answered_until: str | None = _field(
        "--answered-until", help="Answered on or before DATE.", parse=LAST_DAY
    )
    corrected_since: str | None = _field(
        "--corrected-since", help="Answer corrected on or after DATE.", parse=DAY
    )
    corrected_until: str | None = _field(
        "--corrected-until", help="Answer corrected on or before DATE.", parse=LAST_DAY
    )
    house: str | None = _field("--house", help="commons or lords.",
                                parse=Parsed("house", _house, ("commons", "lords")))  # fmt: skip
    department: str | None = _field(
        "--department",
        "-d",
        help="Answering department: id, or name (case-insensitive; a unique prefix or part "
        "will do).",
    )
    member: str | None = _field("--member", "-m", help="Asked by this member: id or name.")
    answered_by: str | None = _field("--answered-by", help="Answered by this member: id or name.")
    status: str | None = _field(
        "--status",
        help="unanswered, holding, answered, corrected or withdrawn.",
        parse=Parsed("status", _status),
    )
    named_day: bool | None = _field(
        "--named-day/--no-named-day",
        help="Only named-day questions, or (--no-named-day) only ordinary ones.",
    )
    topic: str | None = _field(
        "--topic", "-t", help="A topic from `pqtrack topics`.", parse=Parsed("topic", _topic)
    )
    query: str | None = _field(
        "--query", help="Only questions matching this query, written as for `pqtrack search`."
    )
    flags: tuple[tuple[str, str], ...] = ()  # (filter, flag) where a command names it otherwise

    def resolve(self, conn: Any) -> Any:
        """These filters resolved against the database (names and topics to ids and queries);
        a bad value, or a name that matches nothing or too much, is a UsageError naming the
        flag. The one place a FilterArgs becomes the library's Filters."""
        from pqtrack import filters

        flags = dict(self.flags)
        with field_flags(flags):
            values = {f.name: getattr(self, f.name) for f in options_of(FilterArgs)}
            found = filters.resolve(conn, **values)
        for name, note in found.notes:
            say(f"pqtrack: {flags.get(name, '--' + name.replace('_', '-'))}: {note}")
        return found


NO_FILTERS = FilterArgs()
TABLE_ROWS = 50  # what a table on a terminal shows when not told


@dataclass(frozen=True)
class PageArgs:
    """--limit, --offset and --all: how much of a listing to write. Machine formats and plain
    lines in a pipe get every match unless --limit says otherwise; a table on a terminal gets
    the first TABLE_ROWS, and says how many there are in all."""

    limit: int | None = _field(
        "--limit",
        "-n",
        help=f"At most N (0 or --all: every one; default: every one, but {TABLE_ROWS} in a "
        "table on a terminal).",
        parse=Count(0),
    )
    offset: int = _field("--offset", help="Skip the first N.", parse=Count(0), default=0)
    every: bool = _field("--all", help="Every match, even in a table.", default=False)

    def __post_init__(self) -> None:
        if self.every and self.limit is not None:
            raise UsageError("--all and --limit cannot be used together")

    def limit_for(
        self, fmt: Format, defaults: Mapping[Format, int | None] | None = None
    ) -> int | None:
        """How many to write in `fmt` (None: every one). Not told, a format in `defaults` gets
        its default there; a table, TABLE_ROWS; any other, every match."""
        if self.every or self.limit == 0:
            return None
        if self.limit is not None:
            return self.limit
        return {Format.table: TABLE_ROWS, **(defaults or {})}.get(fmt)

    def want(self, fmt: Format, defaults: Mapping[Format, int | None] | None = None) -> int | None:
        """How many rows to read from --offset on for `fmt` (None: all): one more than will be
        written, to learn whether there are more."""
        from pqtrack.record import MAX_INT

        limit = self.limit_for(fmt, defaults)
        return None if limit is None or limit >= MAX_INT else limit + 1

    def cut(
        self,
        fmt: Format,
        rows: list[T],
        count: Callable[[], int | None],
        *,
        defaults: Mapping[Format, int | None] | None = None,
        tell: bool | None = None,
    ) -> tuple[list[T], str | None]:
        """The rows (read as `want` said) to write in `fmt`, and, when they are not all and
        `tell` is set (by default, in a table), the footer saying so, with `count()` as the
        total: asked only then, and None when it cannot be known."""
        limit = self.limit_for(fmt, defaults)
        if limit is None or len(rows) <= limit:
            return rows, None
        rows = rows[:limit]
        if not (fmt == Format.table if tell is None else tell):
            return rows, None
        return rows, cut_footer(len(rows), self.offset, count())


ALL_ROWS = PageArgs()


@dataclass(frozen=True)
class Only:
    """The filters a command offers, when not all of them: Annotated[FilterArgs, Only(...)];
    `flags` gives some of them other flags on this command."""

    names: tuple[str, ...]
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)


def options_of(bundle: type) -> list[Any]:
    """The fields of a bundle that are options (FilterArgs.flags is not)."""
    return [f for f in fields(bundle) if "decls" in f.metadata]


ALL_FILTERS = tuple(f.name for f in options_of(FilterArgs))
ALL_BUT_QUERY = Only(tuple(name for name in ALL_FILTERS if name != "query"))  # search's query
BUNDLES = (FilterArgs, PageArgs)  # is its argument


def bundled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with each bundle parameter (FilterArgs, PageArgs) spread into its options for
    typer, and gathered back into one value when typer calls it."""
    params: list[inspect.Parameter] = []
    bundles: dict[str, tuple[type, dict[str, str], dict[str, Any]]] = {}
    for p in inspect.signature(fn, eval_str=True).parameters.values():
        kind, *extra = typing.get_args(p.annotation) or (p.annotation,)
        if kind not in BUNDLES:
            params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY))
            continue
        only = extra[0] if extra else Only(tuple(f.name for f in options_of(kind)))
        hints = typing.get_type_hints(kind)
        spread: dict[str, str] = {}  # the field's parameter name -> the field
        for f in options_of(kind):
            if f.name not in only.names:
                continue
            name = f"{p.name}_{f.name}"  # never the same as one of the command's own
            spread[name] = f.name
            option = _option(f, only.flags.get(f.name))
            annotation = typing.cast(Any, Annotated)[hints[f.name], option]
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                            default=f.default, annotation=annotation))  # fmt: skip
        renamed = tuple((name, flags[0]) for name, flags in only.flags.items())
        bundles[p.name] = (kind, spread, {"flags": renamed} if renamed else {})

    @functools.wraps(fn)
    def gathered(**kw: Any) -> Any:
        for name, (kind, spread, extra) in bundles.items():
            kw[name] = kind(**{field: kw.pop(key) for key, field in spread.items()}, **extra)
        return fn(**kw)

    gathered.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    gathered.__annotations__ = {p.name: p.annotation for p in params}
    return gathered


# -- the kinds of record ---------------------------------------------------------------------------

RECORD_KINDS = ("question", "statement", "all")  # statement_search.Kind, without importing it


def _kind_option(default: str) -> Any:
    return typer.Option(
        "--kind",
        click_type=Parsed("kind", one_of(RECORD_KINDS, "question, statement or all"), RECORD_KINDS),
        help=f"question, statement or all (default {default}).",
        show_default=False,
    )


ListKind = Annotated[str, _kind_option("question")]
SearchKind = Annotated[str, _kind_option("all")]
