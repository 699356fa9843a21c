"""The command line's shared options, declared once, and parsing their values as it is read.

The filters are the fields of `FilterArgs`: a command takes them all (or `Only` some) by naming
a `FilterArgs` parameter, and `bundled` spreads that parameter into typer options and gathers
them back. --limit, --offset and --format come from one factory each. Values are parsed by the
library's own parsers while click reads the command line; a bad one is one line on stderr
naming the flag, exit 2, like every usage error pqtrack reports.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from pqtrack.errors import UsageError
from pqtrack.render import Format, say


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
    return max(param.opts, key=len) if param is not None else "value"


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
def field_flags() -> Iterator[None]:
    """The library's FilterErrors raised inside, said with the flags their fields came in."""
    from pqtrack.filters import FilterError

    try:
        yield
    except FilterError as exc:
        raise UsageError(exc.describe(lambda name: f"--{name.replace('_', '-')}")) from None


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

    return one_of(EVENTS, f"one of {', '.join(EVENTS)}")(text)


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
OffsetOption = Annotated[
    int, typer.Option("--offset", click_type=Count(0), help="Skip the first N results.")
]


def limit_option(what: str) -> Any:
    return typer.Option("--limit", "-n", click_type=Count(1), help=f"At most N {what}.")


def format_option(*choices: Format, help: str | None = None) -> Any:
    names = [c.value for c in choices]
    default = f"table (default on a terminal), {', '.join(names[1:-1])} or {names[-1]}."
    return typer.Option("--format", "-f", click_type=FormatChoice(choices), help=help or default)


FormatOption = Annotated[
    Format | None, format_option(Format.table, Format.json, Format.jsonl, Format.csv)
]
SummaryFormat = Annotated[
    Format | None, format_option(Format.table, Format.json, help="json prints the summary as JSON.")
]


def _filter(*decls: str, help: str, parse: Any = None) -> Any:
    option = typer.Option(*decls, help=help, click_type=parse)
    return field(default=None, metadata={"option": option})


@dataclass(frozen=True)
class FilterArgs:
    """The filters of every command that lists, as typed: dates and enums already checked."""

    since: str | None = _filter(
        "--since", help=f"Tabled on or after DATE (a month: its first day). {DATES}.", parse=DAY
    )
    until: str | None = _filter(
        "--until", help="Tabled on or before DATE (a month: its last day).", parse=LAST_DAY
    )
    answered_since: str | None = _filter(
        "--answered-since", help="Answered on or after DATE.", parse=DAY
    )
    answered_until: str | None = _filter(
        "--answered-until", help="Answered on or before DATE.", parse=LAST_DAY
    )
    house: str | None = _filter("--house", help="commons or lords.",
                                parse=Parsed("house", _house, ("commons", "lords")))  # fmt: skip
    department: str | None = _filter(
        "--department",
        "-d",
        help="Answering department: id, or name (case-insensitive; a unique prefix or part "
        "will do).",
    )
    member: str | None = _filter("--member", "-m", help="Asked by this member: id or name.")
    answered_by: str | None = _filter("--answered-by", help="Answered by this member: id or name.")
    status: str | None = _filter(
        "--status",
        help="unanswered, holding, answered, corrected or withdrawn.",
        parse=Parsed("status", _status),
    )
    topic: str | None = _filter(
        "--topic", "-t", help="A topic from `pqtrack topics`.", parse=Parsed("topic", _topic)
    )
    query: str | None = _filter(
        "--query", help="Only questions matching this query, written as for `pqtrack search`."
    )

    def resolve(self, conn: Any) -> Any:
        """These filters resolved against the database (names and topics to ids and queries);
        a bad value, or a name that matches nothing or too much, is a UsageError naming the
        flag. The one place a FilterArgs becomes the library's Filters."""
        from pqtrack import filters

        with field_flags():
            resolved = filters.resolve(
                conn, **{f.name: getattr(self, f.name) for f in fields(self)}
            )
        for note in resolved.query_notes:
            say(f"pqtrack: --query: {note}")
        return resolved


NO_FILTERS = FilterArgs()


@dataclass(frozen=True)
class Only:
    """The filters a command offers, when not all of them: Annotated[FilterArgs, Only(...)]."""

    names: tuple[str, ...]


ALL_BUT_QUERY = Only(tuple(f.name for f in fields(FilterArgs) if f.name != "query"))  # search


def bundled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with each FilterArgs parameter spread into its options for typer, and gathered back
    into one FilterArgs value when typer calls it."""
    hints = typing.get_type_hints(FilterArgs)
    params: list[inspect.Parameter] = []
    bundles: dict[str, tuple[str, ...]] = {}
    for p in inspect.signature(fn, eval_str=True).parameters.values():
        kind, *extra = typing.get_args(p.annotation) or (p.annotation,)
        if kind is not FilterArgs:
            params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY))
            continue
        names = extra[0].names if extra else tuple(f.name for f in fields(FilterArgs))
        bundles[p.name] = names
        for f in fields(FilterArgs):
            if f.name in names:
                annotation = typing.cast(Any, Annotated)[hints[f.name], f.metadata["option"]]
                params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY,
                                                default=None, annotation=annotation))  # fmt: skip

    @functools.wraps(fn)
    def gathered(**kw: Any) -> Any:
        for name, names in bundles.items():
            kw[name] = FilterArgs(**{n: kw.pop(n) for n in names})
        return fn(**kw)

    gathered.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    gathered.__annotations__ = {p.name: p.annotation for p in params}
    return gathered
