"""Progress bars on stderr for import, analysis and sync; rich is imported only when one shows.

Each helper is a context manager yielding the callback (or reporter) the library takes, or None
when progress is not shown: stderr is not a terminal, or --quiet.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pqtrack.output import is_terminal, stderr_console


def wanted(quiet: bool) -> bool:
    return not quiet and is_terminal(sys.stderr)


@contextmanager
def importing(enabled: bool) -> Iterator[Callable[[int], None] | None]:
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
def analysing(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
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
        console=stderr_console(),
        transient=True,
    ) as progress:
        yield progress, progress.add_task(label, total=None)


@contextmanager
def syncing(enabled: bool) -> Iterator[Any]:
    """Windows, pages and details fetched, as bars; yields a sync Reporter (or None)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
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
