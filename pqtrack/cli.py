"""The pqtrack command line: parse options, call one library function, render, map errors."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from pqtrack import __version__
from pqtrack.errors import PqtrackError, UsageError

app = typer.Typer(
    name="pqtrack",
    help="Track UK Parliament written questions and answers, keeping every version in SQLite.",
    epilog="Example: pqtrack sync && pqtrack search '\"facial recognition\"' --since 2025-01-01",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="PQTRACK_DB",
        show_default=False,
        help="Database file (default: pqtrack.db in your user data directory).",
    ),
]
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="table (default on a terminal), json, jsonl or csv.",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Tabled on or after DATE (YYYY-MM-DD).")
]
UntilOption = Annotated[str | None, typer.Option("--until", help="Tabled on or before DATE.")]
AnsweredSinceOption = Annotated[
    str | None, typer.Option("--answered-since", help="Answered on or after DATE.")
]
AnsweredUntilOption = Annotated[
    str | None, typer.Option("--answered-until", help="Answered on or before DATE.")
]
HouseOption = Annotated[str | None, typer.Option("--house", help="commons or lords.")]
DepartmentOption = Annotated[
    str | None,
    typer.Option(
        "--department",
        "-d",
        help="Answering department: id, or name (case-insensitive; a unique prefix or part "
        "will do).",
    ),
]
MemberOption = Annotated[
    str | None, typer.Option("--member", "-m", help="Asked by this member: id or name.")
]
AnsweredByOption = Annotated[
    str | None, typer.Option("--answered-by", help="Answered by this member: id or name.")
]
StatusOption = Annotated[
    str | None,
    typer.Option("--status", help="unanswered, holding, answered, corrected or withdrawn."),
]
TopicOption = Annotated[
    str | None, typer.Option("--topic", "-t", help="A topic from `pqtrack topics`.")
]
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="At most N results.")]
OffsetOption = Annotated[int, typer.Option("--offset", help="Skip the first N results.")]


def command(*names: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command whose PqtrackErrors become one line on stderr and an exit code."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            except PqtrackError as exc:
                err.print(f"pqtrack: {exc}", markup=False, highlight=False)
                raise typer.Exit(exc.exit_code) from None
            except sqlite3.Error as exc:  # locked, disk full, corrupt: a runtime failure
                err.print(f"pqtrack: database error: {exc}", markup=False, highlight=False)
                raise typer.Exit(1) from None
            except KeyboardInterrupt:
                err.print("pqtrack: interrupted", markup=False)
                raise typer.Exit(130) from None
            except BrokenPipeError:
                _silence_stdout()
                raise typer.Exit(0) from None

        app.command(*names, **kwargs)(wrapper)
        return fn

    return decorate


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _version(value: bool) -> None:
    if value:
        out.file.write(f"pqtrack {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Track UK Parliament written questions and answers, keeping every version in SQLite.

    Example: pqtrack sync && pqtrack search "facial recognition" --since 2025-01-01
    """


# -- helpers -----------------------------------------------------------------------------------


@contextmanager
def opened(db: Path | None, *, must_exist: bool = False) -> Iterator[Any]:
    from pqtrack.paths import default_db_path
    from pqtrack.store import Store

    store = Store.open(db or default_db_path(), create_dirs=db is None, must_exist=must_exist)
    try:
        yield store
    finally:
        store.close()


def fmt_of(fmt: Format | None) -> str:
    """The output format: as asked, else a table on a terminal and plain lines in a pipe."""
    if fmt is not None:
        return fmt.value
    return "table" if out.is_terminal else "plain"


def show_progress(quiet: bool) -> bool:
    return not quiet and err.is_terminal


