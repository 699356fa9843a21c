"""One record and its diffs: `show`'s question (a panel, plain lines, JSON or CSV) with the
answers it refers to, and a comparison of two versions in colour, as word-diff markers or
unified."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pqtrack.output import Format, clean, emit_csv, emit_json, emit_jsonl, one_line, out

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from pqtrack import diff


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
    parts += version_lines(versions, lambda v: f"  {v['status']}")
    title = one_line(record.get("heading")) or f"Question {record['id']}"
    under = [url] if url else []
    if references:
        under += ["Links in the answer:", *references]
    record_card(out, title, facts, parts, boxed=boxed, under=under)


def version_lines(
    versions: Sequence[Mapping[str, Any]], after: Callable[[Mapping[str, Any]], str]
) -> list[Text]:
    """`show`'s list of versions: number, when seen, `after` (a question's status), and what
    changed."""
    from rich.text import Text

    if not versions:
        return []
    lines = [Text(), Text("Versions", style="bold underline")]
    for v in versions:
        line = Text(f"v{v['version']}  {v['seen_at']}{after(v)}")
        changed = ", ".join(v.get("changed") or [])
        if changed:
            line.append(f"  changed: {changed}", style="dim")
        lines.append(line)
    return lines


def record_card(
    console: Console,
    title: str,
    facts: Sequence[tuple[str, str]],
    parts: Sequence[Text],
    *,
    boxed: bool,
    under: Sequence[str],
) -> None:
    """One record as `show` prints it. On a terminal, a box with the title on its border (or
    inside it, wrapped, when the border would cut it), the facts and the parts, and under the
    box the addresses in `under`, each whole on a line of its own, never cut or folded by
    rich: a narrower terminal wraps it softly, and it still copies as one. In a pipe the same
    as plain lines, unwrapped (the caller has put the addresses among them)."""
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    if not boxed:
        width = max(len(label) for label, _ in facts)
        lines = [title, ""]
        lines += [f"{label:<{width}}  {value}" for label, value in facts]
        lines += [part.plain for part in parts]
        console.file.write("\n".join(lines) + "\n\n")
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in facts:
        grid.add_row(label, Text(value))
    heading: list[Text] = []
    if len(title) > console.width - 6:  # the border would cut it: it goes inside, wrapped
        heading, title = [Text(title, style="bold"), Text()], ""
    body = Group(*heading, grid, *parts)
    panel = Panel(body, title=Text(title) if title else None, title_align="left", box=box.ROUNDED)
    console.print(panel)
    console.file.write("".join(f"{line}\n" for line in under))


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


# -- two versions compared -------------------------------------------------------------------------


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
