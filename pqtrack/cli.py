"""The pqtrack commands: options in, one library call, render out.

The app they register on, and how errors become exit codes, are app.py's. The options several
commands share (the filters, --limit, --offset, --format) are declared once, in options.py; a
command's own options are declared just above it.
"""

from __future__ import annotations

import functools
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from pqtrack import watch_cli
from pqtrack.app import app, chosen, command, run
from pqtrack.connect import opened
from pqtrack.errors import UsageError
from pqtrack.options import (
    ALL_BUT_QUERY,
    ALL_FILTERS,
    ALL_ROWS,
    DATE,
    DATES,
    LAST_DATE,
    LISTING,
    NO_FILTERS,
    ApiUrlOption,
    AsOfOption,
    DbOption,
    FilterArgs,
    FormatOption,
    ListKind,
    NoHeaderOption,
    Only,
    PageArgs,
    Parsed,
    QuietOption,
    SearchKind,
    SummaryFormat,
    field_flags,
    flag,
    format_option,
    one_of,
    parse_event,
    sync_days,
)
from pqtrack.output import Format, emit_json, out, say, write

__all__ = ["app", "main"]  # the app with every command below registered on it

# -- import ------------------------------------------------------------------------------------


@command("import")
def import_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="API-shaped JSON files (.json, .jsonl, .gz); - reads standard input.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    quiet: QuietOption = False,
    fmt: SummaryFormat = None,
    as_of: AsOfOption = None,
) -> None:
    """Load questions from API-shaped JSON files, recording a version for every real change.

    Takes list envelopes, single envelopes, JSON arrays of values and JSON Lines, gzipped or not.
    A bad file is reported and skipped; the others are imported (exit 1 if any failed).

    Example: pqtrack import --as-of 2025-03-01 questions-2025-03-01.json
    """
    from pqtrack import progress
    from pqtrack.digest import import_summary
    from pqtrack.importer import import_files

    with opened(db) as store, progress.importing(progress.wanted(quiet)) as advance:
        report = import_files(store, files, progress=advance, seen_at=as_of)
    for path, reason in report.failed:
        say(f"pqtrack: {path}: {reason}")
    for warning in [] if quiet else report.warnings:
        say(f"pqtrack: warning: {warning}")
    if fmt == Format.json:
        out.file.write(json.dumps(report.summary()) + "\n")
    elif not quiet:
        say(import_summary(report.files, report.counts, len(report.failed)))
    if report.failed:
        raise typer.Exit(1)


# -- show / history ----------------------------------------------------------------------------


RefArgument = Annotated[
    str,
    typer.Argument(
        help="Question id, UIN (HL12950) or DATE/UIN; a written statement's UIN (HCWS901), "
        "DATE/UIN or S<id>.",
        show_default=False,
    ),
]


