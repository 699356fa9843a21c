"""Presentation only: one column spec per view and one function that writes a view as a table,
plain lines, JSON, JSON Lines or CSV; the question panel, the digest, diffs and charts.

Every stored text is untrusted: it is stripped of control characters and escape sequences and
never interpreted as Rich markup (Text objects only, or `escape`). rich is imported only when
something is drawn with it: `--format json` and plain lines in a pipe never load it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from pqtrack import diff

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


HIGHLIGHT_STYLE = "black on yellow"  # a match in a snippet: unlike the bold heading above it
MARKS = ("«", "»")  # around a match where styles do not show (NO_COLOR, a dumb terminal)


def snippet_text(snippet: str | None, *, marks: bool = False) -> Text:
    """A search snippet with its matches highlighted, and also put between MARKS when `marks`
    (styles may not show: the marks still do)."""
    from pqtrack.search import SNIPPET_CLOSE, SNIPPET_OPEN

    pieces = re.split(f"[{SNIPPET_OPEN}{SNIPPET_CLOSE}]", snippet or "")
    parts: list[tuple[str, str]] = []
    for i, piece in enumerate(pieces):
        text = _SPACES.sub(" ", clean(piece))
        if i % 2 and text:
            parts.append((f"{MARKS[0]}{text}{MARKS[1]}" if marks else text, HIGHLIGHT_STYLE))
        else:
            parts.append((text, ""))
    return styled(*parts)


def styles_hidden(console: Console) -> bool:
    """Whether colours are off on `console` (NO_COLOR, or a terminal without colours), so that
    a highlight needs text marks to be seen."""
    return bool(console.no_color or console.color_system is None)


_SPACES = re.compile(r"\s+")


def plain_snippet(snippet: str | None) -> str:
    from pqtrack.search import SNIPPET_CLOSE, SNIPPET_OPEN

    return one_line((snippet or "").replace(SNIPPET_OPEN, "").replace(SNIPPET_CLOSE, ""))


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
        lo, hi = columns[fit].width[1:]
        others = console.measure(_table(view, columns, cells, fit, lo)).maximum - lo
        width, longest = _fit_width(columns[fit], cells, fit, console.width - others)
        if longest > console.width - others and (narrow := columns[fit].narrow) is not None:
            columns[fit] = narrow
            for row, r in zip(cells, rows, strict=True):  # short names, for want of room
                row[fit] = _text(narrow.cell(r), Text)
            width, longest = _fit_width(narrow, cells, fit, console.width - others)
        console.print(_table(view, columns, cells, fit, width))
    for note in view.notes(rows):
        console.print(note)


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


# -- the views -----------------------------------------------------------------------------------


def _seen(r: Row) -> str:
    return str(r["seen_at"])[:16].replace("T", " ")


def _heading_cell(r: Row, snippets: bool) -> Text:
    body = styled((one_line(r.get("heading")) or "(no heading)", "bold"))
    if snippets:
        body.append("\n")
        body.append_text(snippet_text(r.get("snippet"), marks=styles_hidden(out)))
    return body


@functools.cache
def _short_names() -> dict[str, str]:
    """Folded department name -> its shortest name in data/departments.toml (DHSC for the
    Department of Health and Social Care), for its present name and its former ones."""
    from pqtrack.filters import fold, shipped_catalogue

    catalogue = shipped_catalogue()
    short: dict[str, str] = {}
    for number, name in catalogue.names.items():
        names = (name, *catalogue.aliases.get(number, ()))
        short[fold(name)] = min(names, key=len)
    for names, _, _ in catalogue.former:
        for name in names:
            short.setdefault(fold(name), min(names, key=len))
    return short


def _department_column(key: str, cut: int, *, drop: int) -> Column:
    """A department column: the whole name where there is room, else cut to `cut` characters,
    else the short name (DHSC), else (by `drop`) left out."""
    short = Column("dept", lambda r: short_department(r.get(key)), ("wrap", 13), drop=drop)
    cut_name = Column("department", lambda r: one_line(r.get(key)), ("cut", cut), drop=drop)
    named = replace(cut_name, narrow=short)
    return Column("department", lambda r: one_line(r.get(key)), narrow=named, drop=drop)


def short_department(name: Any) -> str:
    """A department's short name (DfT, DHSC), or its name when it has none shorter."""
    from pqtrack.filters import fold

    full = one_line(name)
    return _short_names().get(fold(full), full)


