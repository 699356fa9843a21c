"""The listing views: a column spec for each of questions (and search snippets), history,
changes, topics, departments, repeats and stats; departments' short names; the charts under
stats."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pqtrack.digest import digest_markdown
from pqtrack.output import Column, Format, Row, View, clean, one_line, out, styled

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


# -- search snippets -------------------------------------------------------------------------------

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


def _events(v: Row) -> str:
    return ", ".join(e["event"] for e in v.get("events", []))


def _changed(v: Row) -> Text:
    return styled((", ".join(v.get("changed") or []), "dim"))


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
        Column("seen", _seen, drop=2),
        Column("status", lambda v: v["status"], drop=4),
        Column("answered", lambda v: v.get("date_answered") or "", drop=1),
        Column("events", _events, None, drop=3),
        Column("changed", _changed, "rest", fold=True),
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
            "event",
            "question_id",
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
            # Fields added later are only ever appended: scripts read CSV by position.
            "kind",
            "statement_id",
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
    counts = [  # (header, field, drop: on a narrow terminal, lowest left out first)
        ("tab-\nled", "tabled", 0),
        ("ans-\nwered", "answered", 0),
        ("open", "unanswered", 5),
        ("hold-\ning", "holding", 3),
        ("corr-\nected", "corrected", 1),
        ("over-\ndue", "overdue", 4),
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
            *(Column(header, _count(key), "number", drop=drop) for header, key, drop in counts),
            Column(
                "days",
                lambda r: "" if r["median_days"] is None else f"{r['median_days']:g}",
                "number",
                drop=6,
            ),
            Column("on\ntime", lambda r: _pct(r["on_time_rate"]), "number"),
            Column("held", lambda r: _pct(r["holding_rate"]), "number", drop=2),
            Column("re-\nfers", _count("referrals"), "number", drop=1),
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
        if by == "month":
            notes.append(_Fitted(lambda width: month_chart(rows, width)))
        else:
            notes.append(_Fitted(lambda width: rate_chart(rows, by, width)))
    return notes


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.0%}"


# -- the stats charts ------------------------------------------------------------------------------

CHART_WIDTH = 50  # the longest bar; a narrower terminal gets a shorter one
_LEAST_BAR = 10


class _Fitted:
    """A chart drawn at the width of wherever it is printed."""

    def __init__(self, draw: Callable[[int], Text]) -> None:
        self.draw = draw

    def __rich_console__(self, console: Console, options: Any) -> Iterable[Text]:
        yield self.draw(options.max_width)


def month_chart(rows: Sequence[Mapping[str, Any]], width: int | None = None) -> Text:
    """Questions tabled per month: answered █, holding ▒, unanswered ░ (readable without colour),
    each bar fitted to `width` beside its month and count (the month is never cut)."""
    from rich.text import Text

    top = max(r["tabled"] for r in rows) or 1
    label = max(len(str(r["month"])) for r in rows)
    count = max(len(f"{r['tabled']:,}") for r in rows)
    bar = CHART_WIDTH if width is None else max(min(CHART_WIDTH, width - label - count - 2), 1)
    text = Text(
        "Questions tabled per month   █ answered  ▒ holding  ░ unanswered/other\n", style="bold"
    )
    for r in rows:
        scale = bar / top
        answered = round(r["answered"] * scale)
        holding = round(r["holding"] * scale)
        rest = max(round(r["tabled"] * scale) - answered - holding, 0)
        text.append(f"{r['month']:<{label}} ")
        text.append("█" * answered, style="green")
        text.append("▒" * holding, style="yellow")
        text.append("░" * rest, style="red")
        text.append(f" {r['tabled']:,}\n")
    return text


def rate_chart(rows: Sequence[Mapping[str, Any]], by: str, width: int | None = None) -> Text:
    """On-time rate per group as bars of █ out of a ░ track, the bar and the names fitted to
    `width` (names are cut before the bar is shorter than _LEAST_BAR)."""
    from rich.text import Text

    name = min(max(len(one_line(r[by])) for r in rows), 40)
    bar = CHART_WIDTH
    if width is not None:
        room = width - 6  # a space each side of the bar, and "100%"
        name = max(min(name, room - _LEAST_BAR), 4)
        bar = max(min(CHART_WIDTH, room - name), 1)
    text = Text("Answered on time (substantive answer by the deadline)\n", style="bold")
    for r in rows:
        rate = r["on_time_rate"]
        filled = round((rate or 0) * bar)
        text.append(f"{one_line(r[by], name):<{name}} ")
        text.append("█" * filled, style="green")
        text.append("░" * (bar - filled), style="dim")
        text.append(f" {_pct(rate) or 'n/a'}\n")
    return text