@command("show")
def show_cmd(
    ref: RefArgument,
    db: DbOption = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Also print the answers this answer refers to.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Show one question with its answer, dates, people and a summary of its versions, or
    one written statement with its text, links and attachments.

    Answers that point elsewhere ("I refer the hon. Member to the answer I gave on ...") show
    the question they refer to when it is in the database; --follow prints its answer too.
    A question whose answer a written statement corrects names the statement.

    Example: pqtrack show HL4567 --follow
    """
    from pqtrack import show
    from pqtrack.analysis.referrals import followed_answers, resolve_referrals
    from pqtrack.connect import reading
    from pqtrack.filters import is_statement_ref, resolve_ref, resolve_statement_ref
    from pqtrack.records import get_record, history

    if is_statement_ref(ref):
        from pqtrack import render_statement, statement_records

        with reading(db) as conn:
            sid = resolve_statement_ref(conn, ref)
            found = statement_records.get_statement(conn, sid)
            steps = statement_records.history(conn, sid)
        render_statement.statement(found, steps, chosen(fmt))
        return
    from pqtrack.statement_records import question_extras

    with reading(db) as conn:
        qid = resolve_ref(conn, ref)
        record: dict[str, Any] = dict(get_record(conn, qid))
        versions = history(conn, qid)
        record.update(question_extras(conn, qid))
        record["referrals"] = resolve_referrals(conn, qid)
        followed = followed_answers(conn, record["referrals"]) if follow else None
    show.question(record, versions, followed, chosen(fmt))


@command("history")
def history_cmd(
    ref: RefArgument,
    db: DbOption = None,
    fmt: FormatOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Every stored version of a question or a written statement, oldest first, with what
    changed and the events.

    Example: pqtrack history 1740381 --format json
    """
    from pqtrack import views
    from pqtrack.connect import reading
    from pqtrack.filters import is_statement_ref, resolve_ref, resolve_statement_ref
    from pqtrack.records import history

    if is_statement_ref(ref):
        from pqtrack import statement_records
        from pqtrack.render_statement import STATEMENT_HISTORY

        with reading(db) as conn:
            steps = statement_records.history(conn, resolve_statement_ref(conn, ref))
        write(STATEMENT_HISTORY, steps, chosen(fmt), header=not no_header)
        return
    with reading(db) as conn:
        versions = history(conn, resolve_ref(conn, ref))
    write(views.HISTORY, versions, chosen(fmt), header=not no_header)


# -- list / search -------------------------------------------------------------------------------


@command("list")
def list_cmd(
    db: DbOption = None,
    filters: FilterArgs = NO_FILTERS,
    record_kind: ListKind = "question",
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue",
            help="Only unanswered (or holding) questions past their deadline: the named "
            "day, else 5 working days (Commons) or 10 (Lords) after tabling.",
        ),
    ] = False,
    page: PageArgs = ALL_ROWS,
    fmt: FormatOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """List questions (or, with --kind, written statements), newest first, with filters (a
    table on a terminal shows the first 50).

    Example: pqtrack list --department "home office" --status holding --format csv
    """
    from pqtrack import statement_search as ss
    from pqtrack.connect import reading
    from pqtrack.render_statement import records_view
    from pqtrack.search import count_questions, list_records

    kind, want = chosen(fmt), ss.Kind(record_kind)
    with reading(db) as conn:
        resolved = filters.resolve(conn)
        if overdue:
            from pqtrack.analysis.timeliness import overdue_ids

            resolved.overdue_before = overdue_ids(conn, resolved)
        limit = page.want(kind)
        ahead = None if limit is None else page.offset + limit  # each kind's first rows
        questions: list[Any] = []
        statements: list[Any] = []
        if want != ss.Kind.statement:
            questions = list_records(conn, resolved, limit=ahead, offset=0)
        if want != ss.Kind.question:
            statements = ss.list_statements(conn, resolved, limit=ahead, offset=0)
        records = ss.together(questions, statements, limit, page.offset)

        def count() -> int | None:
            counts = [
                count_questions(conn, resolved) if want != ss.Kind.statement else 0,
                ss.count_statements(conn, resolved) if want != ss.Kind.question else 0,
            ]
            return None if None in counts else sum(c or 0 for c in counts)

        records, footer = page.cut(kind, records, count)
    view = records_view(statements=want != ss.Kind.question)
    write(view, records, kind, header=not no_header, footer=footer)


class Sort(StrEnum):
    newest = "newest"
    relevance = "relevance"


QueryArgument = Annotated[
    str | None,
    typer.Argument(
        help='Words, "phrases", -word, heading:/question:/answer:, AND/OR/NOT, (groups), '
        "prefix*. Optional with --topic: then the topic's matches.",
        show_default=False,
    ),
]
SortOption = Annotated[
    Sort,
    typer.Option(
        "--sort",
        click_type=Parsed("sort", one_of(list(Sort), "newest or relevance"), list(Sort)),
        help="newest (default) or relevance.",
    ),
]
ExactOption = Annotated[
    bool, typer.Option("--exact", help="Match every word as typed, without its inflections.")
]
ExplainOption = Annotated[
    bool, typer.Option("--explain", help="Say on stderr what ran: FTS5 expression, plan, time.")
]