def build_filters(
    store: Any,
    *,
    since: str | None = None,
    until: str | None = None,
    answered_since: str | None = None,
    answered_until: str | None = None,
    house: str | None = None,
    department: str | None = None,
    member: str | None = None,
    answered_by: str | None = None,
    status: str | None = None,
    topic: str | None = None,
) -> Any:
    """Turn the shared filter options into resolved Filters (bad input -> UsageError)."""
    from pqtrack import queries
    from pqtrack.topics import load_topics

    filters = queries.Filters(
        since=queries.parse_day(since, "--since"),
        until=queries.parse_day(until, "--until"),
        answered_since=queries.parse_day(answered_since, "--answered-since"),
        answered_until=queries.parse_day(answered_until, "--answered-until"),
        house=queries.parse_house(house),
        status=queries.parse_status(status),
    )
    if department is not None:
        filters.department_ids = queries.resolve_department(store, department)
    if member is not None:
        filters.member_ids = queries.resolve_member(store, member, "--member")
    if answered_by is not None:
        filters.answered_by_ids = queries.resolve_member(store, answered_by, "--answered-by")
    if topic is not None:
        chosen = load_topics().get(topic)
        filters.topic_match = chosen.match_expression()
        filters.topic_department_ids = list(chosen.departments)
    return filters


def check_paging(limit: int, offset: int) -> None:
    from pqtrack.models import MAX_INT

    if not 1 <= limit <= MAX_INT:
        raise UsageError(f"--limit must be between 1 and {MAX_INT}, not {limit}")
    if not 0 <= offset <= MAX_INT:
        raise UsageError(f"--offset must be between 0 and {MAX_INT}, not {offset}")


# -- import ------------------------------------------------------------------------------------


@command("import")
def import_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(help="API-shaped JSON files (.json, .jsonl, .gz).", show_default=False),
    ],
    db: DbOption = None,
    quiet: QuietOption = False,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="json prints the summary as JSON."
        ),
    ] = None,
) -> None:
    """Load questions from API-shaped JSON files, recording a version for every real change.

    Takes list envelopes, single envelopes, JSON arrays of values and JSON Lines, gzipped or not.
    A bad file is reported and skipped; the others are imported (exit 1 if any failed).

    Example: pqtrack import questions-2025-03-*.json
    """
    from pqtrack.importer import import_files

    with opened(db) as store, _import_progress(show_progress(quiet)) as advance:
        report = import_files(store, files, progress=advance)
    for path, reason in report.failed:
        err.print(f"pqtrack: {path}: {reason}", markup=False)
    for warning in report.warnings:
        if not quiet:
            err.print(f"pqtrack: warning: {warning}", markup=False)
    summary = report.summary()
    if fmt == Format.json:
        out.file.write(json.dumps(summary) + "\n")
    elif not quiet:
        c = report.counts
        err.print(
            f"imported {report.files} file(s): {c.new} new, {c.changed} changed, "
            f"{c.filled} filled in, {c.unchanged} unchanged; {c.truncated} still truncated"
            + (f"; {len(report.failed)} file(s) failed" if report.failed else ""),
            markup=False,
        )
    if report.failed:
        raise typer.Exit(1)


