"""The pqtrack command line: parse options, call one library function, render, map errors."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from pqtrack import __version__
from pqtrack.errors import PqtrackError, UsageError

app = typer.Typer(
    name="pqtrack",
    help="Track UK Parliament written questions and answers, keeping every version in SQLite.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="PQTRACK_DB", help="Database file [env: PQTRACK_DB; default: "
                 "pqtrack.db in your user data directory].", show_default=False),
]
FormatOption = Annotated[
    Format | None,
    typer.Option("--format", "-f", case_sensitive=False,
                 help="table (default on a terminal), json, jsonl or csv."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
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


# -- import ------------------------------------------------------------------------------------

@command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="API-shaped JSON files (.json, .jsonl, .gz).",
                                                show_default=False)],
    db: DbOption = None,
    quiet: QuietOption = False,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", case_sensitive=False,
                                               help="json prints the summary as JSON.")] = None,
) -> None:
    """Load questions from API-shaped JSON files, recording a version for every real change.

    Takes list envelopes, single envelopes, JSON arrays of values and JSON Lines, gzipped or not.
    A bad file is reported and skipped; the others are imported (exit 1 if any failed).

    Example: pqtrack import questions-2025-03-*.json
    """
    from pqtrack.importer import import_files

    with opened(db) as store, _progress(show_progress(quiet), "importing") as advance:
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
def _progress(enabled: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed:,} questions"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


# -- show / history ----------------------------------------------------------------------------

@command("show")
def show_cmd(
    ref: Annotated[str, typer.Argument(help="Question id, UIN (HL12950) or DATE/UIN.",
                                       show_default=False)],
    db: DbOption = None,
    fmt: FormatOption = None,
) -> None:
    """Show one question with its answer, dates, people and a summary of its versions.

    Example: pqtrack show HL4567
    """
    from pqtrack import queries, render

    with opened(db, must_exist=True) as store:
        qid = queries.resolve_ref(store, ref)
        record = queries.get_record(store, qid)
        versions = queries.history(store, qid)
    summary = [{k: v[k] for k in ("version", "seen_at", "status", "changed")} for v in versions]
    kind = fmt_of(fmt)
    if kind in ("json", "jsonl"):
        record["version_history"] = summary
        (render.emit_json if kind == "json" else lambda o, r: render.emit_jsonl(o, [r]))(out, record)
    elif kind == "csv":
        render.emit_csv(out, [record], list(record))
    else:
        render.show_question(out, record, summary)


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
    fields = ["version", "seen_at", "status", "date_answered", "answering_body", "changed",
              "events", "question_text", "answer_text"]
    kind = fmt_of(fmt)
    if not render.emit(out, kind, versions, fields):
        render.history_table(out, versions)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except UsageError as exc:  # raised outside a command, e.g. while parsing
        err.print(f"pqtrack: {exc}", markup=False)
        sys.exit(exc.exit_code)