@command("search")
def search_cmd(
    query: QueryArgument = None,
    db: DbOption = None,
    filters: Annotated[FilterArgs, ALL_BUT_QUERY] = NO_FILTERS,
    record_kind: SearchKind = "all",
    sort: SortOption = Sort.newest,
    exact: ExactOption = False,
    explain: ExplainOption = False,
    page: PageArgs = ALL_ROWS,
    fmt: FormatOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Full-text search over questions and answers (headings, questions, answers) and written
    statements (titles, texts), newest first; --kind question or statement for one kind.

    All plain words must match, each with its inflections (theft: thefts); use "exact
    phrases", -word to exclude, heading:word, OR, NOT, parentheses and prefix*.

    Example: pqtrack search '"facial recognition" AND (police OR watchlist*)' --since 2024-07-01
    """
    from pqtrack import search
    from pqtrack import statement_search as ss
    from pqtrack.connect import reading
    from pqtrack.render_statement import records_view

    if query is not None:
        search.expressions(query)  # a query that cannot be searched fails before the db opens
    kind, want = chosen(fmt), ss.Kind(record_kind)
    with reading(db) as conn:
        resolved = filters.resolve(conn)

        def run(limit: int | None, offset: int) -> search.SearchResult:
            return search.search(conn, query, resolved, limit=limit, offset=offset,
                                 relevance=sort == Sort.relevance, exact=exact)  # fmt: skip

        result = ss.search_kinds(conn, run, resolved, want, limit=page.want(kind),
                                 offset=page.offset)  # fmt: skip

        def count() -> int | None:
            counts = [
                search.count_hits(conn, result.expression, resolved)
                if want != ss.Kind.statement else 0,
                ss.count_statement_hits(conn, result.expression, resolved)
                if want != ss.Kind.question else 0,
            ]  # fmt: skip
            return None if None in counts else sum(c or 0 for c in counts)

        hits, footer = page.cut(kind, result.records, count)
    for line in result.talk(query or f"topic {filters.topic}", explain=explain):
        say(f"pqtrack: {line}")
    view = records_view(snippets=True, statements=want != ss.Kind.question)
    write(view, hits, kind, header=not no_header, footer=footer)


# -- topics --------------------------------------------------------------------------------------


@command("topics")
def topics_cmd(fmt: FormatOption = None, no_header: NoHeaderOption = False) -> None:
    """The topics you can pass to --topic: shipped ones and your own, with where each came from.

    Add your own as [topics.NAME] tables with `queries` (and optional `description`,
    `departments`, `api_terms`) in topics.toml in your config directory (PQTRACK_CONFIG_DIR
    overrides it); a wrong type or unknown key is an error naming file, topic and key.

    Example: pqtrack topics --format json
    """
    from pqtrack import views
    from pqtrack.topics import load_topics, user_file

    rows = views.topic_rows(load_topics().by_name.values())
    write(views.topics_view(user_file()), rows, chosen(fmt), header=not no_header)


@command("departments")
def departments_cmd(
    db: DbOption = None, fmt: FormatOption = None, no_header: NoHeaderOption = False
) -> None:
    """The departments you can pass to --department: id, name, short and former names, and how
    many stored questions each answers.

    --department takes any of these: an id, a name or a unique part of one, a short name (DHSC,
    MoJ) or a former name (BEIS, DfID), which is said on stderr as the department it is.

    Example: pqtrack departments --format csv
    """
    from pqtrack import views
    from pqtrack.connect import reading
    from pqtrack.filters import department_rows

    with reading(db) as conn:
        rows = department_rows(conn)
    write(views.DEPARTMENTS, rows, chosen(fmt), header=not no_header)


# -- diff ----------------------------------------------------------------------------------------


RefsArgument = Annotated[
    list[str],
    typer.Argument(
        help="One question or written statement (compare its versions) or two questions "
        "(compare their answers).",
        show_default=False,
    ),
]
FromOption = Annotated[int | None, typer.Option("--from", help="Older version number.")]
ToOption = Annotated[int | None, typer.Option("--to", help="Newer version number.")]
FieldOption = Annotated[
    str, typer.Option("--field", help="With two questions: answer_text or question_text.")
]
ContextOption = Annotated[
    int,
    typer.Option(
        "--context", help="Words of unchanged text kept around each change on a terminal."
    ),
]
DiffFormat = Annotated[
    Format | None,
    format_option(
        Format.table,
        Format.word,
        Format.unified,
        Format.json,
        help="table (coloured inline, default on a terminal), word ([-old-]{+new+}), "
        "unified or json.",
    ),
]


@command("diff")
def diff_cmd(
    refs: RefsArgument,
    db: DbOption = None,
    from_version: FromOption = None,
    to_version: ToOption = None,
    field_name: FieldOption = "answer_text",
    context: ContextOption = 12,
    fmt: DiffFormat = None,
) -> None:
    """Word-level diff of a question's (or a written statement's) versions, or of two
    questions' answers.

    With one REF: the latest version against the last one whose text differs (or --from/--to).
    With two: their current answers. Exit 0 either way; identical texts are said to be so.

    Example: pqtrack diff 1781191 --format word
    """
    from pqtrack import diff
    from pqtrack.connect import reading
    from pqtrack.filters import is_statement_ref, resolve_ref, resolve_statement_ref
    from pqtrack.records import version_values

    if len(refs) > 2:
        raise UsageError("diff takes one question (its versions) or two (their answers)")
    if len(refs) == 2 and (from_version is not None or to_version is not None):
        raise UsageError("--from/--to compare versions of one question; give one REF")
    if context < 0:
        raise UsageError("--context cannot be negative")
    if len(refs) == 2:
        diff.check_field(field_name)
    if any(is_statement_ref(r) for r in refs):
        if len(refs) == 2:
            raise UsageError("diff compares a written statement's versions: give one REF")
        from pqtrack import statement_records

        with reading(db) as conn:
            sid = resolve_statement_ref(conn, refs[0])
            values = statement_records.version_values(conn, sid)
        result = diff.statement_versions(
            sid, values, from_version=from_version, to_version=to_version
        )
    else:
        with reading(db) as conn:
            picked = [(q, version_values(conn, q)) for q in [resolve_ref(conn, r) for r in refs]]
        result = _diff_questions(picked, from_version, to_version, field_name)
    _show_diff(result, fmt, context)


def _diff_questions(
    picked: list[tuple[int, list[dict[str, Any]]]],
    from_version: int | None,
    to_version: int | None,
    field_name: str,
) -> Any:
    from pqtrack import diff

    if len(picked) == 1:
        ((qid, values),) = picked
        return diff.versions(qid, values, from_version=from_version, to_version=to_version)
    (id_a, a), (id_b, b) = picked
    return diff.questions((id_a, a[-1]), (id_b, b[-1]), field_name=field_name)


def _show_diff(result: Any, fmt: Format | None, context: int) -> None:
    from pqtrack import show

    kind = chosen(fmt, pipe=Format.word)
    for note in result.notes:
        say(f"pqtrack: {note}")
    if kind == Format.json:
        emit_json(out, result.as_json())
        return
    show.diff_view(out, result, kind.value, context=context)


# -- changes -------------------------------------------------------------------------------------

FeedFilters = Annotated[  # --since here is the feed's start: the tabled range has other flags
    FilterArgs, Only(ALL_FILTERS, {"since": ("--tabled-since",), "until": ("--tabled-until",)})
]
DIGEST_ROWS = 1000  # what a markdown digest shows when not told
EMPTY_FEED_EXIT = 3  # changes --fail-if-empty with nothing to report


FeedSince = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="A date (from its start, UTC; YYYY-MM-DD, YYYY-MM, today, yesterday, 7d, 2w, 3m), "
        "a UTC timestamp, or last-sync (the events of the latest sync). Default: 7 days ago.",
    ),
]
FeedUntil = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="Where the feed ends: a date (to its end, UTC; a month: its last day) or a UTC "
        "timestamp. Without --since, the feed is the 7 days before it.",
    ),
]
EventOption = Annotated[
    list[str] | None,
    typer.Option(
        "--event",
        "-e",
        click_type=Parsed("event", parse_event),
        help="Only these events (repeatable): tabled, holding, answered, "
        "substantive, corrected, transferred, reworded, heading, withdrawn, statement (an "
        "answer corrected by a written statement); a statement's made, revised, linked.",
    ),
]
FailIfEmpty = Annotated[
    bool,
    typer.Option(
        "--fail-if-empty", help=f"Exit {EMPTY_FEED_EXIT} when there is nothing to report."
    ),
]
FeedFormat = Annotated[
    Format | None,
    format_option(
        *LISTING, Format.markdown, help="table, json, jsonl, csv or markdown (a digest)."
    ),
]


@command("changes")
def changes_cmd(
    db: DbOption = None,
    since: FeedSince = None,
    until: FeedUntil = None,
    event: EventOption = None,
    filters: FeedFilters = NO_FILTERS,
    record_kind: SearchKind = "all",
    page: PageArgs = ALL_ROWS,
    fail_if_empty: FailIfEmpty = False,
    fmt: FeedFormat = None,
    no_header: NoHeaderOption = False,
) -> None:
    """The change feed: what each sync or import saw happen to questions and written
    statements (--kind for one), newest first.

    --since and --until are where the feed starts and ends (--tabled-since/--tabled-until
    filter by tabling date).
    A digest shows the first 1,000 changes unless told, and how many there are in all.

    Example: pqtrack changes --since last-sync --topic facial-recognition --format markdown
    """
    from pqtrack import records, views
    from pqtrack.connect import reading

    kind, digest = chosen(fmt), {Format.markdown: DIGEST_ROWS}
    with reading(db) as conn:
        resolved = filters.resolve(conn)
        with flag("--until"):
            end = records.feed_end(until)
        with flag("--since last-sync" if since == "last-sync" else "--since"):
            moment, run_id = records.feed_start(conn, since, end)
        with field_flags():
            records.check_feed_range(moment, end)
        feed = records.FeedQuery(
            since=moment,
            until=end,
            run_id=run_id,
            events=event,
            kinds=records.FEED_KINDS if record_kind == "all" else (record_kind,),
        )
        rows = records.changes(conn, resolved, feed, limit=page.want(kind, digest),
                               offset=page.offset)  # fmt: skip
        count = functools.cache(functools.partial(records.count_changes, conn, resolved, feed))
        rows, footer = page.cut(kind, rows, count, defaults=digest, tell=True)
        total = count() if footer and kind == Format.markdown else None
    view = views.changes_view(records.feed_label(since, until, moment), filters.topic, total)
    write(view, rows, kind, header=not no_header, footer=footer)
    if fail_if_empty and not rows:
        raise typer.Exit(EMPTY_FEED_EXIT)


# -- repeats / stats -----------------------------------------------------------------------------


NearOption = Annotated[
    float | None,
    typer.Option(
        "--near",
        help="Also join answers at least this similar (0.5-1.0; 0.9 is a good start) "
        "once names are set aside, e.g. the same line with a minister's name changed.",
    ),
]
MinSizeOption = Annotated[int, typer.Option("--min-size", help="Smallest group to show.")]


@command("repeats")
def repeats_cmd(
    db: DbOption = None,
    filters: FilterArgs = NO_FILTERS,
    near: NearOption = None,
    min_size: MinSizeOption = 2,
    page: PageArgs = ALL_ROWS,
    quiet: QuietOption = False,
    fmt: FormatOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Answers given word for word (or, with --near, nearly) to several questions.

    Texts are compared after normalising case, spacing and punctuation. Questions answered
    together (grouped by the API) count as one occasion, and a group that is just one such
    answer is shown as 'grouped', not as a repeat.

    Example: pqtrack repeats --department "health" --since 2025-01-01 --near 0.9
    """
    from pqtrack import facts, progress, views
    from pqtrack.analysis.repeats import repeat_groups

    if near is not None and not 0.5 <= near <= 1.0:
        raise UsageError(f"--near must be between 0.5 and 1.0, not {near}")
    if min_size < 2:
        raise UsageError("--min-size must be at least 2")
    kind = chosen(fmt)
    want = page.want(kind)  # the groups come ranked: the first offset + want of them
    with opened(db, must_exist=True) as store, progress.analysing(progress.wanted(quiet)) as bar:
        resolved = filters.resolve(store.db.conn)
        facts.refresh(store, bar, near=near is not None)
        limit = sys.maxsize if want is None else page.offset + want
        groups = repeat_groups(store, resolved, near=near, min_size=min_size, limit=limit)
    shown, footer = page.cut(kind, groups[page.offset :], lambda: None)  # the total is not known
    write(views.REPEATS, shown, kind, header=not no_header, footer=footer)