@contextmanager
def _import_progress(enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """'importing' and how many questions so far (files give no total without reading them)."""
    with _live_bar(enabled, "importing") as bar:
        if bar is None:
            yield None
            return
        progress, task = bar
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            progress.update(task, description=f"importing: {done:,} questions")

        yield advance


@contextmanager
def _analysis_progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """'analysing', and a bar while a first run computes facts ("computing near facts")."""
    with _live_bar(enabled, "analysing") as bar:
        if bar is None:
            yield None
            return
        progress, task = bar

        def update(what: str, done: int, total: int) -> None:
            # Each stage starts its own clock: the time shown is the stage's, not the command's.
            if done == 0:
                progress.reset(task, total=total)
            if done < total:
                progress.update(task, description=f"{what}: {done:,} of {total:,} questions",
                                completed=done)  # fmt: skip
            else:
                progress.reset(task, description="analysing", total=None)

        yield update


@contextmanager
def _live_bar(enabled: bool, label: str) -> Iterator[tuple[Any, Any] | None]:
    """A transient bar on stderr (spinner, label, bar, elapsed time): (rich Progress, task),
    or None when progress is not shown."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        yield progress, progress.add_task(label, total=None)


# -- show / history ----------------------------------------------------------------------------


@command("show")
def show_cmd(
    ref: Annotated[
        str, typer.Argument(help="Question id, UIN (HL12950) or DATE/UIN.", show_default=False)
    ],
    db: DbOption = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Also print the answers this answer refers to.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Show one question with its answer, dates, people and a summary of its versions.

    Answers that point elsewhere ("I refer the hon. Member to the answer I gave on ...") show
    the question they refer to when it is in the database; --follow prints its answer too.

    Example: pqtrack show HL4567 --follow
    """
    from pqtrack import queries, render
    from pqtrack.analysis.referrals import followed_answers, resolve_referrals

    with opened(db, must_exist=True) as store:
        qid = queries.resolve_ref(store, ref)
        record = queries.get_record(store, qid)
        versions = queries.history(store, qid)
        record["referrals"] = resolve_referrals(store, qid)
        followed = followed_answers(store, record["referrals"]) if follow else []
    summary = [{k: v[k] for k in ("version", "seen_at", "status", "changed")} for v in versions]
    kind = fmt_of(fmt)
    if follow and kind in ("json", "jsonl"):
        record["followed"] = followed
    if kind in ("json", "jsonl"):
        record["version_history"] = summary
        (render.emit_json if kind == "json" else lambda o, r: render.emit_jsonl(o, [r]))(
            out, record
        )
    elif kind == "csv":
        render.emit_csv(out, [record], list(record))
    else:
        boxed = kind == "table"
        referrals = render.referral_lines(record["referrals"])
        render.show_question(out, record, summary, referrals, boxed=boxed)
        for other in followed:
            render.show_question(out, other, [], boxed=boxed)


@command("history")
def history_cmd(
    ref: Annotated[str, typer.Argument(help="Question id, UIN or DATE/UIN.", show_default=False)],
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """Every stored version of a question, oldest first, with what changed and the events.

    Example: pqtrack history 1740381 --format json
    """
    from pqtrack import queries, render

    with opened(db, must_exist=True) as store:
        versions = queries.history(store, queries.resolve_ref(store, ref))
    fields = [
        "version",
        "seen_at",
        "status",
        "date_answered",
        "answering_body",
        "changed",
        "events",
        "question_text",
        "answer_text",
    ]
    kind = fmt_of(fmt)
    if not render.emit(out, kind, versions, fields):
        render.history_table(out, versions, table_form=kind == "table")


# -- list / search -------------------------------------------------------------------------------


@command("list")
def list_cmd(
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    answered_since: AnsweredSinceOption = None,
    answered_until: AnsweredUntilOption = None,
    house: HouseOption = None,
    department: DepartmentOption = None,
    member: MemberOption = None,
    answered_by: AnsweredByOption = None,
    status: StatusOption = None,
    topic: TopicOption = None,
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue",
            help="Only unanswered (or holding) questions past their deadline: the named "
            "day, else 5 working days (Commons) or 10 (Lords) after tabling.",
        ),
    ] = False,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    fmt: FormatOption = None,
) -> None:
    """List questions, newest first, with filters.

    Example: pqtrack list --department "home office" --status holding --format csv
    """
    from pqtrack import queries

    check_paging(limit, offset)
    with opened(db, must_exist=True) as store:
        filters = build_filters(
            store,
            since=since,
            until=until,
            answered_since=answered_since,
            answered_until=answered_until,
            house=house,
            department=department,
            member=member,
            answered_by=answered_by,
            status=status,
            topic=topic,
        )
        if overdue:
            from pqtrack.analysis import timeliness

            filters.overdue_before = timeliness.overdue_ids(store, filters)
        records = queries.list_records(store, filters, limit=limit, offset=offset)
    _emit_questions(records, fmt_of(fmt), snippets=False)