def questions_view(*, snippets: bool = False) -> View:
    """Questions, as list (and, with snippets, search) shows them."""
    from pqtrack.records import RECORD_FIELDS

    plain: list[tuple[str, Callable[[Row], str]]] = [
        ("id", lambda r: str(r["id"])),
        ("uin", lambda r: one_line(r.get("uin"))),
        ("date_tabled", lambda r: r.get("date_tabled") or ""),
        ("status", lambda r: r.get("status") or ""),
        ("answering_body", lambda r: one_line(r.get("answering_body"))),
        ("heading", lambda r: one_line(r.get("heading"))),
    ]
    if snippets:
        plain.append(("snippet", lambda r: plain_snippet(r.get("snippet"))))
    return View(
        fields=[*RECORD_FIELDS, *(["snippet"] if snippets else [])],
        columns=[  # at 80 columns: short department names; narrower, fewer columns
            Column("id", lambda r: str(r["id"]), style="cyan"),
            Column("uin", lambda r: one_line(r.get("uin")), drop=1),
            Column("tabled", lambda r: r.get("date_tabled") or "", drop=4),
            Column("status", lambda r: r.get("status") or "", drop=2),
            _department_column("answering_body", 24, drop=3),
            Column(
                "heading" + (" / snippet" if snippets else ""),
                lambda r: _heading_cell(r, snippets),
                "rest",
                fold=True,
            ),
        ],
        plain=plain,
        table={"expand": False, "pad_edge": False},
        empty="" if snippets else "no matches",  # search says "no matches for ..." itself
        export=(lambda r: {**r, "snippet": plain_snippet(r.get("snippet"))}) if snippets else None,
    )


HISTORY = View(
    fields=[
        "version",
        "seen_at",
        "status",
        "date_answered",
        "answering_body",
        "changed",
        "events",
        "question_text",
        "answer_text",
    ],
    columns=[
        Column("v", lambda v: str(v["version"]), style="cyan"),
        Column("seen", _seen),
        Column("status", lambda v: v["status"]),
        Column("answered", lambda v: v.get("date_answered") or ""),
        Column("events", lambda v: ", ".join(e["event"] for e in v.get("events", [])), None),
        Column(
            "changed",
            lambda v: styled((", ".join(v.get("changed") or []), "dim")),
            "rest",
            fold=True,
        ),
    ],
    plain=[
        ("version", lambda v: str(v["version"])),
        ("seen_at", lambda v: v["seen_at"]),
        ("status", lambda v: v["status"]),
        ("date_answered", lambda v: v.get("date_answered") or ""),
        ("events", lambda v: ",".join(e["event"] for e in v.get("events", []))),
        ("changed", lambda v: ",".join(v.get("changed") or [])),
    ],
)


def _gist_cell(r: Row) -> Text:
    heading = one_line(r.get("heading")) or "(no heading)"
    return styled((heading, "bold"), ("\n" + one_line(r.get("gist"), 160), ""))


def _record_ref(r: Row) -> str:
    """A change's record as a REF: a question's id, or S and a statement's."""
    if r.get("question_id") is None and r.get("statement_id") is not None:
        return f"S{r['statement_id']}"
    return str(r["question_id"])


def changes_view(since: str, topic: str | None, total: int | None = None) -> View:
    """The change feed; as markdown, a digest of it (`since` and `topic` say what it covers;
    `total`, when the rows are only some of the changes, how many there are in all)."""
    return View(
        fields=[
            "seen_at",
            "kind",
            "event",
            "question_id",
            "statement_id",
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
        ],
        columns=[
            Column("seen", _seen, drop=2),
            Column("event", lambda r: r["event"], style="cyan"),
            Column("uin", lambda r: one_line(r.get("uin"))),
            _department_column("department", 22, drop=1),
            Column("heading / what happened", _gist_cell, "rest"),
        ],
        plain=[
            ("seen_at", lambda r: r["seen_at"]),
            ("event", lambda r: r["event"]),
            ("question_id", _record_ref),
            ("uin", lambda r: one_line(r.get("uin"))),
            ("heading", lambda r: one_line(r.get("heading"))),
            ("gist", lambda r: one_line(r.get("gist"))),
        ],
        extra={Format.markdown: lambda rows: digest_markdown(rows, since, topic, total)},
        empty=f"no changes {_feed_span(since)}",
    )


def _feed_span(since: str) -> str:
    if since == "last-sync":
        return "in the latest sync"
    return f"in {since}" if since.startswith("the last") else f"since {since}"


def _topic_cell(r: Row) -> Text:
    body = styled((one_line(r["description"]), "bold"))
    body.append("\n" + "\n".join(clean(q) for q in r["queries"]))
    if r.get("exclude"):
        body.append("\nexcept: " + "; ".join(clean(q) for q in r["exclude"]), style="dim")
    if r["departments"]:
        body.append(f"\ndepartments: {', '.join(map(str, r['departments']))}", style="dim")
    return body


def topic_rows(topics: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "description": t.description,
            "queries": list(t.queries),
            "exclude": list(t.exclude),
            "departments": list(t.departments),
            "source": t.source,
        }
        for t in sorted(topics, key=lambda t: t.name)
    ]


def topics_view(user_file: Any) -> View:
    return View(
        fields=["name", "description", "queries", "exclude", "departments", "source"],
        columns=[
            Column("topic", lambda r: r["name"], style="cyan"),
            Column("source", lambda r: one_line(r["source"])),
            Column("description / queries", _topic_cell, "rest"),
        ],
        plain=[
            ("name", lambda r: r["name"]),
            ("source", lambda r: r["source"]),
            ("description", lambda r: one_line(r["description"])),
        ],
        notes=lambda rows: [styled((f"Your own topics go in {user_file}", "dim"))],
    )


DEPARTMENTS = View(
    fields=["id", "name", "aliases", "questions"],
    columns=[
        Column("id", lambda r: str(r["id"]), "number", style="cyan"),
        Column("department", lambda r: one_line(r["name"]), "rest"),
        Column("short and former names", lambda r: one_line("; ".join(r["aliases"])), "rest"),
        Column("questions", lambda r: str(r["questions"]), "number"),
    ],
    plain=[
        ("id", lambda r: str(r["id"])),
        ("name", lambda r: one_line(r["name"])),
        ("aliases", lambda r: one_line("; ".join(r["aliases"]))),
        ("questions", lambda r: str(r["questions"])),
    ],
)


def _repeat_answer(g: Row) -> Text:
    uins = ", ".join(clean(u) for u in g["uins"][:8])
    more = f" +{len(g['uins']) - 8} more" if len(g["uins"]) > 8 else ""
    return styled((one_line(g["answer_text"], 240), ""), (f"\n{uins}{more}", "dim"))


def _repeat_span(g: Row) -> str:
    span = g["first_answered"] or ""
    if g["last_answered"] and g["last_answered"] != g["first_answered"]:
        span += f"..{g['last_answered']}"
    return str(span)


def _repeat_departments(g: Row, *, short: bool = False) -> str:
    depts = [short_department(d) if short else clean(d) for d in g["departments"]]
    return "; ".join(depts[:3]) + (f"; +{len(depts) - 3} more" if len(depts) > 3 else "")