class StatsBy(StrEnum):
    department = "department"
    month = "month"
    member = "member"
    minister = "minister"


@command("stats")
def stats_cmd(
    by: Annotated[
        StatsBy,
        typer.Option(
            "--by",
            case_sensitive=False,
            help="department, month, member (the asker) or minister (the answering member).",
        ),
    ],
    db: DbOption = None,
    filters: FilterArgs = NO_FILTERS,
    page: PageArgs = ALL_ROWS,
    chart: Annotated[
        bool, typer.Option("--chart/--no-chart", help="Draw bars under the table on a terminal.")
    ] = True,
    quiet: QuietOption = False,
    fmt: FormatOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Counts and timeliness: tabled, answered, holding, corrected, overdue, median days to
    answer and on-time rates, by department, month, member or minister, with a chart.

    On time means answered substantively by the deadline: the named day for named-day
    questions, else 5 working days after tabling (Commons) or 10 (Lords); weekends, England &
    Wales bank holidays and the House's recesses (data/recess.toml) are not working days.

    Example: pqtrack stats --by month --topic immigration --since 2024-07-01
    """
    from pqtrack import facts, progress, views
    from pqtrack.analysis.timeliness import convention, past_recess_note, stats

    kind = chosen(fmt)
    with opened(db, must_exist=True) as store, progress.analysing(progress.wanted(quiet)) as bar:
        resolved = filters.resolve(store.db.conn)
        facts.refresh(store, bar)
        rows = stats(store, resolved, by=by.value)
    every_month = {Format.table: None} if by == StatsBy.month else None
    shown, footer = page.cut(kind, rows[page.offset :], lambda: len(rows), defaults=every_month)
    view = views.stats_view(by.value, chart=chart, caption=convention())
    write(view, shown, kind, header=not no_header, footer=footer)
    if not quiet and (note := past_recess_note(rows)):
        say(note)


# -- sync ----------------------------------------------------------------------------------------

SyncFilters = Annotated[FilterArgs, Only(("house", "department", "topic"))]


FirstDay = Annotated[
    date | None,
    typer.Option(
        "--since",
        click_type=DATE,
        help="First day to fetch, not after today (default: 14 days before the last good sync, "
        f"or 30 days ago on a first run). {DATES}.",
    ),
]
LastDay = Annotated[
    date | None,
    typer.Option("--until", click_type=LAST_DATE, help="Last day to fetch (default: today)."),
]
OverlapOption = Annotated[
    int, typer.Option("--overlap", help="Days before the last good sync to fetch again.")
]
RateOption = Annotated[float, typer.Option("--rate", help="At most this many requests a second.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for a response.")]
StatusOption = Annotated[
    bool, typer.Option("--status", help="Show the sync ledger instead of syncing.")
]
NoStatementsOption = Annotated[
    bool,
    typer.Option("--no-statements", help="Fetch questions only, not written statements."),
]


@command("sync")
def sync_cmd(
    db: DbOption = None,
    since: FirstDay = None,
    until: LastDay = None,
    filters: SyncFilters = NO_FILTERS,
    overlap: OverlapOption = 14,
    api_url: ApiUrlOption = "https://questions-statements-api.parliament.uk",
    rate: RateOption = 4.0,
    timeout: TimeoutOption = 30.0,
    show_status: StatusOption = False,
    no_statements: NoStatementsOption = False,
    quiet: QuietOption = False,
    fmt: SummaryFormat = None,
) -> None:
    """Fetch new and changed questions and written statements from the API (run it from cron).

    Lists each day's answered, corrected and tabled questions and the statements made that
    day, fetches full texts only for new or changed ones, and records every change as a
    version. Exit 0 only when every
    window completed; 75 when another sync holds the lock.

    Example: pqtrack sync --since 2025-01-01 --department "home office"
    """
    from pqtrack import sync as syncing
    from pqtrack.digest import sync_status

    if show_status:
        with opened(db, must_exist=True) as store:
            sync_status(syncing.status(store), chosen(fmt))
        return
    sync_days(since, until)
    if overlap < 0 or rate < 0 or timeout <= 0:
        raise UsageError("--overlap and --rate cannot be negative, --timeout must be positive")
    fetch = {"base_url": api_url, "rate": rate, "timeout": timeout}
    days = {"overlap": overlap, "since": since, "until": until, "statements": not no_statements}
    _report_sync(_sync(db, filters, quiet, fetch, days), fmt, quiet)


def _report_sync(report: Any, fmt: Format | None, quiet: bool) -> None:
    """A sync's failed windows and summary on stderr (or the summary as JSON on stdout)."""
    from pqtrack.digest import sync_summary

    for failure in report.failed[:20]:
        say(f"pqtrack: window failed: {failure}")
    if fmt == Format.json:
        out.file.write(json.dumps(report.summary()) + "\n")
    elif not quiet:
        say(sync_summary(report.summary()))
    if not report.ok:
        say(
            f"pqtrack: {len(report.failed)} of {report.windows} windows incomplete; "
            "the next sync retries them"
        )
        raise typer.Exit(1)


def _sync(
    db: Path | None, filters: FilterArgs, quiet: bool, fetch: dict[str, Any], days: dict[str, Any]
) -> Any:
    """Run one sync under the lock: the lock first, so a sync that must wait never creates or
    migrates the database."""
    from pqtrack import progress
    from pqtrack import sync as syncing
    from pqtrack.client import ParliamentClient, make_http_client
    from pqtrack.paths import default_db_path

    path = db or default_db_path()
    if db is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    with syncing.sync_lock(path), opened(db) as store:
        resolved = filters.resolve(store.db.conn)
        scopes = syncing.scopes_for(resolved.house, resolved.department_ids, filters.topic)
        with (
            make_http_client(fetch["timeout"]) as http,
            progress.syncing(progress.wanted(quiet)) as bar,
        ):
            client = ParliamentClient(http, base_url=fetch["base_url"], rate=fetch["rate"])
            return syncing.sync(store, client, scopes=scopes, reporter=bar, **days)


app.add_typer(watch_cli.app, name="watch")


def main() -> None:
    """Console-script entry point: the commands above, on the app."""
    run()