@command("search")
def search_cmd(
    query: Annotated[
        str,
        typer.Argument(help='Words, "phrases", AND/OR/NOT, (groups), prefix*.', show_default=False),
    ],
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    answered_since: AnsweredSinceOption = None,
    answered_until: AnsweredUntilOption = None,
    house: HouseOption = None,
    department: DepartmentOption = None,
    member: MemberOption = None,
    answered_by: AnsweredByOption = None,
    status: StatusOption = None,
    topic: TopicOption = None,
    sort: Annotated[str, typer.Option("--sort", help="newest (default) or relevance.")] = "newest",
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    fmt: FormatOption = None,
) -> None:
    """Full-text search over headings, questions and answers, newest first.

    All plain words must match; use "exact phrases", OR, NOT, parentheses and prefix*.

    Example: pqtrack search '"facial recognition" AND (police OR watchlist*)' --since 2024-07-01
    """
    from pqtrack import queries, search

    check_paging(limit, offset)
    if sort not in ("newest", "relevance"):
        raise UsageError(f"--sort: {sort!r} is not newest or relevance")
    expressions = [search.to_match(query)]
    fallback = search.literal(query)
    if fallback not in expressions:
        expressions.append(fallback)
    with opened(db, must_exist=True) as store:
        filters = build_filters(
            store,
            since=since,
            until=until,
            answered_since=answered_since,
            answered_until=answered_until,
            house=house,
            department=department,
            member=member,
            answered_by=answered_by,
            status=status,
            topic=topic,
        )
        result = queries.search_records(
            store, expressions, filters, limit=limit, offset=offset, relevance=sort == "relevance"
        )
    if result.note:
        err.print(f"pqtrack: {result.note}", markup=False)
    _emit_questions(result.records, fmt_of(fmt), snippets=True)


def _emit_questions(records: list[dict[str, Any]], kind: str, *, snippets: bool) -> None:
    from pqtrack import queries, render

    if snippets:
        for r in records:
            r["snippet"] = (
                r["snippet"]
                if kind in ("table", "plain")
                else render.plain_snippet(r.get("snippet"))
            )
    fields = [*queries.RECORD_FIELDS, *(["snippet"] if snippets else [])]
    if render.emit(out, kind, records, fields):
        return
    if kind == "table":
        render.question_table(out, records, snippets=snippets)
    else:
        render.question_lines(out, records, snippets=snippets)


# -- topics --------------------------------------------------------------------------------------


@command("topics")
def topics_cmd(fmt: FormatOption = None) -> None:
    """The topics you can pass to --topic: shipped ones and your own, with where each came from.

    Add your own as [topics.NAME] tables with `queries` (and optional `departments`) in
    topics.toml in your config directory (PQTRACK_CONFIG_DIR overrides it).

    Example: pqtrack topics --format json
    """
    from pqtrack import render
    from pqtrack.topics import load_topics, user_file

    rows = [
        {
            "name": t.name,
            "description": t.description,
            "queries": list(t.queries),
            "departments": list(t.departments),
            "source": t.source,
        }
        for t in sorted(load_topics().by_name.values(), key=lambda t: t.name)
    ]
    kind = fmt_of(fmt)
    if render.emit(out, kind, rows, ["name", "description", "queries", "departments", "source"]):
        return
    render.topics_table(out, rows, user_file(), table=kind == "table")


# -- diff ----------------------------------------------------------------------------------------


class DiffFormat(StrEnum):
    table = "table"
    word = "word"
    unified = "unified"
    json = "json"


@command("diff")
def diff_cmd(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="One question (compare its versions) or two (compare their answers).",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version number.")
    ] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version number.")] = None,
    field_name: Annotated[
        str, typer.Option("--field", help="With two questions: answer_text or question_text.")
    ] = "answer_text",
    context: Annotated[
        int,
        typer.Option(
            "--context", help="Words of unchanged text kept around each change on a terminal."
        ),
    ] = 12,
    fmt: Annotated[
        DiffFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="table (coloured inline, default on a terminal), word ([-old-]{+new+}), "
            "unified or json.",
        ),
    ] = None,
) -> None:
    """Word-level diff of a question's versions, or of two questions' answers.

    With one REF: the latest version against the last one whose text differs (or --from/--to).
    With two: their current answers. Exit 0 either way; identical texts are said to be so.

    Example: pqtrack diff 1781191 --format word
    """
    from pqtrack import compare, render

    if len(refs) > 2:
        raise UsageError("diff takes one question (its versions) or two (their answers)")
    if len(refs) == 2 and (from_version is not None or to_version is not None):
        raise UsageError("--from/--to compare versions of one question; give one REF")
    if context < 0:
        raise UsageError("--context cannot be negative")
    with opened(db, must_exist=True) as store:
        if len(refs) == 1:
            result = compare.versions(
                store, refs[0], from_version=from_version, to_version=to_version
            )
        else:
            result = compare.questions(store, refs[0], refs[1], field_name=field_name)
    kind = fmt.value if fmt is not None else ("table" if out.is_terminal else "word")
    for note in result.notes:
        err.print(f"pqtrack: {note}", markup=False)
    if kind == "json":
        render.emit_json(out, result.as_json())
        return
    render.diff_view(out, result, kind, context=context)


