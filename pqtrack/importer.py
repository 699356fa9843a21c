"""Reading API-shaped files into the store: envelopes, arrays, JSON Lines, gzip."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pqtrack import models
from pqtrack.errors import InputFileError
from pqtrack.merge import Source
from pqtrack.models import Value
from pqtrack.store import SaveCounts, Store

KNOWN_FIELDS = frozenset(
    "id uin house dateTabled dateForAnswer isNamedDay askingMemberId askingMember "
    "memberHasInterest questionText heading answeringBodyId answeringBodyName isWithdrawn "
    "groupedQuestions groupedQuestionsDates answerIsHolding answerIsCorrection "
    "answeringMemberId answeringMember correctingMemberId correctingMember dateAnswered "
    "answerText originalAnswerText comparableAnswerText dateAnswerCorrected "
    "dateHoldingAnswer attachmentCount attachments".split()
)

Progress = Callable[[int], None]


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
    store: Store, paths: list[Path], *, progress: Progress | None = None
) -> ImportReport:
    """Import each file in its own transaction: a bad file is reported and leaves nothing behind."""
    report = ImportReport()
    run_id = store.begin_run("import", {"files": [str(p) for p in paths]})
    for path in paths:
        unknown: set[str] = set()
        try:
            counts = store.save_values(
                _checked(iter_values(path), unknown, progress), run_id=run_id
            )
        except InputFileError as exc:
            report.failed.append((str(path), str(exc)))
            continue
        report.files += 1
        report.counts.add(counts)
        if unknown:
            report.warnings.append(f"{path}: kept unknown field(s) {', '.join(sorted(unknown))}")
    report.counts.truncated = store.count_truncated()  # in the whole database, not just these files
    status = "ok" if not report.failed else ("partial" if report.files else "failed")
    store.finish_run(
        run_id, status, report.summary(), "; ".join(f"{f}: {r}" for f, r in report.failed) or None
    )
    return report


def _checked(
    values: Iterator[tuple[Value, Source | None]], unknown: set[str], progress: Progress | None
) -> Iterator[tuple[Value, Source | None]]:
    for n, (value, source) in enumerate(values, 1):
        try:
            models.validate(value)
        except ValueError as exc:
            raise InputFileError(f"record {n}: {exc}") from None
        if "questionText" not in value:
            hint = " (it looks like a written statement)" if "title" in value else ""
            raise InputFileError(f"record {n} is not a written question{hint}")
        unknown.update(value.keys() - KNOWN_FIELDS)
        if progress:
            progress(1)
        yield value, source


def iter_values(path: Path) -> Iterator[tuple[Value, Source | None]]:
    """Yield (value, source) from one file; source is 'list' for list envelopes, else unknown.

    A file whose first line is a whole JSON document is read as JSON Lines, streaming, so a
    large export never has to fit in memory; anything else is parsed as one JSON document.
    """
    with _open_text(path) as stream:
        try:
            first = stream.readline()
            while first and not first.strip():
                first = stream.readline()
            if not first:
                raise InputFileError("the file is empty")
            try:
                document = json.loads(first)
            except json.JSONDecodeError:
                document = _NOT_ONE_LINE
            if document is _NOT_ONE_LINE:
                try:
                    document = json.loads(first + stream.read())
                except json.JSONDecodeError as exc:
                    raise InputFileError(f"not JSON: {exc}") from None
                yield from _unwrap(document, where="")
                return
            yield from _unwrap(document, where="line 1")
            for lineno, line in enumerate(stream, 2):
                if not line.strip():
                    continue
                try:
                    document = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputFileError(f"line {lineno} is not JSON: {exc.msg}") from None
                yield from _unwrap(document, where=f"line {lineno}")
        except (OSError, EOFError, zlib.error) as exc:
            raise InputFileError(f"cannot read: {exc}") from None
        except UnicodeDecodeError:
            raise InputFileError("not UTF-8 text") from None


_NOT_ONE_LINE = object()


def _unwrap(document: Any, *, where: str) -> Iterator[tuple[Value, Source | None]]:
    """Values from one JSON document; `where` names its line in a JSON Lines file."""
    where = f"{where}: " if where else ""
    if isinstance(document, list):
        for item in document:
            yield from _unwrap_item(item, None, where)
    elif isinstance(document, dict) and "results" in document:
        if not isinstance(document["results"], list):
            raise InputFileError(f"{where}'results' is not a list")
        for item in document["results"]:
            yield from _unwrap_item(item, "list", where)
    elif isinstance(document, dict):
        yield from _unwrap_item(document, None, where)
    else:
        raise InputFileError(f"{where}expected an object or array, got {type(document).__name__}")


def _unwrap_item(
    item: Any, source: Source | None, where: str
) -> Iterator[tuple[Value, Source | None]]:
    if isinstance(item, dict) and isinstance(item.get("value"), dict):
        yield item["value"], source
    elif isinstance(item, dict) and "id" in item:
        yield item, source
    else:
        raise InputFileError(
            f"{where}not API-shaped JSON (expected a list envelope, a {{value: ...}} envelope "
            "or question objects)"
        )


def _open_text(path: Path) -> IO[str]:
    if not path.exists():
        raise InputFileError("no such file")
    if path.is_dir():
        raise InputFileError("is a directory")
    try:
        with path.open("rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        if gzipped:
            return gzip.open(path, "rt", encoding="utf-8-sig")
        return path.open("r", encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror or exc}") from None
