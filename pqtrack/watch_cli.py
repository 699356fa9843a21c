"""The `watch` commands: saved searches with their own cursors, run into a report on stdout,
an Atom feed or a mail. Options in, one library call (watches.py), render out (reports.py)."""

from __future__ import annotations

import dataclasses
import os
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pqtrack.app import chosen, command
from pqtrack.errors import UsageError
from pqtrack.options import (
    ALL_BUT_QUERY,
    NO_FILTERS,
    DbOption,
    FilterArgs,
    FormatOption,
    NoHeaderOption,
    Parsed,
    QuietOption,
    SearchKind,
    options_of,
)
from pqtrack.output import Format, emit_json, out, say, write

if TYPE_CHECKING:
    from pqtrack.store import Store
    from pqtrack.watches import Report, Watch

app = typer.Typer(
    name="watch",
    help="Saved searches that report what is new since their last run, by mail or Atom.\n\n"
    "Example: pqtrack watch add lfr '\"facial recognition\"' && pqtrack watch run lfr",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EMPTY_EXIT = 3  # --fail-if-empty with nothing to report (as `changes`)


def _name(text: str) -> str:
    from pqtrack.watches import parse_name

    return parse_name(text)


NAME = Parsed("name", _name)
NameArgument = Annotated[
    str,
    typer.Argument(click_type=NAME, metavar="NAME", help="The watch's name.", show_default=False),
]


@command("add", on=app)
def add_cmd(
    name: NameArgument,
    query: Annotated[
        str | None,
        typer.Argument(help="A query in the search language (optional).", show_default=False),
    ] = None,
    db: DbOption = None,
    filters: Annotated[FilterArgs, ALL_BUT_QUERY] = NO_FILTERS,
    record_kind: SearchKind = "all",
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the watch of that name (a fresh start).")
    ] = False,
) -> None:
    """Save a search as a watch: a query and any of the filters list and search take, over
    questions and written statements (--kind for one).

    Example: pqtrack watch add lfr '"facial recognition"' --department "home office"
    """
    from pqtrack import search, watches
    from pqtrack.connect import opened
    from pqtrack.store import utc_now

    if query is not None:
        search.expressions(query)  # a query that cannot be searched fails before the db opens
    filters = dataclasses.replace(filters, query=query, flags=(("query", "query"),))
    with opened(db) as store:
        filters.resolve(store.db.conn)  # names and topics must resolve now, said as typed
        typed = {f.name: getattr(filters, f.name) for f in options_of(FilterArgs)}
        typed["kind"] = None if record_kind == "all" else record_kind
        watch = watches.add(store, name, typed, replace=replace, now=utc_now())
    say(f"pqtrack: watch {watch.name} saved; its first run reports what matches then")


@command("list", on=app)
def list_cmd(
    db: DbOption = None, fmt: FormatOption = None, no_header: NoHeaderOption = False
) -> None:
    """The watches: name, search and when each last ran.

    Example: pqtrack watch list --format json
    """
    from pqtrack import reports, watches
    from pqtrack.connect import reading

    with reading(db) as conn:
        found = watches.every(conn)
    write(reports.WATCHES, reports.watch_rows(found), chosen(fmt), header=not no_header)


@command("show", on=app)
def show_cmd(name: NameArgument, db: DbOption = None, fmt: FormatOption = None) -> None:
    """One watch: its search, the command that makes it, its last run and cursors.

    Example: pqtrack watch show lfr
    """
    from pqtrack import reports, watches
    from pqtrack.connect import reading

    with reading(db) as conn:
        watch = watches.get(conn, name)
    if fmt in (Format.json, Format.jsonl):
        emit_json(out, watch.as_json())
        return
    out.file.write("\n".join(reports.show_lines(watch)) + "\n")


@command("remove", on=app)
def remove_cmd(name: NameArgument, db: DbOption = None) -> None:
    """Delete a watch, its cursors and its runs.

    Example: pqtrack watch remove lfr
    """
    from pqtrack import watches
    from pqtrack.connect import opened

    with opened(db, must_exist=True) as store:
        watches.remove(store, name)
    say(f"pqtrack: watch {name} removed")


class RunFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    atom = "atom"


def _address(text: str) -> str:
    from pqtrack.mail import parse_address

    return parse_address(text)


NamesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        click_type=NAME,
        metavar="[NAME]...",
        help="Watches to run (default: every one).",
        show_default=False,
    ),
]
RunFormatOption = Annotated[
    RunFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text (lines; a table on a terminal), markdown (a digest), json, or atom (a feed: "
        "one watch).",
    ),
]
MailTo = Annotated[
    list[str] | None,
    typer.Option(
        "--mail-to",
        click_type=Parsed("address", _address),
        help="Mail each watch's digest to ADDR (repeatable) through PQTRACK_SMTP_URL "
        "(smtp://host:port, STARTTLS when offered, or smtps://user:password@host) from "
        "PQTRACK_MAIL_FROM.",
        show_default=False,
    ),
]


