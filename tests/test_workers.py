"""workers.py: the one process pool that import and fact derivation share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pqtrack import workers


def count(start: int, stop: int) -> Iterator[int]:
    yield from range(start, stop)


def count_then_fail(stop: int) -> Iterator[int]:
    yield from range(stop)
    raise ValueError(f"gave up after {stop}")


def count_then_die(stop: int) -> Iterator[int]:
    yield from range(stop)
    os._exit(3)  # what it put may or may not have left it


def forever(pid_file: str) -> Iterator[int]:
    with open(pid_file, "w") as out:
        out.write(str(os.getpid()))
    n = 0
    while True:
        yield n
        n += 1


def test_each_workers_items_arrive_in_order() -> None:
    got = list(workers.stream(count, [(0, 500), (1000, 1500)], ahead=3))
    assert sorted(got) == [*range(500), *range(1000, 1500)]
    assert [n for n in got if n < 1000] == list(range(500))
    assert [n for n in got if n >= 1000] == list(range(1000, 1500))


def test_a_workers_error_comes_after_its_items() -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match="gave up after 5"):
        for n in workers.stream(count_then_fail, [(5,)]):
            got.append(n)
    assert got == [0, 1, 2, 3, 4]


def test_a_worker_that_dies_is_reported() -> None:
    got: list[int] = []
    with pytest.raises(workers.WorkerStopped, match="exit code 3"):
        for n in workers.stream(count_then_die, [(4,)]):
            got.append(n)
    assert got == list(range(len(got)))


def test_stopping_early_ends_the_workers(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    items = workers.stream(forever, [(str(pid_file),)])
    assert [next(items) for _ in range(10)] == list(range(10))
    items.close()
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped
