"""Incremental sync: day windows -> pages -> details -> store, one transaction per window.

The recipe: for each day in the range, list the questions answered, corrected and
tabled that day, and the written statements made that day; fetch the single record only for
those that are new, whose list-visible fields changed, or whose stored text is still a list's
cut copy; save each window and its ledger row in one transaction, so a killed run loses at
most the window it was in and the next run retries whatever is not `done`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from pqtrack import statement as st
from pqtrack.client import STATEMENTS_PATH, ParliamentClient
from pqtrack.errors import ApiError, ApiUnreachable, LockedError, StoreError
from pqtrack.paths import shipped
from pqtrack.question import list_view, validate
from pqtrack.record import Value
from pqtrack.store import Store, utc_now
from pqtrack.versions import Observation, Stored
from pqtrack.writes import STATEMENTS, SaveCounts

KINDS = ("answered", "corrected", "tabled")
STATEMENT_WINDOW = "statements"  # the ledger's kind for a day's written statements (dateMade)
_PARAM = {
    "answered": "answeredWhen",
    "corrected": "correctedWhen",
    "tabled": "tabledWhen",
    STATEMENT_WINDOW: "madeWhen",
}
FIRST_RUN_DAYS = 30
DEFAULT_OVERLAP = 14
REPOLL_DAYS = 120  # open questions tabled this far back are re-listed to catch edits
DETAIL_WORKERS = 3


@dataclass(frozen=True)
class Scope:
    """What a sync covers besides dates: house, departments, an API search term."""

    house: str | None = None  # Commons | Lords
    department_ids: tuple[int, ...] = ()
    search_term: str | None = None

    def key(self) -> str:
        data: dict[str, Any] = {}
        if self.house:
            data["house"] = self.house
        if self.department_ids:
            data["departments"] = sorted(self.department_ids)
        if self.search_term:
            data["searchTerm"] = self.search_term
        return json.dumps(data, sort_keys=True)

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"expandMember": True}
        if self.house:
            params["house"] = self.house
        if self.department_ids:
            params["answeringBodies"] = list(self.department_ids)
        if self.search_term:
            params["searchTerm"] = self.search_term
        return params

    def matches(self, house: str | None, department_id: int | None) -> bool:
        """Whether a stored question falls in this scope (for noticing vanished ones)."""
        if self.search_term:
            return False  # the API's search is not ours to reproduce: never infer a vanishing
        if self.house and house != self.house:
            return False
        return not self.department_ids or department_id in self.department_ids


def scopes_for(house: str | None, department_ids: Sequence[int], topic: str | None) -> list[Scope]:
    """What one sync covers: a scope, or for a topic one per API search term of the topic (over
    the topic's departments unless some are given)."""
    from pqtrack.topics import load_topics

    departments = tuple(department_ids)
    if topic is None:
        return [Scope(house, departments)]
    chosen = load_topics().get(topic)
    departments = departments or chosen.departments
    return [Scope(house, departments, term) for term in chosen.api_terms or (None,)]


class Reporter(Protocol):
    def start(self, windows: int) -> None: ...
    def window(self, kind: str, day: str) -> None: ...
    def page(self) -> None: ...
    def detail(self) -> None: ...


class _Silent:
    def start(self, windows: int) -> None: ...
    def window(self, kind: str, day: str) -> None: ...
    def page(self) -> None: ...
    def detail(self) -> None: ...


@dataclass
class SyncReport:
    since: str
    until: str
    windows: int = 0
    windows_done: int = 0
    failed: list[str] = field(default_factory=list)  # "kind day: reason"
    counts: SaveCounts = field(default_factory=SaveCounts)
    details: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    statements: SaveCounts = field(default_factory=SaveCounts)  # `counts` is questions'
    statement_details: int = 0
    statement_requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and self.windows_done == self.windows

    def summary(self) -> dict[str, Any]:
        events = self.counts.events
        return {
            "since": self.since,
            "until": self.until,
            "windows": self.windows,
            "windows_done": self.windows_done,
            "windows_failed": len(self.failed),
            "new": self.counts.new,
            "answered": events.get("answered", 0) + events.get("substantive", 0),
            "holding": events.get("holding", 0),
            "corrected": events.get("corrected", 0),
            "changed": self.counts.changed,
            "withdrawn": events.get("withdrawn", 0),
            "details": self.details,
            "statements_new": self.statements.new,
            "statements_changed": self.statements.changed,
            "statement_details": self.statement_details,
            "statement_requests": self.statement_requests,
            "requests": self.requests,
            "retries": self.retries,
            "seconds": round(self.seconds, 1),
            "ok": self.ok,
        }


@contextmanager
def sync_lock(db_path: Path | None) -> Iterator[None]:
    """One writer at a time: an advisory lock on '<db>.lock', released when the process dies."""
    if db_path is None:
        yield
        return
    lock_path = Path(f"{db_path}.lock")
    try:
        handle = lock_path.open("a+")
    except OSError as exc:
        if not lock_path.parent.is_dir():
            raise StoreError(
                f"cannot create database {db_path}: directory {lock_path.parent} does not exist"
            ) from None
        raise StoreError(f"cannot take the sync lock {lock_path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(
                f"another sync is running on {db_path} ({holder}); try later"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {utc_now()}")
        handle.flush()
        yield
    finally:
        handle.close()


def statements_key(scope: Scope) -> str:
    """The ledger's key for a scope's written statements, completed apart from its questions: a
    sync with --no-statements, or one by a pqtrack that did not sync them, completes only the
    questions, and the next sync with statements starts theirs as a first run."""
    return f"{scope.key()} statements"


def plan_days(
    store: Store,
    scope: Scope,
    *,
    since: date | None,
    until: date | None,
    today: date,
    overlap: int = DEFAULT_OVERLAP,
    key: str | None = None,
) -> tuple[date, date]:
    """The range to sync: as asked, else from the last good sync of `key` (the scope's
    questions unless told) less the overlap, else 30 days."""
    end = until or today
    if since is not None:
        return since, end
    last = store.completed_until(key or scope.key())
    if last is None:
        return end - timedelta(days=FIRST_RUN_DAYS - 1), end
    return min(date.fromisoformat(last) - timedelta(days=overlap), end), end


def sync(
    store: Store,
    client: ParliamentClient,
    *,
    scopes: list[Scope],
    since: date | None = None,
    until: date | None = None,
    overlap: int = DEFAULT_OVERLAP,
    today: date | None = None,
    reporter: Reporter | None = None,
    clock: Callable[[], float] = time.monotonic,
    statements: bool = True,
) -> SyncReport:
    """Bring the store up to date for the scopes and range; see the module docstring."""
    started = clock()
    today = today or datetime.now(UTC).date()
    reporter = reporter or _Silent()
    store.interrupt_running("sync")
    plans = []
    statement_ranges: dict[str, list[str]] = {}
    for scope in scopes:
        first, last = plan_days(
            store, scope, since=since, until=until, today=today, overlap=overlap
        )
        made_from = None
        if statements:
            made_from, _ = plan_days(store, scope, since=since, until=until, today=today,
                                     overlap=overlap, key=statements_key(scope))  # fmt: skip
            statement_ranges[scope.key()] = [made_from.isoformat(), last.isoformat()]
        windows = _windows(store, scope, first, last, made_from)
        plans.append((scope, first, last, windows))
    starts = [p[1].isoformat() for p in plans] + [r[0] for r in statement_ranges.values()]
    report = SyncReport(since=min(starts), until=max(p[2] for p in plans).isoformat())
    report.windows = sum(len(p[3]) for p in plans)
    args: dict[str, Any] = {
        "scopes": {p[0].key(): [p[1].isoformat(), p[2].isoformat()] for p in plans},
        "statements": statement_ranges,
        "complete": {},
    }
    requests, retries = client.requests, client.retries
    try:
        run_id = store.begin_run("sync", args)
        unreachable = _sync_plans(store, client, plans, args, run_id, report, reporter)
    except BaseException as exc:  # Ctrl-C, SIGTERM or a bug: the window under way rolls back
        report.requests = client.requests - requests
        report.seconds = clock() - started
        store.cut_short(exc, report.summary())
        raise
    report.requests = client.requests - requests
    report.retries = client.retries - retries
    report.seconds = clock() - started
    store.set_run_args(run_id, args)
    store.finish_run(
        run_id,
        "failed" if unreachable else "ok" if report.ok else "partial",
        report.summary(),
        str(unreachable) if unreachable else "; ".join(report.failed[:5]) or None,
    )
    store.tidy_index(report.counts.written)
    if unreachable is not None:
        raise ApiUnreachable(_unreachable_message(client.base_url, unreachable))
    return report


def _unreachable_message(base_url: str, error: ApiUnreachable) -> str:
    """The one line for a sync that could not connect: the host, what failed, and what to try
    without the network (another server, or the demo data that ships with pqtrack)."""
    demo = shlex.quote(str(shipped("demo.jsonl.gz")))
    return (
        f"cannot reach the API at {urlsplit(base_url).netloc}: {error}; the next sync tries"
        f" again. Offline? --api-url URL syncs from another server; `pqtrack import {demo}`"
        " loads the demo data"
    )


def _sync_plans(
    store: Store,
    client: ParliamentClient,
    plans: list[tuple[Scope, date, date, list[tuple[str, str, dict[str, Any]]]]],
    args: dict[str, Any],
    run_id: int,
    report: SyncReport,
    reporter: Reporter,
) -> ApiUnreachable | None:
    """Sync each scope's windows into `report`; `args` learns each scope completed. Stops at
    the first window that cannot even connect, and returns that error."""
    reporter.start(report.windows)
    unreachable: ApiUnreachable | None = None
    for scope, _first, last, windows in plans:
        failed = {"questions": 0, "statements": 0}
        for kind, day, params in windows:
            part = "statements" if kind == STATEMENT_WINDOW else "questions"
            reporter.window(kind, day)
            before = client.requests
            try:
                if kind == STATEMENT_WINDOW:
                    counts, details, short = _sync_statements(
                        store, client, scope, day, params, run_id, reporter
                    )
                    report.statements.add(counts)
                    report.statement_details += details
                else:
                    counts, details, short = _sync_window(
                        store, client, scope, kind, day, params, run_id, reporter
                    )
            except ApiUnreachable as exc:
                # Six tries with backoff could not even connect: the other windows would only
                # repeat that. They stay unsynced, and the next run plans them again.
                unreachable = exc
                break
            except ApiError as exc:
                if kind == STATEMENT_WINDOW:
                    report.statement_requests += client.requests - before
                failed[part] += 1
                report.failed.append(f"{kind} {day}: {exc}")
                store.mark_window(kind, day, scope.key(), "failed", run_id, error=str(exc))
                continue
            if kind == STATEMENT_WINDOW:
                report.statement_requests += client.requests - before
            else:
                report.details += details
                report.counts.add(counts)
            if short is not None:
                failed[part] += 1
                report.failed.append(f"{kind} {day}: {short}")
            else:
                report.windows_done += 1
        if unreachable is not None:
            break
        if not failed["questions"]:
            args["complete"][scope.key()] = last.isoformat()
        if scope.key() in args["statements"] and not failed["statements"]:
            args["complete"][statements_key(scope)] = last.isoformat()
    return unreachable


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _windows(
    store: Store, scope: Scope, first: date, last: date, made_from: date | None
) -> list[tuple[str, str, dict[str, Any]]]:
    """Day windows for the range, its statements' from `made_from` (None: no statements),
    earlier unfinished ones, and re-polls of open questions."""
    starts = {kind: first.isoformat() for kind in KINDS}
    if made_from is not None:
        starts[STATEMENT_WINDOW] = made_from.isoformat()
    kinds = tuple(starts)
    wanted: dict[tuple[str, str], None] = {}
    for day in _days(min(first, made_from or first), last):
        for kind, start in starts.items():
            if day >= start:
                wanted[(kind, day)] = None
    for kind, day in store.unfinished_windows(scope.key()):
        if kind in kinds:
            wanted.setdefault((kind, day), None)
    repoll_from = (last - timedelta(days=REPOLL_DAYS)).isoformat()
    for day in store.open_question_days(repoll_from, first.isoformat()):
        wanted.setdefault(("tabled", day), None)
    base = scope.params()
    return [
        (kind, day, {**base, f"{_PARAM[kind]}From": day, f"{_PARAM[kind]}To": day})
        for kind, day in wanted
    ]


def _sync_window(
    store: Store,
    client: ParliamentClient,
    scope: Scope,
    kind: str,
    day: str,
    params: dict[str, Any],
    run_id: int,
    reporter: Reporter,
) -> tuple[SaveCounts, int, str | None]:
    """Sync one window; return its counts, the details fetched, and why it is short if it is."""
    items, total = _list_window(client, params, reporter)
    if len(items) < total:  # the window reshuffled while we paged: list it once more
        again, total = _list_window(client, params, reporter)
        items.update(again)
    vanished = (
        _vanished(store, scope, day, items) if kind == "tabled" and len(items) >= total else []
    )
    # Read once to choose what to fetch; saving reads the versions again inside its write
    # transaction, as an import may have written in between (no transaction spans the fetches).
    stored = {qid: c.stored for qid, c in store.current([*items, *vanished]).items()}
    need = [qid for qid, item in items.items() if _needs_detail(item, stored.get(qid))]
    details = _fetch_details(client, need + vanished, reporter)
    batch: list[Observation] = [(item, "list") for item in items.values()]
    for qid in need:
        detail = details.get(qid)
        if detail is not None:
            batch.append((detail, "detail"))
    for qid in vanished:
        batch.append(_vanished_value(details.get(qid), stored[qid]))
    status = "done" if len(items) >= total else "short"
    with store.transaction():
        counts = store.save(batch, run_id=run_id)
        store.mark_window(
            kind, day, scope.key(), status, run_id,
            total=total, seen=len(items), details=len(need) + len(vanished),
        )  # fmt: skip
    short = None
    if status == "short":
        short = f"listed {len(items)} of the {total} questions the API counts; will retry"
    return counts, len(need) + len(vanished), short


def _list_window(
    client: ParliamentClient, params: dict[str, Any], reporter: Reporter, *,
    statements: bool = False,
) -> tuple[dict[int, Value], int]:  # fmt: skip
    items: dict[int, Value] = {}
    total = 0
    pages = (
        client.iter_question_pages(params, path=STATEMENTS_PATH)
        if statements
        else client.iter_question_pages(params)
    )
    for page in pages:
        reporter.page()
        total = page.total
        for value in page.values:
            if statements:
                value = _checked_statement(value, "a listed statement")
            else:
                value = _checked(value, "a listed question")
            items[value["id"]] = value
    return items, total


def _checked(value: Any, what: str) -> Value:
    """A value from the API, validated as a question; a malformed one fails its window."""
    try:
        return validate(value)
    except ValueError as exc:
        raise ApiError(f"{what} is malformed: {exc}") from None


def _checked_statement(value: Any, what: str) -> Value:
    try:
        return st.validate(value)
    except ValueError as exc:
        raise ApiError(f"{what} is malformed: {exc}") from None


def _sync_statements(
    store: Store,
    client: ParliamentClient,
    scope: Scope,
    day: str,
    params: dict[str, Any],
    run_id: int,
    reporter: Reporter,
) -> tuple[SaveCounts, int, str | None]:
    """Sync one day's written statements, as `_sync_window` does questions: the single record
    only for a statement new, changed in what the list shows, or still known only cut."""
    items, total = _list_window(client, params, reporter, statements=True)
    if len(items) < total:
        again, total = _list_window(client, params, reporter, statements=True)
        items.update(again)
    stored = {sid: c.stored for sid, c in store.current([*items], STATEMENTS).items()}
    need = [sid for sid, item in items.items() if _statement_needs_detail(item, stored.get(sid))]
    details = _fetch_details(client, need, reporter, statements=True)
    batch: list[Observation] = [(item, "list") for item in items.values()]
    batch += [(detail, "detail") for sid in need if (detail := details.get(sid)) is not None]
    status = "done" if len(items) >= total else "short"
    with store.transaction():
        counts = store.save(batch, run_id=run_id, kind=STATEMENTS)
        store.mark_window(
            STATEMENT_WINDOW, day, scope.key(), status, run_id,
            total=total, seen=len(items), details=len(need),
        )  # fmt: skip
    short = None
    if status == "short":
        short = f"listed {len(items)} of the {total} statements the API counts; will retry"
    return counts, len(need), short


def _statement_needs_detail(item: Value, stored: Stored | None) -> bool:
    if stored is None or stored.truncated or stored.source == "list":
        return True
    return st.list_view(item) != st.list_view(stored.value)


def _needs_detail(item: Value, stored: Stored | None) -> bool:
    if stored is None or stored.truncated or stored.source == "list":
        return True
    return list_view(item) != list_view(stored.value)


def _vanished(store: Store, scope: Scope, day: str, items: dict[int, Value]) -> list[int]:
    """Questions stored as tabled on `day`, in scope, not withdrawn, but no longer listed."""
    return [
        qid
        for qid, house, body in store.tabled_on(day)
        if qid not in items and scope.matches(house, body)
    ]


def _vanished_value(detail: Value | None, stored: Stored) -> Observation:
    """What became of a vanished question: its single record, or, if even that is gone, the
    stored value marked withdrawn (the API hides withdrawn questions from lists)."""
    if detail is not None:
        return detail, "detail"
    return {**stored.value, "isWithdrawn": True}, stored.source


def _fetch_details(
    client: ParliamentClient, ids: list[int], reporter: Reporter, *, statements: bool = False
) -> dict[int, Value | None]:
    if not ids:
        return {}
    what = "statement" if statements else "question"

    def fetch(qid: int) -> tuple[int, Value | None]:
        value = client.fetch_statement(qid) if statements else client.fetch_question(qid)
        reporter.detail()
        if value is None:
            return qid, None
        if statements:
            value = _checked_statement(value, f"statement {qid}")
        else:
            value = _checked(value, f"question {qid}")
        if value["id"] != qid:
            raise ApiError(f"asked for {what} {qid}, the API sent {value['id']}")
        return qid, value

    pool = ThreadPoolExecutor(max_workers=DETAIL_WORKERS)
    try:
        return dict(pool.map(fetch, ids))
    finally:
        # Stopped early (Ctrl-C, a failed fetch): drop the fetches not yet started, instead
        # of making every one of them, paced, before the stop takes effect.
        pool.shutdown(cancel_futures=True)


def status(store: Store) -> dict[str, Any]:
    """The ledger: last good sync, coverage per kind, and windows not done."""
    return store.ledger()
