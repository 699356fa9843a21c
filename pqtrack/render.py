"""Presentation only: Rich tables, plain lines, JSON, JSON Lines and CSV, to a Console passed in.

Every stored text is untrusted: it is stripped of control characters and escape sequences and
never interpreted as Rich markup (Text objects only, or `escape`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pqtrack import diff
from pqtrack.search import SNIPPET_CLOSE, SNIPPET_OPEN

FORMATS = ("table", "json", "jsonl", "csv")

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


def snippet_text(snippet: str | None, *, bold: bool) -> Text:
    """A search snippet with its highlight markers turned into bold (or dropped)."""
    text = Text()
    for i, part in enumerate(re.split(f"[{SNIPPET_OPEN}{SNIPPET_CLOSE}]", snippet or "")):
        text.append(_SPACES.sub(" ", clean(part)), style="bold" if bold and i % 2 else "")
    return text


_SPACES = re.compile(r"\s+")


def plain_snippet(snippet: str | None) -> str:
    return one_line((snippet or "").replace(SNIPPET_OPEN, "").replace(SNIPPET_CLOSE, ""))


# -- machine formats -----------------------------------------------------------------------------


def emit_json(out: Console, data: Any) -> None:
    out.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def emit_jsonl(out: Console, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        out.file.write(json.dumps(row, ensure_ascii=False) + "\n")


def emit_csv(out: Console, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
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


def emit(out: Console, fmt: str, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> bool:
    """Write rows in a machine format; False when fmt is a human one (table or plain)."""
    if fmt == "json":
        emit_json(out, [dict(r) for r in rows])
    elif fmt == "jsonl":
        emit_jsonl(out, rows)
    elif fmt == "csv":
        emit_csv(out, rows, fields)
    else:
        return False
    return True


# -- questions -----------------------------------------------------------------------------------


def question_table(out: Console, records: Sequence[Mapping[str, Any]], *, snippets: bool) -> None:
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("uin", no_wrap=True)
    table.add_column("tabled", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("department", max_width=24, overflow="ellipsis", no_wrap=True)
    table.add_column("heading" + (" / snippet" if snippets else ""), ratio=1, overflow="fold")
    for r in records:
        body = Text(one_line(r.get("heading")) or "(no heading)", style="bold")
        if snippets:
            body.append("\n")
            body.append_text(snippet_text(r.get("snippet"), bold=True))
        table.add_row(
            str(r["id"]),
            one_line(r.get("uin")),
            r.get("date_tabled") or "",
            r.get("status") or "",
            one_line(r.get("answering_body")),
            body,
        )
    out.print(table)


def question_lines(out: Console, records: Sequence[Mapping[str, Any]], *, snippets: bool) -> None:
    """Plain tab-separated lines for pipes: id, uin, tabled, status, department, heading."""
    for r in records:
        cells = [
            str(r["id"]),
            one_line(r.get("uin")),
            r.get("date_tabled") or "",
            r.get("status") or "",
            one_line(r.get("answering_body")),
            one_line(r.get("heading")),
        ]
        if snippets:
            cells.append(plain_snippet(r.get("snippet")))
        out.file.write("\t".join(cells) + "\n")


def show_question(
    out: Console,
    record: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    extra: Sequence[Text] = (),
    *,
    boxed: bool = True,
) -> None:
    """One question as a panel (a terminal) or as the same lines, unwrapped, in a pipe."""
    facts: list[tuple[str, str]] = []

    def fact(label: str, value: Any) -> None:
        if value not in (None, "", []):
            facts.append((label, one_line(value)))

    asker = record.get("asking_member") or (
        f"member {record['asking_member_id']}" if record.get("asking_member_id") else None
    )
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
    fact("Answered by", record.get("answering_member"))
    fact("Corrected", record.get("date_answer_corrected"))
    fact("Status", record.get("status"))
    fact("Grouped with", ", ".join(record.get("grouped_uins") or []))
    fact("URL", record.get("url"))
    parts: list[Text] = [Text()]
    parts.append(Text("Question", style="bold underline"))
    parts.append(Text(clean(record.get("question_text"))))
    parts.append(Text())
    parts.append(Text("Answer", style="bold underline"))
    answer = clean(record.get("answer_text")) or "(not answered yet)"
    if record.get("truncated"):
        answer += "\n[text known only from a list result: cut by the API]"
    parts.append(Text(answer))
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
    panel = Panel(Group(grid, *parts), title=Text(title), title_align="left", box=box.ROUNDED)
    out.print(panel)


def history_table(out: Console, versions: Sequence[Mapping[str, Any]], *, table_form: bool) -> None:
    if not table_form:
        for v in versions:
            events = ",".join(e["event"] for e in v.get("events", []))
            out.file.write(
                "\t".join(
                    [
                        str(v["version"]),
                        v["seen_at"],
                        v["status"],
                        v.get("date_answered") or "",
                        events,
                        ",".join(v.get("changed") or []),
                    ]
                )
                + "\n"
            )
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("v", style="cyan", no_wrap=True)
    table.add_column("seen", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("answered", no_wrap=True)
    table.add_column("events")
    table.add_column("changed", ratio=1, overflow="fold")
    for v in versions:
        events = ", ".join(e["event"] for e in v.get("events", []))
        table.add_row(
            str(v["version"]),
            v["seen_at"][:16].replace("T", " "),
            v["status"],
            v.get("date_answered") or "",
            events,
            Text(", ".join(v.get("changed") or []), style="dim"),
        )
    out.print(table)


def topics_table(
    out: Console, rows: Sequence[Mapping[str, Any]], user_file: Any, *, table: bool
) -> None:
    if not table:
        for r in rows:
            out.file.write(f"{r['name']}\t{r['source']}\t{one_line(r['description'])}\n")
        return
    grid = Table(box=box.SIMPLE_HEAD)
    grid.add_column("topic", style="cyan", no_wrap=True)
    grid.add_column("source", no_wrap=True)
    grid.add_column("description / queries", ratio=1)
    for r in rows:
        body = Text(one_line(r["description"]), style="bold")
        body.append("\n" + "\n".join(clean(q) for q in r["queries"]))
        if r["departments"]:
            body.append(f"\ndepartments: {', '.join(map(str, r['departments']))}", style="dim")
        grid.add_row(r["name"], one_line(r["source"]), body)
    out.print(grid)
    out.print(Text(f"Your own topics go in {user_file}", style="dim"))


def sync_status(out: Console, status: Mapping[str, Any]) -> None:
    last = status.get("last_success")
    latest = status.get("latest_run")
    lines = [
        f"questions stored: {status['questions']:,} ({status['truncated']:,} with cut texts)",
        "last good sync: " + (f"{last['finished_at']}" if last else "never"),
    ]
    if last:
        for scope, (first, final) in last.get("scopes", {}).items():
            label = "everything" if scope == "{}" else scope
            lines.append(f"  covered {first}..{final} for {label}")
    if latest:
        lines.append(f"latest sync: {latest['started_at']} {latest['status']}")
    for c in status.get("coverage", []):
        scope = "" if c["scope"] == "{}" else f" {c['scope']}"
        lines.append(
            f"covered {c['kind']}{scope}: {c['first_day']}..{c['last_day']} ({c['windows']} days)"
        )
    incomplete = status.get("incomplete", [])
    lines.append(f"incomplete windows: {len(incomplete)}")
    for w in incomplete[:20]:
        lines.append(f"  {w['kind']} {w['day']} {w['status']}: {one_line(w.get('error'))}")
    out.file.write("\n".join(lines) + "\n")


def changes_table(out: Console, rows: Sequence[Mapping[str, Any]], *, table: bool) -> None:
    if not table:
        for r in rows:
            out.file.write(
                "\t".join(
                    [
                        r["seen_at"],
                        r["event"],
                        str(r["question_id"]),
                        one_line(r.get("uin")),
                        one_line(r.get("heading")),
                        one_line(r.get("gist")),
                    ]
                )
                + "\n"
            )
        return
    grid = Table(box=box.SIMPLE_HEAD)
    grid.add_column("seen", no_wrap=True)
    grid.add_column("event", style="cyan", no_wrap=True)
    grid.add_column("uin", no_wrap=True)
    grid.add_column("department", max_width=22, overflow="ellipsis", no_wrap=True)
    grid.add_column("heading / what happened", ratio=1)
    for r in rows:
        body = Text(one_line(r.get("heading")) or "(no heading)", style="bold")
        body.append("\n" + one_line(r.get("gist"), 160))
        grid.add_row(
            r["seen_at"][:16].replace("T", " "),
            r["event"],
            one_line(r.get("uin")),
            one_line(r.get("department")),
            body,
        )
    out.print(grid)


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
}


def digest_markdown(rows: Sequence[Mapping[str, Any]], since: str, topic: str | None) -> str:
    """A digest ready to mail: one section per kind of event, one line per question."""
    about = f" on {topic}" if topic else ""
    when = "in the latest sync" if since == "last-sync" else f"since {since}"
    lines = [f"# pqtrack digest{about}", "", f"{len(rows)} change(s) {when}.", ""]
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


def repeats_view(out: Console, groups: Sequence[Mapping[str, Any]], *, table: bool) -> None:
    if not table:
        for g in groups:
            out.file.write(
                "\t".join(
                    [
                        g["kind"],
                        str(g["size"]),
                        str(g["occasions"]),
                        ",".join(str(i) for i in g["ids"][:20]),
                        "; ".join(g["departments"]),
                        one_line(g["answer_text"], 200),
                    ]
                )
                + "\n"
            )
        return
    grid = Table(box=box.SIMPLE_HEAD)
    grid.add_column("size", justify="right", no_wrap=True)
    grid.add_column("kind", no_wrap=True)
    grid.add_column("answered", no_wrap=True)
    grid.add_column("departments", max_width=26)
    grid.add_column("answer (once) / questions", ratio=1)
    for g in groups:
        body = Text(one_line(g["answer_text"], 240))
        uins = ", ".join(clean(u) for u in g["uins"][:8])
        more = f" +{len(g['uins']) - 8} more" if len(g["uins"]) > 8 else ""
        body.append(f"\n{uins}{more}", style="dim")
        span = g["first_answered"] or ""
        if g["last_answered"] and g["last_answered"] != g["first_answered"]:
            span += f"..{g['last_answered']}"
        kind = g["kind"] + (f" ({g['variants']} variants)" if g["variants"] > 1 else "")
        depts = [clean(d) for d in g["departments"]]
        shown = "; ".join(depts[:3]) + (f"; +{len(depts) - 3} more" if len(depts) > 3 else "")
        grid.add_row(f"{g['size']} ({g['occasions']})", kind, span, shown, body)
    out.print(grid)
    out.print(
        Text(
            "size (occasions): questions given the answer (separate answers, "
            "counting grouped questions once)",
            style="dim",
        )
    )


def stats_view(
    out: Console, rows: Sequence[Mapping[str, Any]], by: str, *, table: bool, chart: bool
) -> None:
    if not table:
        for r in rows:
            out.file.write(
                "\t".join(
                    str(r[k]) if r[k] is not None else ""
                    for k in (
                        by,
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
                )
                + "\n"
            )
        return
    cells = [
        (
            one_line(r[by]),
            f"{r['tabled']:,}",
            f"{r['answered']:,}",
            f"{r['unanswered']:,}",
            f"{r['holding']:,}",
            f"{r['corrected']:,}",
            f"{r['overdue']:,}",
            "" if r["median_days"] is None else f"{r['median_days']:g}",
            _pct(r["on_time_rate"]),
            _pct(r["holding_rate"]),
            f"{r['referrals']:,}",
        )
        for r in rows
    ]

    def build(name_width: int) -> Table:
        grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        grid.add_column(by, width=name_width, overflow="ellipsis", no_wrap=True)
        for name in _STATS_HEADERS:
            grid.add_column(
                name, justify="right", no_wrap=True, min_width=max(map(len, name.split("\n")))
            )
        for row in cells:
            grid.add_row(*row)
        return grid

    # the names get what the numbers leave, from 8 to 36 columns, and no more than they need
    numbers = out.measure(build(8)).maximum - 8
    longest = max([len(by), *(len(row[0]) for row in cells)])
    grid = build(max(8, min(36, longest, out.width - numbers)))
    out.print(grid)
    out.print(
        Text(
            "open: unanswered; days: median days to a substantive "
            "answer; on time: answered by the deadline; held: given a holding answer; "
            "refers: answers pointing to another answer",
            style="dim",
        )
    )
    if chart and rows:
        out.print(month_chart(rows) if by == "month" else rate_chart(rows, by))


_STATS_HEADERS = (
    "tab-\nled",
    "ans-\nwered",
    "open",
    "hold-\ning",
    "corr-\nected",
    "over-\ndue",
    "days",
    "on\ntime",
    "held",
    "re-\nfers",
)


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.0%}"


CHART_WIDTH = 50


def month_chart(rows: Sequence[Mapping[str, Any]]) -> Text:
    """Questions tabled per month: answered █, holding ▒, unanswered ░ (readable without colour)."""
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
