"""Output plumbing: the formats, the consoles, talk on stderr, untrusted text made safe, and the
one function that writes a view (its column spec) as a table fitted to the terminal, plain lines,
JSON, JSON Lines or CSV.

Every stored text is untrusted: it is stripped of control characters and escape sequences and
never interpreted as Rich markup (Text objects only, or `escape`). rich is imported only when
something is drawn with it: `--format json` and plain lines in a pipe never load it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

Row = Mapping[str, Any]


class Format(StrEnum):
    """Every output format; each command accepts the ones it can write."""

    table = "table"  # rich, for people at a terminal
    plain = "plain"  # tab-separated lines under a header line: the default in a pipe
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"  # changes: a digest
    word = "word"  # diff: git's word-diff markers
    unified = "unified"  # diff


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal, as rich decides it (TTY_COMPATIBLE, FORCE_COLOR, isatty),
    without importing rich."""
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _LazyConsole:
    """A rich Console made on first use; `.file` (plain text) needs no rich at all."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    @property
    def file(self) -> TextIO:
        return sys.stderr if self._options.get("stderr") else sys.stdout

    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return cast("Console", self._console)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


out = cast("Console", _LazyConsole(highlight=False, soft_wrap=False))
err = cast("Console", _LazyConsole(stderr=True, highlight=False, soft_wrap=True))


def stderr_console() -> Console:
    """The rich Console on stderr itself (progress bars need the object, not a stand-in)."""
    return cast(_LazyConsole, err).real()


_RICH_STRIPS = dict.fromkeys((7, 8, 11, 12, 13))  # the controls rich drops from printed text


def say(message: str) -> None:
    """One line of talk on stderr, printed as written (never as markup)."""
    sys.stderr.write(message.translate(_RICH_STRIPS) + "\n")


# CSI and OSC sequences (ESC ] 8 hyperlinks included), then any other C0/C1 control but \n and \t
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: Any) -> str:
    """Untrusted text made safe for a terminal: no escape sequences, no control characters."""
    if text is None:
        return ""
    return _CONTROLS.sub("", _ESCAPES.sub("", str(text)))


def one_line(text: Any, width: int | None = None) -> str:
    flat = " ".join(clean(text).split())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat


def styled(*parts: tuple[str, str]) -> Text:
    """A rich Text from (text, style) parts, never parsed as markup."""
    from rich.text import Text

    text = Text()
    for part, style in parts:
        text.append(part, style=style)
    return text


# -- one output function for every view ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, how wide it may be, and how to draw a cell.

    width: "short" never wraps (ids, dates, statuses); "rest" takes what the others leave and
    wraps; "number" is right-aligned and as wide as its header; ("cut", n) is at most n wide,
    one line, ending in an ellipsis; ("wrap", n) is at most n wide and wraps; ("fit", lo, hi)
    gets what the other columns leave, between lo and hi and no more than its longest cell;
    None lets rich decide.
    """

    header: str
    cell: Callable[[Row], Any]  # a str (printed as written, never as markup) or a rich Text
    width: Any = "short"
    style: str = ""
    fold: bool = False  # a "rest" column that breaks long words rather than overflowing
    # On a terminal too narrow for every column to keep the "rest" column readable: `narrow`
    # is drawn instead (say, short names), and then columns are left out, lowest `drop` first
    # (0: never left out).
    narrow: Column | None = None
    drop: int = 0

    def options(self) -> dict[str, Any]:
        kind = _kind(self.width)
        opts: dict[str, Any] = {"style": self.style} if self.style else {}
        if kind == "short":
            opts["no_wrap"] = True
        elif kind == "rest":
            opts["ratio"] = 1
            if self.fold:
                opts["overflow"] = "fold"
        elif kind == "number":
            lines = self.header.split("\n")
            opts.update(justify="right", no_wrap=True, min_width=max(map(len, lines)))
        elif kind == "cut":
            opts.update(max_width=self.width[1], overflow="ellipsis", no_wrap=True)
        elif kind == "wrap":
            opts["max_width"] = self.width[1]
        elif kind == "fit":
            opts.update(overflow="ellipsis", no_wrap=True)
        return opts