REPEATS = View(
    fields=[
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
    ],
    columns=[
        Column("size", lambda g: f"{g['size']} ({g['occasions']})", "number"),
        Column(
            "kind",
            lambda g: g["kind"] + (f" ({g['variants']} variants)" if g["variants"] > 1 else ""),
            drop=1,
        ),
        Column("answered", _repeat_span, drop=3),
        Column(
            "departments",
            _repeat_departments,
            ("wrap", 26),
            narrow=Column(
                "depts", lambda g: _repeat_departments(g, short=True), ("wrap", 13), drop=2
            ),
            drop=2,
        ),
        Column("answer (once) / questions", _repeat_answer, "rest"),
    ],
    plain=[
        ("kind", lambda g: g["kind"]),
        ("size", lambda g: str(g["size"])),
        ("occasions", lambda g: str(g["occasions"])),
        ("ids", lambda g: ",".join(str(i) for i in g["ids"][:20])),
        ("departments", lambda g: "; ".join(g["departments"])),
        ("answer_text", lambda g: one_line(g["answer_text"], 200)),
    ],
    empty="no answer was given to more than one of these questions",
    notes=lambda rows: [
        styled(
            (
                "size (occasions): questions given the answer (separate answers, "
                "counting grouped questions once)",
                "dim",
            )
        )
    ],
)

_STATS_FIELDS = (
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
    "past_recess_data",
)
_STATS_PLAIN = (
    "tabled",
    "answered",
    "unanswered",
    "holding",
    "corrected",
    "overdue",
    "median_days",
    "on_time_rate",
    "referrals",
)


def _count(key: str) -> Callable[[Row], str]:
    return lambda r: f"{r[key]:,}"


def _as_is(key: str) -> Callable[[Row], str]:
    return lambda r: "" if r[key] is None else str(r[key])


def stats_view(by: str, *, chart: bool, caption: str = "") -> View:
    """Counts and timeliness by `by`, with a chart under the table (and `caption`, what a
    working day is, under the key)."""
    counts = [
        ("tab-\nled", "tabled"),
        ("ans-\nwered", "answered"),
        ("open", "unanswered"),
        ("hold-\ning", "holding"),
        ("corr-\nected", "corrected"),
        ("over-\ndue", "overdue"),
    ]
    return View(
        fields=[by, *_STATS_FIELDS],
        columns=[
            Column(
                by,
                lambda r: one_line(r[by]),
                ("fit", 8, 36),
                narrow=Column(by, lambda r: short_department(r[by]), ("fit", 8, 36))
                if by == "department"
                else None,
            ),
            *(Column(header, _count(key), "number") for header, key in counts),
            Column(
                "days",
                lambda r: "" if r["median_days"] is None else f"{r['median_days']:g}",
                "number",
            ),
            Column("on\ntime", lambda r: _pct(r["on_time_rate"]), "number"),
            Column("held", lambda r: _pct(r["holding_rate"]), "number"),
            Column("re-\nfers", _count("referrals"), "number"),
        ],
        plain=[(by, _as_is(by)), *((key, _as_is(key)) for key in _STATS_PLAIN)],
        table={"pad_edge": False, "collapse_padding": True},
        notes=lambda rows: _stats_notes(rows, by, chart, caption),
    )


def _stats_notes(rows: Sequence[Row], by: str, chart: bool, caption: str = "") -> list[Any]:
    notes: list[Any] = [
        styled(
            (
                "open: unanswered; days: median days to a substantive "
                "answer; on time: answered by the deadline; held: given a holding answer; "
                "refers: answers pointing to another answer",
                "dim",
            )
        )
    ]
    if caption:
        notes.append(styled((caption, "dim")))
    if chart and rows:
        notes.append(month_chart(rows) if by == "month" else rate_chart(rows, by))
    return notes


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.0%}"


# -- one question --------------------------------------------------------------------------------


