"""`pqtrack import`: files into the store, each file in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pqtrack import reader
from pqtrack.errors import InputFileError
from pqtrack.store import Store
from pqtrack.writes import SaveCounts


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


def import_files(
    store: Store, paths: list[Path], *, progress: reader.Progress | None = None
) -> ImportReport:
    """Import each file in its own transaction: a bad file is reported and leaves nothing behind."""
    report = ImportReport()
    try:
        run_id = store.begin_run("import", {"files": [str(p) for p in paths]})
        for path in paths:
            _import_file(store, path, run_id, report, progress)
    except BaseException as exc:  # Ctrl-C, SIGTERM or a bug: the file under way rolls back
        store.cut_short(exc, report.summary())
        raise
    report.counts.truncated = store.count_truncated()  # in the whole database, not just these files
    status = "ok" if not report.failed else ("partial" if report.files else "failed")
    store.finish_run(
        run_id, status, report.summary(), "; ".join(f"{f}: {r}" for f, r in report.failed) or None
    )
    return report


def _import_file(
    store: Store, path: Path, run_id: int, report: ImportReport, progress: reader.Progress | None
) -> None:
    unknown: set[str] = set()
    try:
        counts = store.save(reader.read(path, unknown, progress), run_id=run_id)
    except InputFileError as exc:
        report.failed.append((str(path), str(exc)))
        return
    report.files += 1
    report.counts.add(counts)
    if unknown:
        report.warnings.append(f"{path}: kept unknown field(s) {', '.join(sorted(unknown))}")