def _kind(width: Any) -> Any:
    return width[0] if isinstance(width, tuple) else width


@dataclass(frozen=True)
class View:
    """How one kind of row is shown: a table's columns, plain lines' cells (tab-separated, each
    named in a header line), and the fields JSON, JSON Lines and CSV carry."""

    fields: Sequence[str]
    columns: Sequence[Column]
    plain: Sequence[tuple[str, Callable[[Row], str]]]  # (header, cell)
    table: dict[str, Any] = field(default_factory=dict)  # rich Table options beside the box
    notes: Callable[[Sequence[Row]], list[Any]] = lambda rows: []  # drawn under the table
    export: Callable[[Row], Row] | None = None  # a row as machine formats carry it
    extra: Mapping[Format, Callable[[Sequence[Row]], str]] = field(default_factory=dict)
    empty: str = "no matches"  # said on stderr instead of drawing a table of no rows ("": silent)


def write(
    view: View,
    rows: Sequence[Row],
    fmt: Format,
    console: Console = out,
    *,
    header: bool = True,
    footer: str | None = None,
) -> None:
    """Write rows as the view's table, plain lines, JSON, JSON Lines or CSV (or an extra);
    plain lines and CSV start with a header line unless `header` is False. A `footer` (a cut
    listing's "50 of 1,234") follows on stderr."""
    _write(view, rows, fmt, console, header)
    if footer:
        say(footer)


def _write(view: View, rows: Sequence[Row], fmt: Format, console: Console, header: bool) -> None:
    if fmt in view.extra:
        console.file.write(view.extra[fmt](rows))
        return
    data = [view.export(r) for r in rows] if view.export else rows
    if fmt == Format.json:
        emit_json(console, [dict(r) for r in data])
    elif fmt == Format.jsonl:
        emit_jsonl(console, data)
    elif fmt == Format.csv:
        emit_csv(console, data, view.fields, header=header)
    elif fmt == Format.plain:
        if header:
            console.file.write("\t".join(name for name, _ in view.plain) + "\n")
        for r in rows:
            console.file.write("\t".join(cell(r) for _, cell in view.plain) + "\n")
    elif fmt == Format.table:
        _draw_table(view, rows, console)
    else:
        raise ValueError(f"cannot write this view as {fmt}")


def _draw_table(view: View, rows: Sequence[Row], console: Console) -> None:
    from rich.text import Text

    if not rows:  # an empty table would say nothing that a line on stderr does not
        if view.empty:
            say(f"pqtrack: {view.empty}")
        return
    columns, cells = _fitted(view, rows, console)
    fit = next((i for i, c in enumerate(columns) if _kind(c.width) == "fit"), None)
    if fit is None:
        console.print(_table(view, columns, cells))
    else:  # the fitted column gets what the others leave, within its bounds
        while True:
            lo, hi = columns[fit].width[1:]
            others = _measure(console, _table(view, columns, cells, fit, lo)) - lo
            width, longest = _fit_width(columns[fit], cells, fit, console.width - others)
            if longest > console.width - others and (narrow := columns[fit].narrow) is not None:
                columns[fit] = narrow
                for row, r in zip(cells, rows, strict=True):  # short names, for want of room
                    row[fit] = _text(narrow.cell(r), Text)
                width, longest = _fit_width(narrow, cells, fit, console.width - others)
            fits = others + width <= console.width  # the key at least its least width
            droppable = [c.drop for c in columns if c.drop]
            if fits or not droppable:
                break
            # The row's key is never cut: columns are left out whole, lowest `drop` first.
            kept = [i for i, c in enumerate(columns) if c.drop != min(droppable)]
            fit = kept.index(fit)
            columns = [columns[i] for i in kept]
            cells = [[row[i] for i in kept] for row in cells]
        console.print(_table(view, columns, cells, fit, width))
    for note in view.notes(rows):
        console.print(note)


