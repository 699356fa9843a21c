"""`pqtrack import`: files into the store, each file in its own transaction."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from pqtrack import reader
from pqtrack.errors import InputFileError, UsageError
from pqtrack.store import Store, utc_now
from pqtrack.versions import Item
from pqtrack.writes import STATEMENTS, SaveCounts


@dataclass
class ImportReport:
    files: int = 0
    counts: SaveCounts = field(default_factory=SaveCounts)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "failed": len(self.failed),
            **self.counts.as_dict(),
        }


def as_of(text: str, *, now: datetime | None = None) -> str:
    """When an import's observations were seen, as a user gives it: a date (its start, UTC,
    in any form `filters.parse_date` takes) or an ISO time (UTC unless it names its offset).
    The result is UTC in the form the store records (`store.utc_now`); a future time is refused."""
    from pqtrack.filters import parse_date

    text = text.strip()
    now = now or datetime.now(UTC)
    if re.match(r"\d{4}-\d\d-\d\d[T ]\d", text):
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(f"{text!r} is not a date or an ISO time") from None
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    else:
        when = datetime.combine(parse_date(text, today=now.date()), time(), tzinfo=UTC)
    if when > now:
        raise UsageError(f"{when.isoformat(timespec='seconds')} is in the future")
    return when.replace(microsecond=0).isoformat(timespec="seconds")


def import_files(
    store: Store,
    paths: list[Path],
    *,
    progress: reader.Progress | None = None,
    seen_at: str | None = None,
) -> ImportReport:
    """Import each file in its own transaction: a bad file is reported and leaves nothing behind.

    Versions and events record `seen_at` (see `as_of`; default now); an observation older than
    a question's stored current version is skipped and counted (`SaveCounts.older`).
    """
    report = ImportReport()
    now = seen_at or utc_now()
    try:
        args = {"files": [str(p) for p in paths], **({"as_of": seen_at} if seen_at else {})}
        run_id = store.begin_run("import", args)
        for path in paths:
            _import_file(store, path, run_id, report, progress, now)
    except BaseException as exc:  # Ctrl-C, SIGTERM or a bug: the file under way rolls back
        store.cut_short(exc, report.summary())
        raise
    report.counts.truncated = store.count_truncated()  # in the whole database, not just these files
    status = "ok" if not report.failed else ("partial" if report.files else "failed")
    store.finish_run(
        run_id, status, report.summary(), "; ".join(f"{f}: {r}" for f, r in report.failed) or None
    )
    store.tidy_index(report.counts.written)
    return report


def _import_file(
    store: Store,
    path: Path,
    run_id: int,
    report: ImportReport,
    progress: reader.Progress | None,
    now: str,
) -> None:
    unknown: set[str] = set()
    statements: list[Item] = []

    def questions(items: Iterator[Item]) -> Iterator[Item]:
        for item in items:
            if reader.is_statement(item):
                statements.append(item)  # few: saved after the questions, in one transaction
            else:
                yield item

    try:
        with store.transaction():
            counts = store.save(
                questions(reader.read(path, unknown, progress)), run_id=run_id, now=now
            )
            counts.add(store.save(statements, run_id=run_id, now=now, kind=STATEMENTS))
    except InputFileError as exc:
        report.failed.append((str(path), str(exc)))
        return
    report.files += 1
    report.counts.add(counts)
    if unknown:
        report.warnings.append(f"{path}: kept unknown field(s) {', '.join(sorted(unknown))}")
