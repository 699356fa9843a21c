"""What a run says: `sync --status`, the lines sync and import end with, and the change feed
as a markdown digest (Markdown-inert text)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pqtrack.output import Format, emit_json, one_line, out

if TYPE_CHECKING:
    from rich.console import Console


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
            made = last.get("statements", {}).get(scope)
            also = f"; statements {made[0]}..{made[1]}" if made else "; no statements"
            lines.append(f"  covered {first}..{final} for {label}{also}")
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
    synced = new or changed or summary.get("statement_requests", 0)
    return f"statements {new} new, {changed} changed; " if synced else ""


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