def _measure(console: Console, table: Table) -> int:
    """The width a table would take with no terminal edge to stop it."""
    unbounded = console.options.update_width(sys.maxsize // 2)
    return console.measure(table, options=unbounded).maximum


def _fit_width(column: Column, cells: list[list[Text]], at: int, room: int) -> tuple[int, int]:
    """A "fit" column's width in `room`, within its bounds, and its longest cell."""
    lo, hi = column.width[1:]
    longest = max([len(column.header), *(len(row[at].plain) for row in cells)])
    return max(lo, min(hi, longest, room)), longest


def rest_room(width: int) -> int:
    """The least a table's "rest" column (a heading, a gist) keeps on a terminal `width` wide
    before other columns are narrowed or left out: a third of the width, and never under 24."""
    return max(24, (width - 8) // 3)


def _fitted(
    view: View, rows: Sequence[Row], console: Console
) -> tuple[list[Column], list[list[Text]]]:
    """The columns to draw at the console's width, and their cells: every column if the "rest"
    column keeps `rest_room` beside them; else the narrow variants; then without the columns
    that may be dropped, lowest `drop` first, until it does. Ids and dates are never cut: a
    column that does not fit is left out whole."""
    from rich.text import Text

    columns = list(view.columns)
    rest = next((i for i, c in enumerate(columns) if _kind(c.width) == "rest"), None)
    tries = [columns]
    if rest is not None and any(c.narrow or c.drop for c in columns):
        while any(c.narrow for c in tries[-1]):
            tries.append([c.narrow or c for c in tries[-1]])
        for dropped in sorted({c.drop for c in columns if c.drop}):
            tries.append([c for c in tries[-1] if not c.drop or c.drop > dropped])
    room = rest_room(console.width)
    for chosen in tries:
        cells = [[_text(c.cell(r), Text) for c in chosen] for r in rows]
        if chosen is tries[-1]:
            break
        at = next(i for i, c in enumerate(chosen) if _kind(c.width) == "rest")
        lines = [line for row in cells for line in row[at].plain.split("\n")]
        longest = max(len(line) for line in [chosen[at].header, *lines])
        unbounded = console.options.update_width(sys.maxsize // 2)  # the width it would take
        needed = console.measure(
            _table(view, chosen, cells, at, min(room, longest)), options=unbounded
        )
        if needed.maximum <= console.width:
            break
    return chosen, cells


def _text(value: Any, text: type[Text]) -> Text:
    return text(value) if isinstance(value, str) else cast("Text", value)


def _table(
    view: View,
    columns: Sequence[Column],
    cells: list[list[Text]],
    fit: int | None = None,
    width: int = 0,
) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, **view.table)
    for i, column in enumerate(columns):
        options = column.options()
        if i == fit:
            options["width"] = width
        table.add_column(column.header, **options)
    for row in cells:
        table.add_row(*row)
    return table


def cut_footer(shown: int, offset: int, total: int | None) -> str:
    """What a cut listing says on stderr: "50 of 1,234 — use --limit N or --all" (from the
    51st: "51-100 of 1,234"; without a total: "50 shown, more not counted")."""
    span = f"{shown:,}" if not offset else f"{offset + 1:,}-{offset + shown:,}"
    of = f" of {total:,}" if total is not None else " shown, more not counted"
    return f"{span}{of} — use --limit N or --all"


# -- machine formats -----------------------------------------------------------------------------


def emit_json(out: Console, data: Any) -> None:
    out.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def emit_jsonl(out: Console, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        out.file.write(json.dumps(row, ensure_ascii=False) + "\n")


def emit_csv(
    out: Console, rows: Sequence[Mapping[str, Any]], fields: Sequence[str], *, header: bool = True
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(fields)
    for row in rows:
        writer.writerow([_csv_cell(row.get(f)) for f in fields])
    out.file.write(buffer.getvalue())


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return clean(value)