@command("run", on=app)
def run_cmd(
    names: NamesArgument = None,
    db: DbOption = None,
    fmt: RunFormatOption = RunFormat.text,
    peek: Annotated[
        bool, typer.Option("--peek", help="Report without moving the watch's cursor.")
    ] = False,
    fail_if_empty: Annotated[
        bool,
        typer.Option(
            "--fail-if-empty", help=f"Print nothing and exit {EMPTY_EXIT} when nothing is new."
        ),
    ] = False,
    mail_to: MailTo = None,
    quiet: QuietOption = False,
) -> None:
    """Report what is new for each watch since its last run, then move its cursor on.

    The first run reports what matches now. The cursor moves only once the report is written
    in full (or accepted by the mail server): nothing is missed, and a run killed at the wrong
    moment repeats its news once.

    Example: pqtrack watch run lfr --mail-to you@example.org
    """
    from pqtrack import watches
    from pqtrack.connect import opened

    if fmt == RunFormat.atom and mail_to:
        raise UsageError("--format atom writes a feed to stdout; --mail-to sends a digest")
    mailer = _mailer(mail_to) if mail_to else None
    if fmt == RunFormat.atom and len(names or []) > 1:
        raise UsageError("--format atom writes one feed: name one watch")
    with opened(db, must_exist=True) as store:
        conn = store.db.conn
        chosen_watches = [watches.get(conn, n) for n in dict.fromkeys(names or [])]
        chosen_watches = chosen_watches or watches.every(conn)
        if fmt == RunFormat.atom and len(chosen_watches) != 1:
            raise UsageError("--format atom writes one feed: name one watch")
        if not chosen_watches:
            raise UsageError("no watches yet: pqtrack watch add NAME QUERY makes one")
        earlier = watches.FEED_RUNS if fmt == RunFormat.atom else 0
        found = [
            watches.collect(conn, w, _resolver(conn, w), earlier_runs=earlier)
            for w in chosen_watches
        ]
        if not quiet and mailer is None:  # by mail, each is told once it is sent
            for report in found:
                say(f"pqtrack: {_told(report)}")
        if mailer is not None:
            _deliver_by_mail(store, found, mailer, peek=peek, quiet=quiet)
        else:
            _deliver_to_stdout(store, found, fmt, peek=peek, fail_if_empty=fail_if_empty)
    if fail_if_empty and not any(r.changes for r in found):
        raise typer.Exit(EMPTY_EXIT)


def _told(report: Report) -> str:
    from pqtrack import reports

    if not report.changes and not report.first:
        return f"watch {report.watch.name}: nothing new"
    return reports.summary(report)


def _resolver(conn: Any, watch: Watch) -> Any:
    """The stored search of `watch` to Filters; a value that no longer resolves names the
    watch and its flag."""
    from pqtrack import filters
    from pqtrack.options import field_flags

    def resolve(search: dict[str, Any]) -> Any:
        try:
            with field_flags():
                return filters.resolve(conn, **{k: v for k, v in search.items() if k != "kind"})
        except UsageError as exc:
            raise UsageError(f"watch {watch.name}: {exc}") from None

    return resolve


def _deliver_to_stdout(
    store: Store, found: list[Report], fmt: RunFormat, *, peek: bool, fail_if_empty: bool
) -> None:
    """Write every report, flush, and only then move the cursors."""
    from pqtrack import reports, watches
    from pqtrack.store import utc_now

    now = utc_now()
    if not (fail_if_empty and not any(r.changes for r in found)):
        if fmt == RunFormat.json:
            emit_json(out, [reports.as_json(r) for r in found])
        elif fmt == RunFormat.atom:
            out.file.write(reports.atom(found[0], now))
        elif fmt == RunFormat.markdown:
            out.file.write("\n".join(reports.markdown(r) for r in found if r.changes))
        else:
            rows = [c for r in found for c in r.changes]
            if rows:
                write(reports.text_view(), rows, chosen(None))
        out.file.flush()
        if _is_file(out.file):  # on disk before the cursor moves, not only in the page cache
            os.fsync(out.file.fileno())
    if peek:
        return
    for report in found:
        watches.advance(store, report, delivered="stdout", fmt=fmt.value, now=now)


def _is_file(stream: Any) -> bool:
    """Whether `stream` is a regular file (worth an fsync before the cursor moves)."""
    import stat

    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _mailer(to: list[str]) -> tuple[Any, str, list[str]]:
    """The SMTP server, the sender and the recipients, checked before anything is read."""
    from pqtrack import mail

    server = mail.parse_url(os.environ.get("PQTRACK_SMTP_URL") or mail.DEFAULT_URL)
    sender = mail.parse_address(
        os.environ.get("PQTRACK_MAIL_FROM") or "pqtrack@localhost", "PQTRACK_MAIL_FROM"
    )
    return server, sender, list(dict.fromkeys(to))


def _deliver_by_mail(
    store: Store, found: list[Report], mailer: tuple[Any, str, list[str]], *, peek: bool,
    quiet: bool,
) -> None:  # fmt: skip
    """Mail each report with news; a watch's cursor moves once its mail is accepted."""
    from pqtrack import mail, reports, watches
    from pqtrack.store import utc_now

    server, sender, to = mailer
    for report in found:
        now = utc_now()
        if report.changes:
            msg = mail.message(
                sender=sender, to=to, subject=reports.subject(report), body=reports.markdown(report)
            )
            mail.send(server, msg, to)
        if not quiet:
            mailed = f" Mailed to {', '.join(to)}." if report.changes else ""
            say(f"pqtrack: {_told(report)}{mailed}")
        if not peek:
            watches.advance(store, report, delivered="mail", fmt="markdown", now=now)