# -- changes -------------------------------------------------------------------------------------


class FeedFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"


EMPTY_FEED_EXIT = 3


@command("changes")
def changes_cmd(
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="A date, a UTC timestamp or last-sync (the events of the latest sync). "
            "Default: the last 7 days.",
        ),
    ] = None,
    event: Annotated[
        list[str] | None,
        typer.Option(
            "--event",
            "-e",
            help="Only these events (repeatable): tabled, holding, answered, "
            "substantive, corrected, transferred, reworded, heading, withdrawn.",
        ),
    ] = None,
    house: HouseOption = None,
    department: DepartmentOption = None,
    member: MemberOption = None,
    status: StatusOption = None,
    topic: TopicOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most N events.")] = 1000,
    fail_if_empty: Annotated[
        bool,
        typer.Option(
            "--fail-if-empty", help=f"Exit {EMPTY_FEED_EXIT} when there is nothing to report."
        ),
    ] = False,
    fmt: Annotated[
        FeedFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="table, json, jsonl, csv or markdown (a digest ready to mail).",
        ),
    ] = None,
) -> None:
    """The change feed: what each sync or import saw happen, newest first.

    Example: pqtrack changes --since last-sync --topic facial-recognition --format markdown
    """
    from datetime import UTC, datetime, timedelta

    from pqtrack import queries, render
    from pqtrack.models import EVENTS

    check_paging(limit, 0)
    for name in event or []:
        if name not in EVENTS:
            raise UsageError(f"--event: {name!r} is not one of {', '.join(EVENTS)}")
    with opened(db, must_exist=True) as store:
        filters = build_filters(
            store, house=house, department=department, member=member, status=status, topic=topic
        )
        run_id = moment = None
        if since == "last-sync":
            run_id = queries.last_run_id(store)
            if run_id is None:
                raise UsageError("--since last-sync: nothing has been synced or imported yet")
        elif since is not None:
            moment = queries.parse_since(since)
        else:
            moment = (datetime.now(UTC) - timedelta(days=7)).isoformat(timespec="seconds")
        rows = queries.changes(
            store, filters, since=moment, run_id=run_id, events=event, limit=limit
        )
    kind = fmt.value if fmt is not None else fmt_of(None)
    fields = [
        "seen_at",
        "event",
        "question_id",
        "uin",
        "house",
        "heading",
        "department",
        "gist",
        "old",
        "new",
        "url",
        "version",
        "run_id",
    ]
    if kind == "markdown":
        out.file.write(render.digest_markdown(rows, since or "the last 7 days", topic))
    elif not render.emit(out, kind, rows, fields):
        render.changes_table(out, rows, table=kind == "table")
    if fail_if_empty and not rows:
        raise typer.Exit(EMPTY_FEED_EXIT)


# -- repeats / stats -----------------------------------------------------------------------------


@command("repeats")
def repeats_cmd(
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    answered_since: AnsweredSinceOption = None,
    answered_until: AnsweredUntilOption = None,
    house: HouseOption = None,
    department: DepartmentOption = None,
    member: MemberOption = None,
    answered_by: AnsweredByOption = None,
    status: StatusOption = None,
    topic: TopicOption = None,
    near: Annotated[
        float | None,
        typer.Option(
            "--near",
            help="Also join answers at least this similar (0.5-1.0; 0.9 is a good start) "
            "once names are set aside, e.g. the same line with a minister's name changed.",
        ),
    ] = None,
    min_size: Annotated[int, typer.Option("--min-size", help="Smallest group to show.")] = 2,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most N groups.")] = 20,
    quiet: QuietOption = False,
    fmt: FormatOption = None,
) -> None:
    """Answers given word for word (or, with --near, nearly) to several questions.

    Texts are compared after normalising case, spacing and punctuation. Questions answered
    together (grouped by the API) count as one occasion, and a group that is just one such
    answer is shown as 'grouped', not as a repeat.

    Example: pqtrack repeats --department "health" --since 2025-01-01 --near 0.9
    """
    from pqtrack import facts, render
    from pqtrack.analysis import repeats

    if near is not None and not 0.5 <= near <= 1.0:
        raise UsageError(f"--near must be between 0.5 and 1.0, not {near}")
    if min_size < 2:
        raise UsageError("--min-size must be at least 2")
    check_paging(limit, 0)
    with opened(db, must_exist=True) as store, _analysis_progress(show_progress(quiet)) as bar:
        filters = build_filters(
            store,
            since=since,
            until=until,
            answered_since=answered_since,
            answered_until=answered_until,
            house=house,
            department=department,
            member=member,
            answered_by=answered_by,
            status=status,
            topic=topic,
        )
        facts.refresh(store, bar, near=near is not None)
        groups = repeats.repeat_groups(store, filters, near=near, min_size=min_size, limit=limit)
    kind = fmt_of(fmt)
    fields = [
        "kind",
        "size",
        "occasions",
        "variants",
        "ids",
        "uins",
        "departments",
        "first_answered",
        "last_answered",
        "answer_text",
    ]
    if not render.emit(out, kind, groups, fields):
        render.repeats_view(out, groups, table=kind == "table")


