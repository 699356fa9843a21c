"""The typer app every command registers on: errors become one line on stderr and an exit
code, the version option, and the output format a command writes when not told."""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import click
import typer
from typer.core import TyperCommand

from pqtrack import __version__, interrupts
from pqtrack.errors import PqtrackError, UsageError
from pqtrack.options import bundled
from pqtrack.output import Format, is_terminal, say

app = typer.Typer(
    name="pqtrack",
    help="Track UK Parliament written questions and answers, keeping every version in SQLite.",
    epilog="Example: pqtrack sync && pqtrack search '\"facial recognition\"' --since 2025-01-01",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    suggest_commands=False,  # click already says "Did you mean ...?": typer would say it twice
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])


class _Command(TyperCommand):
    """A command whose help shows "[default: 14]" as written: typer escapes the bracket for
    rich (`\\[default: 14]`) whenever rich is installed, even with rich help turned off."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        formatter.buffer[:] = [part.replace("\\[", "[") for part in formatter.buffer]


def command(name: str, *, on: typer.Typer | None = None, **kwargs: Any) -> Callable[[F], F]:
    """Register a command (on `app`, or the sub-app `on`) whose PqtrackErrors become one line
    on stderr and an exit code."""

    def decorate(fn: F) -> F:
        run = bundled(fn)

        @functools.wraps(run)
        def wrapper(**kw: Any) -> Any:
            try:
                with interrupts.terminate_as_interrupt():
                    result = run(**kw)
                    sys.stdout.flush()  # a full disk says so here, not in a traceback at exit
                    return result
            except PqtrackError as exc:
                say(f"pqtrack: {exc}")
                raise typer.Exit(exc.exit_code) from None
            except sqlite3.Error as exc:  # locked, disk full, corrupt: a runtime failure
                say(f"pqtrack: database error: {exc}")
                raise typer.Exit(1) from None
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (interrupts.Terminated)
                what, code = interrupts.ended(exc)
                say(f"pqtrack: {what}")
                raise typer.Exit(code) from None
            except BrokenPipeError:
                _silence_stdout()
                raise typer.Exit(0) from None
            except OSError as exc:  # stdout on a full disk, a file gone: one line, no traceback
                _silence_stdout()
                where = f" ({exc.filename})" if exc.filename else ""
                say(f"pqtrack: stopped: {exc.strerror or type(exc).__name__}{where}")
                raise typer.Exit(1) from None

        (on or app).command(name, cls=_Command, **kwargs)(wrapper)
        return fn

    return decorate


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"pqtrack {__version__}\n")
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


def chosen(fmt: Format | None, pipe: Format = Format.plain) -> Format:
    """The output format: as asked, else a table on a terminal and `pipe` (plain lines) in one."""
    if fmt is not None:
        return fmt
    return Format.table if is_terminal(sys.stdout) else pipe


def run() -> None:
    """Run the app. Every usage error is one line and exit 2: ours raised outside a command,
    and click's (an unknown command or option, a bad choice), which would print a usage block
    first; the line names the command's --help."""
    _keep_only(sys.argv[1:2])
    try:
        code = app(standalone_mode=False, prog_name="pqtrack")
    except UsageError as exc:
        say(f"pqtrack: {exc}")
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # `pqtrack` alone: the help, on stderr
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "pqtrack"
        say(f"pqtrack: {exc.format_message()} (see: {where} --help)")
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        say(f"pqtrack: {exc.format_message()}")
        sys.exit(exc.exit_code)
    except click.Abort:
        say("pqtrack: stopped")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _keep_only(first: list[str]) -> None:
    """Leave on the app only the command (or group) the first argument names, when it names
    one: typer turns every registered command into click's at each start (about 10 ms for all
    of them, a tenth of a whole `search`), and a run needs only its own. `pqtrack --help` and
    an unknown command (which suggests the names it knows) keep them all."""
    name = first[0] if first else None
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands[:] = commands
        app.registered_groups[:] = groups