def question(
    record: dict[str, Any],
    history: Sequence[Mapping[str, Any]],
    followed: Sequence[Mapping[str, Any]] | None,
    fmt: Format,
    console: Console = out,
) -> None:
    """`show`: a question as JSON (with its version summary and, when followed, the answers it
    refers to), CSV, a panel on a terminal, or the same lines, unwrapped, in a pipe."""
    versions = [{k: v[k] for k in ("version", "seen_at", "status", "changed")} for v in history]
    if fmt in (Format.json, Format.jsonl):
        record = {**record, **({"followed": followed} if followed is not None else {})}
        record["version_history"] = list(versions)
        if fmt == Format.json:
            emit_json(console, record)
        else:
            emit_jsonl(console, [record])
    elif fmt == Format.csv:
        emit_csv(console, [record], list(record))
    else:
        from pqtrack.render_statement import attachment_lines, correction_lines

        boxed = fmt == Format.table
        extra = referral_lines(record["referrals"])
        extra += correction_lines(record.get("corrected_by") or [])
        extra += attachment_lines(record.get("attachments") or [])
        show_question(console, record, versions, extra, boxed=boxed)
        for other in followed or []:
            show_question(console, other, [], boxed=boxed)


def show_question(
    out: Console,
    record: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    extra: Sequence[Text] = (),
    *,
    boxed: bool = True,
) -> None:
    """One question as a panel (a terminal) or as the same lines, unwrapped, in a pipe."""
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    facts: list[tuple[str, str]] = []

    def fact(label: str, value: Any) -> None:
        if value not in (None, "", []):
            facts.append((label, one_line(value)))

    asker = _member(record, "asking_member")
    if asker and record.get("asking_member_party"):
        asker += f" ({record['asking_member_party']}, {record.get('asking_member_from') or '?'})"
    fact("UIN", f"{record.get('uin')} ({record.get('house')})")
    fact("Asked by", asker)
    fact("Department", record.get("answering_body"))
    fact("Tabled", record.get("date_tabled"))
    due = record.get("date_for_answer")
    fact("Due", f"{due} (named day)" if due and record.get("is_named_day") else due)
    fact("Holding answer", record.get("date_holding_answer"))
    fact("Answered", record.get("date_answered"))
    fact("Answered by", _member(record, "answering_member"))
    fact("Corrected", record.get("date_answer_corrected"))
    fact("Status", record.get("status"))
    fact("Grouped with", ", ".join(record.get("grouped_uins") or []))
    url = clean(record.get("url"))
    if not boxed:
        fact("URL", url)
    parts: list[Text] = [Text()]
    parts.append(Text("Question", style="bold underline"))
    parts.append(Text(clean(record.get("question_text"))))
    parts.append(Text())
    parts.append(Text("Answer", style="bold underline"))
    answer, links = _answer(record)
    if record.get("truncated"):
        answer += "\n[text known only from a list result: cut by the API]"
    parts.append(Text(answer))
    references = [f"[{n}] {link}" for n, link in enumerate(links, start=1)]
    if references and not boxed:
        parts += [Text(), Text("Links in the answer", style="bold underline")]
        parts += [Text(line) for line in references]
    parts.extend(extra)
    if versions:
        parts.append(Text())
        parts.append(Text("Versions", style="bold underline"))
        for v in versions:
            line = Text(f"v{v['version']}  {v['seen_at']}  {v['status']}")
            changed = ", ".join(v.get("changed") or [])
            if changed:
                line.append(f"  changed: {changed}", style="dim")
            parts.append(line)
    title = one_line(record.get("heading")) or f"Question {record['id']}"
    if not boxed:
        width = max(len(label) for label, _ in facts)
        lines = [title, ""]
        lines += [f"{label:<{width}}  {value}" for label, value in facts]
        lines += [part.plain for part in parts]
        out.file.write("\n".join(lines) + "\n\n")
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in facts:
        grid.add_row(label, Text(value))
    heading: list[Text] = []
    if len(title) > out.width - 6:  # the border would cut it: it goes inside, wrapped
        heading, title = [Text(title, style="bold"), Text()], ""
    body = Group(*heading, grid, *parts)
    panel = Panel(body, title=Text(title) if title else None, title_align="left", box=box.ROUNDED)
    out.print(panel)
    # Addresses go under the box, each whole on a line of its own, never cut or folded by rich:
    # a terminal narrower than one wraps it softly, and it still copies as one.
    lines = [url] if url else []
    if references:
        lines += ["Links in the answer:", *references]
    out.file.write("".join(f"{line}\n" for line in lines))


