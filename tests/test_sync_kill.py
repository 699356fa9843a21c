"""`pqtrack sync` as a real process against the fake API: kill -9 at chosen moments, and two
syncs at once."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakeapi import FakeApi, Request
from tests.test_sync import PQTRACK, SINCE, UNTIL, assert_db_sound, end_state, make_dataset

RANGE = ["--since", SINCE.isoformat(), "--until", UNTIL.isoformat()]


def sync_args(db: Path) -> list[str]:
    return [*PQTRACK, "sync", "--db", str(db), *RANGE, "--rate", "0", "--timeout", "5", "--quiet"]


def env_for(fake: FakeApi) -> dict[str, str]:
    return {**os.environ, "PQTRACK_API_URL": fake.url}


@pytest.fixture(scope="module")
def dataset() -> list[dict[str, Any]]:
    return make_dataset().values


@pytest.fixture(scope="module")
def uninterrupted(dataset: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The end state of one sync that nobody interrupted, and the requests it made."""
    db = tmp_path_factory.mktemp("reference") / "pq.db"
    with FakeApi(dataset) as fake:
        done = subprocess.run(
            sync_args(db), env=env_for(fake), capture_output=True, text=True, timeout=120
        )
        requests = list(fake.requests)
    assert (done.returncode, done.stderr) == (0, "")
    return end_state(db), requests


def nth(kind: str, n: int) -> Callable[[Request, dict[str, int]], bool]:
    """Kill on the n-th request of a kind: 'any', 'list' or 'detail'."""

    def hit(request: Request, seen: dict[str, int]) -> bool:
        return seen[kind] == n

    return hit


def second_page(request: Request, seen: dict[str, int]) -> bool:
    return request.is_list and request.param("skip") == "100"


MOMENTS = {
    # before anything is committed: the first listing of the first window
    "first-request": nth("any", 1),
    # inside paging: page 2 of the one multi-page window, after ~70 windows were committed
    "second-page": second_page,
    # inside detail fetching: the 150th single-question request, mid-window
    "mid-details": nth("detail", 150),
    # late: the 95th listing, a few windows before the end
    "late-listing": nth("list", 95),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_then_the_next_run_ends_as_if_never_interrupted(
    moment: str, dataset: list[dict[str, Any]], uninterrupted: Any, tmp_path: Path
) -> None:
    reference, reference_requests = uninterrupted
    db = tmp_path / "pq.db"
    hit = MOMENTS[moment]
    seen = {"any": 0, "list": 0, "detail": 0}
    started = threading.Event()
    killed: list[Request] = []
    proc: list[subprocess.Popen[bytes]] = []

    def hook(request: Request) -> None:
        started.wait(30)
        if killed:
            return
        seen["any"] += 1
        seen["list" if request.is_list else "detail"] += 1
        if hit(request, seen):
            killed.append(request)
            os.kill(proc[0].pid, signal.SIGKILL)

    with FakeApi(dataset) as fake:
        fake.on_request = hook
        proc.append(
            subprocess.Popen(
                sync_args(db), env=env_for(fake), stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
        started.set()
        proc[0].communicate(timeout=120)
        assert proc[0].returncode == -signal.SIGKILL, f"{moment}: the sync was not killed"
        (request,) = killed
        assert request.is_list if moment != "mid-details" else request.is_detail
        assert seen["any"] < len(reference_requests)  # killed before the end

        assert_db_sound(db)
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT status FROM runs").fetchall() == [("running",)]
        conn.close()

        fake.on_request = None
        again = subprocess.run(
            sync_args(db), env=env_for(fake), capture_output=True, text=True, timeout=120
        )
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert_db_sound(db)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM runs ORDER BY id").fetchall() == [
        ("interrupted",),
        ("ok",),
    ]
    conn.close()
    assert end_state(db) == reference


def test_kill_moments_fall_where_they_are_meant_to(uninterrupted: Any) -> None:
    """The reference run's own requests show each chosen moment inside a run, and where."""
    _, requests = uninterrupted
    lists = [r for r in requests if r.is_list]
    details = [r for r in requests if r.is_detail]
    pages = [i for i, r in enumerate(requests) if r.is_list and r.param("skip") == "100"]
    assert len(pages) == 1 and 0 < pages[0] < len(requests) - 10
    assert len(details) > 150 and len(lists) > 95
    # the 150th detail has details of the same window on both sides of it
    i = requests.index(details[149])
    assert requests[i - 1].is_detail and requests[i + 1].is_detail


def test_a_second_sync_exits_75_while_the_first_holds_the_lock(
    dataset: list[dict[str, Any]], tmp_path: Path
) -> None:
    db = tmp_path / "pq.db"
    reached, release = threading.Event(), threading.Event()

    def hold(request: Request) -> None:
        reached.set()
        release.wait(30)  # the first sync stalls on its first request, lock held

    with FakeApi(dataset[:20]) as fake:
        fake.on_request = hold
        first = subprocess.Popen(
            sync_args(db), env=env_for(fake), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        try:
            assert reached.wait(30)
            second = subprocess.run(
                sync_args(db), env=env_for(fake), capture_output=True, text=True, timeout=60
            )
        finally:
            release.set()
        out, err = first.communicate(timeout=60)
    assert (first.returncode, out, err) == (0, "", "")
    assert (second.returncode, second.stdout) == (75, "")
    assert re.fullmatch(
        rf"pqtrack: another sync is running on {re.escape(str(db))} "
        rf"\(pid {first.pid} since \S+\); try later\n",
        second.stderr,
    ), second.stderr
    assert_db_sound(db)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM runs").fetchall() == [("ok",)]
    conn.close()