class StatsBy(StrEnum):
    department = "department"
    month = "month"
    member = "member"


@command("stats")
def stats_cmd(
    by: Annotated[
        StatsBy,
        typer.Option("--by", case_sensitive=False, help="department, month or member (the asker)."),
    ],
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    answered_since: AnsweredSinceOption = None,
    answered_until: AnsweredUntilOption = None,
    house: HouseOption = None,
    department: DepartmentOption = None,
    member: MemberOption = None,
    answered_by: AnsweredByOption = None,
    status: StatusOption = None,
    topic: TopicOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most N rows (months: all).")] = 30,
    chart: Annotated[
        bool, typer.Option("--chart/--no-chart", help="Draw bars under the table on a terminal.")
    ] = True,
    quiet: QuietOption = False,
    fmt: FormatOption = None,
) -> None:
    """Counts and timeliness: tabled, answered, holding, corrected, overdue, median days to
    answer and on-time rates, by department, month or member, with a chart.

    On time means answered substantively by the deadline: the named day for named-day
    questions, else 5 working days after tabling (Commons) or 10 (Lords); weekends and England
    & Wales bank holidays are not working days (recess days still are).

    Example: pqtrack stats --by month --topic immigration --since 2024-07-01
    """
    from pqtrack import facts, render
    from pqtrack.analysis import timeliness

    check_paging(limit, 0)
    with opened(db, must_exist=True) as store, _analysis_progress(show_progress(quiet)) as bar:
        filters = build_filters(
            store,
            since=since,
            until=until,
            answered_since=answered_since,
            answered_until=answered_until,
            house=house,
            department=department,
            member=member,
            answered_by=answered_by,
            status=status,
            topic=topic,
        )
        facts.refresh(store, bar)
        rows = timeliness.stats(store, filters, by=by.value)
    if by != StatsBy.month:
        rows = rows[:limit]
    kind = fmt_of(fmt)
    fields = [
        by.value,
        "tabled",
        "answered",
        "unanswered",
        "holding",
        "corrected",
        "withdrawn",
        "lapsed",
        "overdue",
        "on_time",
        "on_time_rate",
        "holding_rate",
        "median_days",
        "median_working_days",
        "referrals",
    ]
    if not render.emit(out, kind, rows, fields):
        render.stats_view(out, rows, by.value, table=kind == "table", chart=chart)


# -- sync ----------------------------------------------------------------------------------------