def _member(record: Mapping[str, Any], role: str) -> str | None:
    """A member by name, or "member 4519" when only the id is known."""
    number = record.get(f"{role}_id")
    return record.get(role) or (f"member {number}" if number else None)


def _answer(record: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The answer as `show` prints it: with numbered references to its links when its HTML has
    any (the addresses, cleaned, are returned beside it), else its stored plain text."""
    from pqtrack.record import linked_text

    text, links = linked_text(record.get("answer_html"))
    if not links:
        return clean(record.get("answer_text")) or "(not answered yet)", []
    return clean(text), [clean(link) for link in links]


def sync_status(status: Mapping[str, Any], fmt: Format, console: Console = out) -> None:
    """`sync --status`: the ledger as JSON, or as lines of text."""
    if fmt in (Format.json, Format.jsonl):
        emit_json(console, status)
        return
    last = status.get("last_success")
    latest = status.get("latest_run")
    lines = [
        f"questions stored: {status['questions']:,}, written statements"
        f" {status.get('statements', 0):,} ({status['truncated']:,} with cut texts)",
        "last good sync: " + (f"{last['finished_at']}" if last else "never"),
    ]
    if last:
        for scope, (first, final) in last.get("scopes", {}).items():
            label = "everything" if scope == "{}" else scope
            lines.append(f"  covered {first}..{final} for {label}")
    if latest:
        lines.append(f"latest sync: {latest['started_at']} {latest['status']}"
                     + _RUN_NOTES.get(latest["status"], "").format(**latest))  # fmt: skip
    for c in status.get("coverage", []):
        scope = "" if c["scope"] == "{}" else f" {c['scope']}"
        lines.append(
            f"covered {c['kind']}{scope}: {c['first_day']}..{c['last_day']} ({c['windows']} days)"
        )
    incomplete = status.get("incomplete", [])
    lines.append(f"incomplete windows: {len(incomplete)}")
    for w in incomplete[:20]:
        lines.append(f"  {w['kind']} {w['day']} {w['status']}: {one_line(w.get('error'))}")
    console.file.write("\n".join(lines) + "\n")


_RUN_NOTES = {
    "running": " (pid {pid} on {host})",
    "abandoned": " (its process is gone; it blocks nothing, the next sync redoes its windows)",
}


def sync_summary(summary: Mapping[str, Any]) -> str:
    return (
        f"synced {summary['since']}..{summary['until']}: {summary['new']} new, "
        f"{summary['answered']} answered, {summary['corrected']} corrected, "
        f"{summary['changed']} changed, {summary['withdrawn']} withdrawn; "
        + _statements_synced(summary)
        + f"{summary['requests']} requests in {summary['seconds']}s"
    )


def _statements_synced(summary: Mapping[str, Any]) -> str:
    new, changed = summary.get("statements_new", 0), summary.get("statements_changed", 0)
    return f"statements {new} new, {changed} changed; " if new or changed else ""


def import_summary(files: int, counts: Any, failed: int) -> str:
    return (
        f"imported {files} file(s): {counts.new} new, {counts.changed} changed, "
        f"{counts.filled} filled in, {counts.unchanged} unchanged; {counts.truncated} still "
        "truncated"
        + (f"; {counts.older} older than what is stored, skipped" if counts.older else "")
        + (f"; {failed} file(s) failed" if failed else "")
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md(text: Any) -> str:
    """Untrusted text made inert in Markdown (no links, emphasis or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


_EVENT_TITLES = {
    "answered": "Answered",
    "substantive": "Substantive answers after a holding answer",
    "holding": "Holding answers",
    "corrected": "Corrected answers",
    "transferred": "Transferred to another department",
    "reworded": "Questions reworded",
    "heading": "Headings set or changed",
    "withdrawn": "Withdrawn",
    "tabled": "Newly tabled",
    "statement": "Answers corrected by written statements",
    "made": "Written statements",
    "revised": "Written statements revised",
    "linked": "Written statements linked",
}


def digest_markdown(
    rows: Sequence[Mapping[str, Any]],
    since: str,
    topic: str | None,
    total: int | None = None,
    *,
    summary: str | None = None,
) -> str:
    """A digest ready to mail: one section per kind of event, one line per question. Its
    first line says how many changes there are (`total`, when the rows are only some of them)
    and, if not all, how many it shows (or is `summary`, when the caller says it)."""
    about = f" on {topic}" if topic else ""
    when = "in the latest sync" if since == "last-sync" else f"since {since}"
    count = len(rows) if total is None else total
    showing = f"; showing {len(rows):,}" if count != len(rows) else ""
    summary = summary or f"{count:,} change{'' if count == 1 else 's'} {when}{showing}."
    lines = [f"# pqtrack digest{about}", "", summary, ""]
    for event, title in _EVENT_TITLES.items():
        group = [r for r in rows if r["event"] == event]
        if not group:
            continue
        lines += [f"## {title} ({len(group)})", ""]
        for r in group:
            uin = md(r.get("uin"))
            link = f"[{uin}]({r['url']})" if r.get("url") else uin
            dept = f" ({md(r.get('department'))})" if r.get("department") else ""
            lines.append(
                f"- **{link}** {md(r.get('heading')) or '(no heading)'}{dept}: {md(r.get('gist'))}"
            )
        lines.append("")
    return "\n".join(lines)


def diff_view(out: Console, comparison: Any, kind: str, *, context: int) -> None:
    """A comparison as coloured inline text, git word-diff markers, or a unified diff."""
    from rich.text import Text

    from pqtrack import diff

    if comparison.identical:
        out.file.write(f"identical: {comparison.old_label} and {comparison.new_label}\n")
        return
    header = f"--- {comparison.old_label}\n+++ {comparison.new_label}\n"
    if kind == "table":
        out.print(Text(header.rstrip("\n"), style="bold"))
    elif kind == "word":
        out.file.write(header)
    for change in comparison.metadata:
        line = f"{change.field}: {clean(change.old) or '(none)'} -> {clean(change.new) or '(none)'}"
        if kind == "table":
            out.print(Text(line, style="cyan"))
        else:
            out.file.write(line + "\n")
    for name, ops in comparison.ops.items():
        if diff.identical(ops):
            continue
        old, new = comparison.texts[name]
        if kind == "unified":
            out.file.write(
                diff.render_unified(
                    clean(old),
                    clean(new),
                    f"{comparison.old_label} {name}",
                    f"{comparison.new_label} {name}",
                )
            )
            continue
        deleted, inserted = diff.stats(ops)
        title = f"{name}: {deleted} word(s) removed, {inserted} added"
        safe = [diff.Op(op.kind, clean(op.text)) for op in ops]
        if kind == "table":
            out.print(Text(f"\n{title}", style="bold"))
            out.print(render_rich(safe, context_words=context))
        else:
            out.file.write(f"\n# {title}\n{diff.render_word(safe)}\n")


def referral_lines(refs: Sequence[Mapping[str, Any]]) -> list[Text]:
    """Lines for `show` naming the answers this answer refers to, resolved or not."""
    from rich.text import Text

    if not refs:
        return []
    lines = [Text(), Text("Refers to", style="bold underline")]
    for ref in refs:
        what = ref.get("uin") or "(no question number given)"
        when = f" of {ref['date']}" if ref.get("date") else ""
        target = (
            f"question id {ref['resolved_id']}"
            if ref.get("resolved_id")
            else "not in this database"
        )
        lines.append(Text(f"{clean(what)}{when}: {target}"))
    return lines


CHART_WIDTH = 50


def month_chart(rows: Sequence[Mapping[str, Any]]) -> Text:
    """Questions tabled per month: answered █, holding ▒, unanswered ░ (readable without colour)."""
    from rich.text import Text

    top = max(r["tabled"] for r in rows) or 1
    text = Text(
        "Questions tabled per month   █ answered  ▒ holding  ░ unanswered/other\n", style="bold"
    )
    for r in rows:
        scale = CHART_WIDTH / top
        answered = round(r["answered"] * scale)
        holding = round(r["holding"] * scale)
        rest = max(round(r["tabled"] * scale) - answered - holding, 0)
        text.append(f"{r['month']} ")
        text.append("█" * answered, style="green")
        text.append("▒" * holding, style="yellow")
        text.append("░" * rest, style="red")
        text.append(f" {r['tabled']:,}\n")
    return text


def rate_chart(rows: Sequence[Mapping[str, Any]], by: str) -> Text:
    """On-time rate per group as bars of █ out of a ░ track."""
    from rich.text import Text

    width = min(max(len(one_line(r[by])) for r in rows), 40)
    text = Text("Answered on time (substantive answer by the deadline)\n", style="bold")
    for r in rows:
        rate = r["on_time_rate"]
        filled = round((rate or 0) * CHART_WIDTH)
        text.append(f"{one_line(r[by], width):<{width}} ")
        text.append("█" * filled, style="green")
        text.append("░" * (CHART_WIDTH - filled), style="dim")
        text.append(f" {_pct(rate) or 'n/a'}\n")
    return text


# -- a diff in colour (rich is imported only when one is drawn) --------------------------------

DELETE_STYLE = "red strike"
# Underlined as well as green so that insertions stay visible when NO_COLOR strips the colour.
INSERT_STYLE = "green underline"
ELISION_STYLE = "dim"
ELISION = "…"
_MIN_ELIDED = 3  # an ellipsis standing for a word or two saves nothing


def render_rich(ops: Sequence[diff.Op], *, context_words: int | None = None) -> Text:
    """The diff for a terminal: deletions red and struck through, insertions green.

    Texts are appended as plain strings, never parsed as markup, so `[bold]` in an answer prints
    as written. With `context_words`, an unchanged run longer than that many words on each side
    of a change is shortened to its edges around an ellipsis. A diff with no change is shown
    whole, since there is no change to give context to.
    """
    from rich.text import Text

    from pqtrack import diff

    if context_words is not None and context_words < 0:
        raise ValueError("context_words must be zero or more")
    text = Text()
    elide = context_words is not None and not diff.identical(ops)
    for i, op in enumerate(ops):
        if op.kind == "delete":
            text.append(op.text, style=DELETE_STYLE)
        elif op.kind == "insert":
            text.append(op.text, style=INSERT_STYLE)
        elif elide and context_words is not None:
            _append_elided(text, op.text, context_words, after=i > 0, before=i < len(ops) - 1)
        else:
            text.append(op.text)
    return text


def _append_elided(text: Text, run: str, context: int, *, after: bool, before: bool) -> None:
    """Append an unchanged run, keeping `context` words next to the change it comes `after`
    and the change it comes `before`, and an ellipsis for the rest."""
    from pqtrack import diff

    head = context if after else 0
    tail = context if before else 0
    toks = diff.tokens(run)
    words = [i for i, tok in enumerate(toks) if not tok.isspace()]
    if len(words) - head - tail < _MIN_ELIDED:
        text.append(run)
        return
    head_end = words[head - 1] + 1 if head else 0
    tail_start = words[len(words) - tail] if tail else len(toks)
    middle = "".join(toks[head_end:tail_start])
    text.append("".join(toks[:head_end]))
    sep = "\n" if "\n" in middle else " "  # a hint that whole paragraphs were skipped
    marker = (sep if after else "") + ELISION + (sep if before else "")
    text.append(marker, style=ELISION_STYLE)
    text.append("".join(toks[tail_start:]))
