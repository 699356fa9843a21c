"""Runs cut short: Ctrl-C or SIGTERM during `import` or `sync` marks the run interrupted and
leaves the database sound; a run whose process is gone shows as abandoned and blocks nothing;
a sync that fetched nothing is not "the latest sync" of the change feed."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from pqtrack import reader
from pqtrack.paths import shipped
from pqtrack.store import Store, process_gone, run_status
from tests.bench.generate import generate, write
from tests.cli import Cli
from tests.fakeapi import FakeApi, Request
from tests.test_sync import (
    PQTRACK,
    SINCE,
    UNTIL,
    assert_db_sound,
    end_state,
    make_dataset,
    patch_client_sleep,
)

SIGNALS = {  # how each signal ends a command: exit code, and the one line on stderr
    "SIGINT": (signal.SIGINT, 130, "pqtrack: interrupted"),
    "SIGTERM": (signal.SIGTERM, 143, "pqtrack: terminated"),
}
IMPORTED = 20_000  # a file of ~36 MB: well over the size a worker process reads
_CONTROL = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def runs(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT kind, status, message FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()


def last_line(stderr: bytes) -> str:
    """The last line a terminal would show, once the progress bar's controls are dropped."""
    text = _CONTROL.sub(b"", stderr).replace(b"\r", b"\n").decode()
    return [line for line in text.splitlines() if line.strip()][-1]


# -- import --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import") / "questions.jsonl"
    with path.open("w", encoding="utf-8") as out:
        assert write(generate(IMPORTED, seed=3), out) == IMPORTED
    assert path.stat().st_size > reader.WORKER_MIN_BYTES  # so a worker process reads it
    return path