@command("sync")
def sync_cmd(
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First day to fetch (default: 14 days before the last good sync, "
            "or 30 days ago on a first run).",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day to fetch (default: today).")
    ] = None,
    house: HouseOption = None,
    department: DepartmentOption = None,
    topic: TopicOption = None,
    overlap: Annotated[
        int, typer.Option("--overlap", help="Days before the last good sync to fetch again.")
    ] = 14,
    api_url: Annotated[
        str,
        typer.Option("--api-url", envvar="PQTRACK_API_URL", help="Written Questions API base URL."),
    ] = "https://questions-statements-api.parliament.uk",
    rate: Annotated[
        float, typer.Option("--rate", help="At most this many requests a second.")
    ] = 4.0,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for a response.")
    ] = 30.0,
    show_status: Annotated[
        bool, typer.Option("--status", help="Show the sync ledger instead of syncing.")
    ] = False,
    quiet: QuietOption = False,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="json prints the summary as JSON."
        ),
    ] = None,
) -> None:
    """Fetch new and changed questions from the Written Questions API (run it from cron).

    Lists each day's answered, corrected and tabled questions, fetches full texts only for
    new or changed ones, and records every change as a version. Exit 0 only when every
    window completed; 75 when another sync holds the lock.

    Example: pqtrack sync --since 2025-01-01 --department "home office"
    """
    from pqtrack import queries
    from pqtrack import sync as syncing

    if show_status:
        with opened(db, must_exist=True) as store:
            _emit_status(syncing.status(store), fmt_of(fmt))
        return
    first = queries.parse_day(since, "--since")
    last = queries.parse_day(until, "--until")
    if first and last and first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    if overlap < 0 or rate < 0 or timeout <= 0:
        raise UsageError("--overlap and --rate cannot be negative, --timeout must be positive")
    from pqtrack.paths import default_db_path

    path = db or default_db_path()
    if db is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # the lock first: a sync that must wait never creates or migrates the database
    with syncing.sync_lock(path), opened(db) as store:
        scopes = _sync_scopes(store, house, department, topic)
        from pqtrack.client import ParliamentClient, make_http_client

        with make_http_client(timeout) as http, _sync_progress(show_progress(quiet)) as reporter:
            client = ParliamentClient(http, base_url=api_url, rate=rate)
            report = syncing.sync(
                store,
                client,
                scopes=scopes,
                overlap=overlap,
                reporter=reporter,
                since=_day(first),
                until=_day(last),
            )
    summary = report.summary()
    for failure in report.failed[:20]:
        err.print(f"pqtrack: window failed: {failure}", markup=False)
    if fmt == Format.json:
        out.file.write(json.dumps(summary) + "\n")
    elif not quiet:
        err.print(
            f"synced {summary['since']}..{summary['until']}: {summary['new']} new, "
            f"{summary['answered']} answered, {summary['corrected']} corrected, "
            f"{summary['changed']} changed, {summary['withdrawn']} withdrawn; "
            f"{summary['requests']} requests in {summary['seconds']}s",
            markup=False,
        )
    if not report.ok:
        err.print(
            f"pqtrack: {len(report.failed)} of {report.windows} windows incomplete; "
            "the next sync retries them",
            markup=False,
        )
        raise typer.Exit(1)


def _day(text: str | None) -> Any:
    from datetime import date

    return date.fromisoformat(text) if text else None


def _sync_scopes(
    store: Any, house: str | None, department: str | None, topic: str | None
) -> list[Any]:
    from pqtrack import queries
    from pqtrack.sync import Scope
    from pqtrack.topics import load_topics

    departments: tuple[int, ...] = ()
    if department is not None:
        departments = tuple(queries.resolve_department(store, department))
    house_name = queries.parse_house(house)
    if topic is None:
        return [Scope(house_name, departments)]
    chosen = load_topics().get(topic)
    departments = departments or chosen.departments
    terms = chosen.api_terms or (None,)
    return [Scope(house_name, departments, term) for term in terms]


@contextmanager
def _sync_progress(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        windows = bar.add_task("windows", total=None)
        pages = bar.add_task("pages", total=None)
        details = bar.add_task("details", total=None)

        class Reporter:
            def start(self, n: int) -> None:
                bar.update(windows, total=n)

            def window(self, kind: str, day: str) -> None:
                bar.update(windows, advance=1, description=f"windows ({kind} {day})")

            def page(self) -> None:
                bar.advance(pages)

            def detail(self) -> None:
                bar.advance(details)

        yield Reporter()


def _emit_status(status: dict[str, Any], kind: str) -> None:
    from pqtrack import render

    if kind in ("json", "jsonl"):
        render.emit_json(out, status)
        return
    render.sync_status(out, status)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except UsageError as exc:  # raised outside a command, e.g. while parsing
        err.print(f"pqtrack: {exc}", markup=False)
        sys.exit(exc.exit_code)
