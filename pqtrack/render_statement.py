"""Presentation of written statements: `show` of one, its `history`, the listing of questions
and statements together (`search`, `list --kind`), and the attachment and correction lines
`show` adds to a question. Built on output.py's plumbing and views.py's question view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pqtrack.output import (
    Column,
    Format,
    Row,
    View,
    clean,
    emit_csv,
    emit_json,
    emit_jsonl,
    one_line,
    out,
    styled,
)
from pqtrack.views import _seen, plain_snippet, questions_view

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def human_size(size: int | None) -> str:
    """1536 -> '1.5 KB' (1024 to a kilobyte, as file managers count)."""
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # not reached


def attachment_lines(items: Sequence[Mapping[str, Any]]) -> list[Text]:
    """'Attachments' and one line each: title, type, human size, URL."""
    from rich.text import Text

    if not items:
        return []
    lines = [Text(), Text("Attachments", style="bold underline")]
    for item in items:
        kind = one_line(item.get("file_type")) or "file"
        lines.append(
            Text(
                f"{one_line(item.get('title')) or '(untitled)'} ({kind}, "
                f"{human_size(item.get('size_bytes'))}) {one_line(item.get('url'))}"
            )
        )
    return lines


def correction_lines(statements: Sequence[Mapping[str, Any]]) -> list[Text]:
    """'Corrected by written statement HLWS915 (10 December 2025)', one line a statement."""
    from rich.text import Text

    from pqtrack.statement_records import correction_line

    if not statements:
        return []
    lines = [Text()]
    for s in statements:
        lines.append(Text(correction_line(s), style="bold"))
        if s.get("title"):
            lines.append(Text(f"  {one_line(s['title'])} (S{s['id']})"))
    return lines


# -- one statement -------------------------------------------------------------------------------


def statement(
    record: dict[str, Any],
    history: Sequence[Mapping[str, Any]],
    fmt: Format,
    console: Console = out,
) -> None:
    """`show` of a written statement: JSON, CSV, a panel on a terminal or plain lines."""
    versions = [{k: v[k] for k in ("version", "seen_at", "changed")} for v in history]
    if fmt in (Format.json, Format.jsonl):
        record = {**record, "version_history": versions}
        if fmt == Format.json:
            emit_json(console, record)
        else:
            emit_jsonl(console, [record])
        return
    if fmt == Format.csv:
        emit_csv(console, [record], list(record))
        return
    _show(console, record, versions, boxed=fmt == Format.table)


def _show(
    console: Console,
    record: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    *,
    boxed: bool,
) -> None:
    from rich.text import Text

    from pqtrack.show import record_card, version_lines

    facts: list[tuple[str, str]] = []

    def fact(label: str, value: Any) -> None:
        if value not in (None, "", []):
            facts.append((label, one_line(value)))

    maker = record.get("member") or (
        f"member {record['member_id']}" if record.get("member_id") else None
    )
    if maker and record.get("member_role"):
        maker += f", {record['member_role']}"
    fact("UIN", f"{record.get('uin')} ({record.get('house')}), written statement")
    fact("Made by", maker)
    fact("Department", record.get("answering_body"))
    fact("Made", record.get("date_made"))
    url = clean(record.get("url"))
    if not boxed:
        fact("URL", url)
    parts: list[Text] = [Text(), Text("Statement", style="bold underline")]
    text = clean(record.get("text"))
    if record.get("truncated"):
        text += "\n[text known only from a list result: cut by the API]"
    parts.append(Text(text))
    links = [
        f"{link.get('type')}: {link.get('uin') or 'statement S' + str(link['id'])}"
        + (f" ({link['date']})" if link.get("date") else "")
        for link in record.get("linked_statements") or []
    ] + [
        f"linked from {link.get('uin')} ({link.get('date_made')}, {link.get('type')})"
        for link in record.get("linked_from") or []
    ]
    if links:
        parts += [Text(), Text("Linked statements", style="bold underline")]
        parts += [Text(one_line(line)) for line in links]
    corrected = record.get("corrected_questions") or []
    if corrected:
        parts += [Text(), Text("Corrects the answers to", style="bold underline")]
        for q in corrected:
            parts.append(
                Text(f"{one_line(q['uin'])} ({q['date_tabled']}, id {q['id']}): "
                     f"{one_line(q.get('heading')) or '(no heading)'}")
            )  # fmt: skip
    parts += attachment_lines(record.get("attachments") or [])
    parts += version_lines(versions, lambda v: "")
    title = one_line(record.get("title")) or f"Statement S{record['id']}"
    record_card(console, title, facts, parts, boxed=boxed, under=[url] if url else [])


STATEMENT_HISTORY = View(
    fields=[
        "version",
        "seen_at",
        "date_made",
        "answering_body",
        "changed",
        "events",
        "title",
        "text",
    ],  # fmt: skip
    columns=[
        Column("v", lambda v: str(v["version"]), style="cyan"),
        Column("seen", _seen, drop=2),
        Column("made", lambda v: v.get("date_made") or "", drop=1),
        Column(
            "events", lambda v: ", ".join(e["event"] for e in v.get("events", [])), None, drop=3
        ),
        Column(
            "changed",
            lambda v: styled((", ".join(v.get("changed") or []), "dim")),
            "rest",
        ),  # wrapped between field names, never inside one
    ],
    plain=[
        ("version", lambda v: str(v["version"])),
        ("seen_at", lambda v: v["seen_at"]),
        ("date_made", lambda v: v.get("date_made") or ""),
        ("events", lambda v: ",".join(e["event"] for e in v.get("events", []))),
        ("changed", lambda v: ",".join(v.get("changed") or [])),
    ],
)


# -- questions and statements in one listing -----------------------------------------------------


def _as_question(r: Row) -> Row:
    """A statement's cells in a question's columns: its id as `show` takes it (S1290004, as
    no question's id can be), made for tabled, 'statement' for its status, its title for the
    heading."""
    if r.get("kind") != "statement":
        return r
    return {**r, "id": f"S{r['id']}", "date_tabled": r.get("date_made"),
            "status": "statement", "heading": r.get("title")}  # fmt: skip


def records_view(*, snippets: bool = False, statements: bool = True) -> View:
    """Questions and (unless not wanted) statements together: the question columns, where a
    statement shows the day it was made, 'statement' as its status and its title as its
    heading; JSON, JSON Lines and CSV carry each record's own fields and its `kind`."""
    from pqtrack.statement_records import STATEMENT_FIELDS

    base = questions_view(snippets=snippets)
    if not statements:
        return base
    extra = [f for f in STATEMENT_FIELDS if f not in base.fields]
    fields = [*base.fields, *extra]  # after the question's: CSV columns keep their places

    def cell(get: Callable[[Row], Any]) -> Callable[[Row], Any]:
        return lambda r: get(_as_question(r))

    columns = [replace(c, cell=cell(c.cell)) for c in base.columns]  # every other field kept
    return View(
        fields=fields,
        columns=columns,
        plain=[(name, cell(get)) for name, get in base.plain],
        table=base.table,
        export=(lambda r: {**r, "snippet": plain_snippet(r.get("snippet"))}) if snippets else None,
        empty=base.empty,
    )