def sigint_as_default() -> None:
    """Run in the child before pqtrack starts: a process started in the background by a
    non-interactive shell (`pytest &`) ignores SIGINT, and its children would inherit that;
    Ctrl-C must reach pqtrack as it does from a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_import(db: Path, path: Path) -> tuple[subprocess.Popen[bytes], bytes]:
    """`pqtrack import` with its progress bar on (stderr taken for a terminal), once the bar
    shows questions read: the importing process is then inside the file's transaction."""
    env = {**os.environ, "TTY_COMPATIBLE": "1"}
    proc = subprocess.Popen(
        [*PQTRACK, "import", str(path), "--db", str(db)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, preexec_fn=sigint_as_default,
    )  # fmt: skip
    assert proc.stderr is not None
    seen = b""
    while not re.search(rb"importing: [1-9][\d,]* questions", seen):
        chunk = os.read(proc.stderr.fileno(), 65536)
        assert chunk, f"the import ended before showing progress: {seen[-500:]!r}"
        seen += chunk
    return proc, seen


@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_during_an_import_rolls_the_file_back_and_marks_the_run(
    name: str, big_file: Path, tmp_path: Path
) -> None:
    signum, code, line = SIGNALS[name]
    db = tmp_path / "pq.db"
    proc, seen = start_import(db, big_file)
    workers = _children(proc.pid)
    assert workers, "a file this large is read by a worker process"
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (code, b"")
    assert last_line(seen + err) == line
    assert b"Traceback" not in seen + err
    assert_db_sound(db)
    assert runs(db) == [("import", "interrupted", f"stopped by {name}")]
    conn = sqlite3.connect(db)
    # the file is one transaction: nothing of it is left half-written
    assert conn.execute("SELECT count(*) FROM questions").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM versions").fetchone() == (0,)
    counts = json.loads(conn.execute("SELECT counts FROM runs").fetchone()[0])
    conn.close()
    assert (counts["files"], counts["new"]) == (0, 0)
    for child in workers:  # the worker processes that read the file are gone with it
        assert not Path(f"/proc/{child}").exists() or b"Z" in _state(child), child


def test_an_import_killed_with_9_is_marked_interrupted_by_the_next_run(
    big_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "pq.db"
    proc, _ = start_import(db, big_file)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert_db_sound(db)
    assert runs(db) == [("import", "running", None)]
    store = Store.open(db)
    ((pid, host),) = store.db.conn.execute("SELECT pid, host FROM runs").fetchall()
    assert (pid, host) == (proc.pid, socket.gethostname())
    assert run_status("running", pid, host) == "abandoned"
    store.close()
    demo = subprocess.run(
        [*PQTRACK, "import", str(shipped("demo.jsonl.gz")), "--db", str(db), "--quiet"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (demo.returncode, demo.stdout, demo.stderr) == (0, "", "")
    assert runs(db) == [
        ("import", "interrupted", "its process was gone"),
        ("import", "ok", None),
    ]


def _children(pid: int) -> list[int]:
    """The worker processes `pid` started (Linux: from /proc; not multiprocessing's resource
    tracker, which ends by itself once the process that started it is gone)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes() if parent == pid else b""
        except OSError:
            continue  # ended while we looked
        if b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return b"Z"  # gone


# -- sync ----------------------------------------------------------------------------------------


def sync_args(db: Path, *more: str) -> list[str]:
    return [
        *PQTRACK, "sync", "--db", str(db), "--since", SINCE.isoformat(), "--until",
        UNTIL.isoformat(), "--rate", "0", "--timeout", "5", *more,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def dataset() -> list[dict[str, Any]]:
    return make_dataset(120, own=False, shared=False).values


@pytest.fixture(scope="module")
def reference(dataset: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The end state of a sync nobody stopped."""
    db = tmp_path_factory.mktemp("reference") / "pq.db"
    with FakeApi(dataset) as fake:
        done = subprocess.run(
            sync_args(db, "--quiet", "--api-url", fake.url), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    return end_state(db)


def sync_stopped_at(
    dataset: list[dict[str, Any]], db: Path, nth_detail: int, signum: int
) -> tuple[subprocess.Popen[str], str, str, FakeApi]:
    """A sync sent `signum` while the fake answers its n-th single-question request."""
    started = threading.Event()
    sent: list[Request] = []
    proc: list[subprocess.Popen[str]] = []
    details = 0

    def hook(request: Request) -> None:
        nonlocal details
        started.wait(30)
        if sent or not request.is_detail:
            return
        details += 1
        if details == nth_detail:
            sent.append(request)
            os.kill(proc[0].pid, signum)

    fake = FakeApi(dataset)
    with fake:
        fake.on_request = hook
        proc.append(
            subprocess.Popen(
                sync_args(db, "--quiet", "--api-url", fake.url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=sigint_as_default,
            )  # fmt: skip
        )
        started.set()
        out, err = proc[0].communicate(timeout=120)
    assert sent, "the signal was never sent"
    return proc[0], out, err, fake


@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_during_a_sync_marks_it_interrupted_and_the_next_ends_as_if_not(
    name: str, dataset: list[dict[str, Any]], reference: Any, tmp_path: Path
) -> None:
    signum, code, line = SIGNALS[name]
    db = tmp_path / "pq.db"
    proc, out, err, _ = sync_stopped_at(dataset, db, 40, signum)
    assert (proc.returncode, out, err) == (code, "", line + "\n")
    assert_db_sound(db)
    assert runs(db) == [("sync", "interrupted", f"stopped by {name}")]
    conn = sqlite3.connect(db)
    done, windows = conn.execute(
        "SELECT json_extract(counts, '$.windows_done'), json_extract(counts, '$.windows') FROM runs"
    ).fetchone()
    # what it saved is on record: every window it counts done, and no other
    assert conn.execute("SELECT count(*) FROM sync_windows WHERE status = 'done'").fetchone() == (
        done,
    )
    conn.close()
    assert 0 < done < windows
    status = subprocess.run(
        [*PQTRACK, "sync", "--status", "--db", str(db), "--format", "json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert json.loads(status.stdout)["latest_run"]["status"] == "interrupted"
    assert_a_rerun_completes(dataset, db, reference)


def test_a_sync_killed_with_9_shows_as_abandoned_and_blocks_nothing(
    dataset: list[dict[str, Any]], reference: Any, tmp_path: Path
) -> None:
    db = tmp_path / "pq.db"
    proc, _, _, _ = sync_stopped_at(dataset, db, 40, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert runs(db) == [("sync", "running", None)]
    status = subprocess.run(
        [*PQTRACK, "sync", "--status", "--db", str(db)], capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert status.returncode == 0
    (latest,) = [x for x in status.stdout.splitlines() if x.startswith("latest sync: ")]
    assert re.fullmatch(
        r"latest sync: \S+ abandoned \(its process is gone; it blocks nothing, the next sync "
        r"redoes its windows\)",
        latest,
    ), latest
    as_json = subprocess.run(
        [*PQTRACK, "sync", "--status", "--db", str(db), "--format", "json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    run = json.loads(as_json.stdout)["latest_run"]
    assert (run["status"], run["pid"], run["host"]) == (
        "abandoned", proc.pid, socket.gethostname(),
    )  # fmt: skip
    assert_a_rerun_completes(dataset, db, reference)


def assert_a_rerun_completes(dataset: list[dict[str, Any]], db: Path, reference: Any) -> None:
    """The next sync, after one cut short, ends as one nobody stopped and marks the other."""
    with FakeApi(dataset) as fake:
        again = subprocess.run(
            sync_args(db, "--quiet", "--api-url", fake.url), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert [r[:2] for r in runs(db)] == [("sync", "interrupted"), ("sync", "ok")]
    assert end_state(db) == reference


# -- whose process is gone -----------------------------------------------------------------------


def test_process_gone_only_when_certain() -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    here = socket.gethostname()
    assert process_gone(int(ended.stdout), here)
    assert not process_gone(os.getpid(), here)
    assert not process_gone(1, here)  # alive, whoever owns it
    assert not process_gone(int(ended.stdout), here + "-elsewhere")  # not ours to see
    assert process_gone(None, None)  # a run from before runs recorded their process
    assert run_status("ok", int(ended.stdout), here) == "ok"
    assert run_status("running", os.getpid(), here) == "running"


def test_a_new_run_ends_only_this_hosts_dead_runs(store: Store) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    here = socket.gethostname()
    for pid, host in [(int(ended.stdout), here), (int(ended.stdout), "elsewhere"),
                      (os.getpid(), here)]:  # fmt: skip
        store.db.execute(
            "INSERT INTO runs (kind, started_at, status, pid, host)"
            " VALUES ('import', '2025-03-01T00:00:00+00:00', 'running', ?, ?)",
            [pid, host],
        )
    store.begin_run("import", {})
    rows = store.db.conn.execute("SELECT status, message FROM runs ORDER BY id").fetchall()
    assert rows == [
        ("interrupted", "its process was gone"),
        ("running", None),  # another host's: cannot be seen from here
        ("running", None),  # this process: alive
        ("running", None),
    ]


def test_cut_short_rolls_back_and_ends_this_process_run(store: Store) -> None:
    run_id = store.begin_run("import", {})
    store.db.conn.execute("BEGIN IMMEDIATE")
    store.db.conn.execute("INSERT INTO runs (kind, started_at, status) VALUES ('x', 'now', 'ok')")
    store.cut_short(ValueError("disk full"), {"files": 0})
    store.cut_short(KeyboardInterrupt())  # nothing left running: changes nothing
    rows = store.db.conn.execute("SELECT id, status, message, counts FROM runs").fetchall()
    assert rows == [(run_id, "failed", "ValueError: disk full", '{"files": 0}')]


# -- the latest sync, and the offline message ---------------------------------------------------


def unreachable_sync(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Any:
    patch_client_sleep(monkeypatch, lambda seconds: None)
    return cli("sync", "--api-url", "http://127.0.0.1:1", "--since", "2025-03-03",
               "--until", "2025-03-03", "--rate", "0", "--timeout", "0.2")  # fmt: skip


def test_the_offline_message_names_the_host_and_what_to_try(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = unreachable_sync(cli, monkeypatch)
    assert (result.exit_code, result.stdout) == (1, "")
    demo = shipped("demo.jsonl.gz")
    assert demo.is_file()
    match = re.fullmatch(
        r"pqtrack: cannot reach the API at 127\.0\.0\.1:1: GET \S+ failed after 6 attempts "
        r"\(last: ConnectError: .*\); the next sync tries again\. Offline\? --api-url URL "
        r"syncs from another server; `pqtrack import (\S+)` loads the demo data\n",
        result.stderr,
    )
    assert match, result.stderr
    assert match.group(1) == str(demo)


@pytest.mark.parametrize("order", ["sync first", "import first"])
def test_a_sync_that_fetched_nothing_is_not_the_latest_sync(
    order: str, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick start offline: a failed sync, the demo imported, then the digest."""
    demo = str(shipped("demo.jsonl.gz"))
    if order == "sync first":
        assert unreachable_sync(cli, monkeypatch).exit_code == 1
    assert cli("import", demo, "--quiet").exit_code == 0
    if order == "import first":
        assert unreachable_sync(cli, monkeypatch).exit_code == 1
    imported = 1 if order == "import first" else 2
    conn = sqlite3.connect(cli.db)
    (events,) = conn.execute("SELECT count(*) FROM events WHERE run_id = ?", [imported]).fetchone()
    assert conn.execute("SELECT kind, status FROM runs ORDER BY id").fetchall() == sorted(
        [("import", "ok"), ("sync", "failed")], reverse=order == "sync first"
    )
    conn.close()
    feed = cli.json("changes", "--since", "last-sync", "--limit", "100000")
    assert events >= 3000 and len(feed) == events  # every question's tabling, and more
    assert {e["run_id"] for e in feed} == {imported}


def test_with_only_a_failed_sync_there_is_no_latest_sync(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert unreachable_sync(cli, monkeypatch).exit_code == 1
    result = cli("changes", "--since", "last-sync")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "pqtrack: --since last-sync: nothing has been synced or imported yet\n"
