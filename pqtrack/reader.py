"""Reading API-shaped files: envelopes, arrays, JSON Lines, gzip; checked, and for large
files read, checked and prepared in a worker process (pqtrack.workers), so that the importing
process only has to write them.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

from pqtrack import statement as st
from pqtrack import workers
from pqtrack.errors import InputFileError
from pqtrack.question import KNOWN_FIELDS, validate
from pqtrack.record import Value, loads
from pqtrack.versions import Item, Prepared, Source, prepare

Progress = Callable[[int], None]

# A file this large is read, checked and prepared by a worker process while the importing
# process writes: on two cores most of the way to twice as fast. Smaller ones are not worth it.
WORKER_MIN_BYTES = 8 * 2**20
_SEND_EVERY = 500
STDIN = "-"  # the file name that means standard input


def read(path: Path, unknown: set[str], progress: Progress | None = None) -> Iterator[Item]:
    """A file's values, checked: InputFileError names the first thing wrong with it. Questions
    and written statements may come in one file (`is_statement` tells them apart).

    Unknown top-level fields are added to `unknown`; `progress` is called with counts read.
    `path` "-" is standard input, read in this process in the same formats as a file.
    """
    if str(path) == STDIN:
        return checked(iter_values(path), unknown, progress)
    if _size(path) >= WORKER_MIN_BYTES:
        return _read_in_worker(path, unknown, progress)
    return checked(iter_values(path), unknown, progress)


def checked(
    values: Iterator[tuple[Value, Source | None]], unknown: set[str], progress: Progress | None
) -> Iterator[tuple[Value, Source | None]]:
    for n, (value, source) in enumerate(values, 1):
        statement = st.looks_like(value)
        try:
            (st.validate if statement else validate)(value)
        except ValueError as exc:
            raise InputFileError(f"record {n}: {exc}") from None
        if not statement and "questionText" not in value:
            raise InputFileError(f"record {n} is neither a written question nor a statement")
        unknown.update(value.keys() - (st.KNOWN_FIELDS if statement else KNOWN_FIELDS))
        if progress:
            progress(1)
        yield value, source


def is_statement(item: Item) -> bool:
    """An item read is a written statement (questions may have been planned ahead)."""
    return not isinstance(item, Prepared) and st.looks_like(item[0])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0  # _open_text says what is wrong with it


def _read_in_worker(path: Path, unknown: set[str], progress: Progress | None) -> Iterator[Item]:
    """The values of a large file as a worker process (`_prepared`) sends them.

    A failure in the worker arrives here as the InputFileError reading in this process would
    raise, after the values before it. If this side stops early, the worker is ended.
    """
    try:
        for kind, payload in workers.stream(_prepared, [(str(path),)]):
            if kind == "items":
                if progress:
                    progress(len(payload))
                yield from payload
            else:
                unknown.update(payload)
    except workers.WorkerStopped as exc:
        raise InputFileError(f"the process reading it stopped ({exc})") from None


def _prepared(path: str) -> Iterator[tuple[str, Any]]:
    """The worker's side: one file's checked, prepared values in batches ("items", [...]),
    then ("unknown", its unknown fields); an InputFileError ends it after the batch before."""
    unknown: set[str] = set()
    batch: list[Item] = []
    try:
        for value, source in checked(iter_values(Path(path)), unknown, None):
            # a statement is planned where it is saved (the importer sets them apart)
            batch.append((value, source) if st.looks_like(value) else prepare(value, source))
            if len(batch) >= _SEND_EVERY:
                yield "items", batch
                batch = []
    except InputFileError:
        yield "items", batch
        raise
    yield "items", batch
    yield "unknown", sorted(unknown)


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
                raise InputFileError(
                    "nothing on standard input" if str(path) == STDIN else "the file is empty"
                )
            try:
                document = loads(first)
            except json.JSONDecodeError:
                document = _NOT_ONE_LINE
            if document is _NOT_ONE_LINE:
                try:
                    document = loads(first + stream.read())
                except json.JSONDecodeError as exc:
                    raise InputFileError(f"not JSON: {exc}") from None
                yield from _unwrap(document, where="")
                return
            yield from _unwrap(document, where="line 1")
            for lineno, line in enumerate(stream, 2):
                if not line.strip():
                    continue
                try:
                    document = loads(line)
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
            "or question or statement objects)"
        )


def _open_text(path: Path) -> IO[str]:
    if str(path) == STDIN:
        return _open_stdin()
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


def _open_stdin() -> IO[str]:
    """Standard input as text, gunzipped if it starts like gzip, streamed (never read whole)."""
    if sys.stdin is None or sys.stdin.isatty():
        raise InputFileError("nothing on standard input (it is a terminal; pipe a file into it)")
    raw: BinaryIO = getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode())
    head = b""
    while len(head) < 2:
        more = raw.read(2 - len(head))
        if not more:
            break
        head += more
    stream = io.BufferedReader(_Rejoined(head, raw))
    if head == b"\x1f\x8b":
        return gzip.open(stream, "rt", encoding="utf-8-sig")
    return io.TextIOWrapper(stream, encoding="utf-8-sig")


class _Rejoined(io.RawIOBase):
    """A binary stream's first bytes, read already to sniff it, put back in front of the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        read = getattr(self._rest, "read1", self._rest.read)  # what a pipe has, not a buffer-full
        data = read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
