"""How watches and their reports are written: the watch listing, a run's text lines, its
markdown digest (digest.py's), its JSON, its Atom feed (atom.py) and its mail subject."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from pqtrack import __version__
from pqtrack.digest import digest_markdown
from pqtrack.output import Column, View, one_line
from pqtrack.views import changes_view
from pqtrack.watches import FEEDS, Report, Watch


def _plural(kind: str, n: int) -> str:
    one, many = FEEDS[kind].names
    return f"{n:,} {one if n == 1 else many}"


def _changes(n: int) -> str:
    return f"{n:,} change{'' if n == 1 else 's'}"


def search_args(search: dict[str, Any]) -> list[str]:
    """A watch's search as the arguments `watch add` takes: the query, then the flags."""
    args = [search["query"]] if search.get("query") else []
    for name, value in search.items():
        if name == "query":
            continue
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            args.append(flag if value else f"--no-{flag[2:]}")
        else:
            args += [flag, str(value)]
    return args


def command_line(watch: Watch) -> str:
    return shlex.join(["pqtrack", "watch", "add", watch.name, *search_args(watch.search)])


def watch_rows(watches: Sequence[Watch]) -> list[dict[str, Any]]:
    return [{**w.as_json(), "search": shlex.join(search_args(w.search))} for w in watches]


WATCHES = View(
    fields=["name", "query", "filters", "created_at", "last_run", "cursors", "feed_id"],
    columns=[
        Column("name", lambda r: r["name"], style="bold"),
        Column("search", lambda r: one_line(r["search"]), "rest"),
        Column("last run", lambda r: (r["last_run"] or "never")[:16].replace("T", " ")),
    ],
    plain=[
        ("name", lambda r: r["name"]),
        ("search", lambda r: one_line(r["search"])),
        ("last_run", lambda r: r["last_run"] or ""),
    ],
)


def show_lines(watch: Watch) -> list[str]:
    """`watch show`: the watch as `key: value` lines."""
    cursors = ", ".join(f"{kind} event {last}" for kind, last in sorted(watch.cursors.items()))
    return [
        f"name: {watch.name}",
        f"search: {one_line(shlex.join(search_args(watch.search))) or '(everything)'}",
        f"command: {one_line(command_line(watch))}",
        f"created: {watch.created_at}",
        f"last run: {watch.last_run or 'never'}",
        f"cursor: {cursors or 'none yet (the next run is a first run)'}",
        f"feed id: {watch.feed_id}",
    ]


# -- a run's report ------------------------------------------------------------------------------


def summary(report: Report) -> str:
    """One sentence: what the report holds."""
    name, shown = report.watch.name, len(report.changes)
    if report.first:
        found = {kind: n for kind, n in report.totals.items() if n}
        if not found:
            return (
                f"First run of watch {name}: nothing matches now; later runs report what changes."
            )
        kinds = " and ".join(_plural(kind, n) for kind, n in found.items())
        cut = f" (showing the newest {shown:,})" if report.more else ""
        return (
            f"First run of watch {name}: {kinds} match now{cut}, each with its latest change; "
            "later runs report what changes."
        )
    return f"Watch {name}: {_changes(report.total)} since its last run."


def subject(report: Report) -> str:
    """A mail's subject: the watch and the count."""
    if report.first:
        return f"pqtrack watch {report.watch.name}: {report.total:,} matching now (first run)"
    return f"pqtrack watch {report.watch.name}: {_changes(report.total)}"


def markdown(report: Report) -> str:
    """The digest of one report (digest.py's digest, its first line this report's summary)."""
    since = report.watch.last_run or report.watch.created_at
    return digest_markdown(
        report.changes, since, f"watch {report.watch.name}", summary=summary(report)
    )


def as_json(report: Report) -> dict[str, Any]:
    return {
        "watch": report.watch.name,
        "first_run": report.first,
        "since": None if report.first else report.watch.last_run or report.watch.created_at,
        "total": report.total,
        "more": report.more,
        "changes": report.changes,
    }


def text_view() -> View:
    """A run's changes as lines (a table on a terminal), each naming its watch."""
    base = changes_view("", None)
    return View(
        fields=["watch", "kind", *base.fields],
        columns=[Column("watch", lambda r: r["watch"], style="bold"), *base.columns],
        plain=[("watch", lambda r: r["watch"]), *base.plain],
    )


def atom(report: Report, now: str) -> str:
    """The report as an Atom feed: one entry per record version that changed (its events in
    this report together), with an id from the record's id, the version and the first event,
    so a reader never shows one twice."""
    from pqtrack import atom as feeds

    # One entry per record version in each run's report (its events there together): the
    # entries earlier runs published come again with the same ids, and a reader shows each once.
    grouped: dict[tuple[str, int, int, int], list[dict[str, Any]]] = {}
    for run, changes in enumerate([report.changes, *report.earlier]):
        for change in changes:
            kind = change["kind"]
            key = (kind, change[FEEDS[kind].id_field], change["version"], run)
            grouped.setdefault(key, []).append(change)
    entries = []
    for (kind, record_id, version, _), changes in grouped.items():
        head = changes[0]
        events = ", ".join(dict.fromkeys(c["event"] for c in reversed(changes)))
        title = f"{one_line(head.get('uin'))} {one_line(head.get('heading')) or '(no heading)'}"
        entries.append(
            feeds.Entry(
                id=feeds.entry_id(kind, record_id, version, min(c["event_id"] for c in changes)),
                title=f"{title}: {events}",
                updated=max(c["seen_at"] for c in changes),
                link=head.get("url"),
                summary="\n".join(one_line(c.get("gist")) for c in reversed(changes)),
            )
        )
    updated = max((e.updated for e in entries), default=now)
    return feeds.feed(
        feed_id=report.watch.feed_id,
        title=f"pqtrack watch {report.watch.name}",
        updated=updated,
        entries=entries,
        generator=f"pqtrack {__version__}",
    )
