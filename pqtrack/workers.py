"""The one process pool: work that is worth a second core, done in worker processes that
stream their results back to this one, which alone writes them.

Both the import of a large file (pqtrack.reader: one worker reads, checks and prepares while
this process writes) and the derivation of many facts (pqtrack.facts: a worker per share of
the questions) use `stream`. Workers are started with multiprocessing's "spawn" method (a
fresh interpreter: no inherited locks, threads or SQLite connections) and put what they
produce on a multiprocessing queue; this process only takes from it.

Like any spawned process, a worker imports the main module of the program that started it
(as `__mp_main__`): a script that calls pqtrack must guard its own work with
`if __name__ == "__main__":`.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("spawn")


class WorkerStopped(Exception):
    """A worker ended without finishing its work (killed, or out of memory)."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"exit code {exitcode}")
        self.exitcode = exitcode


class _End:
    """Sent by a worker once it has sent everything."""

    def __init__(self, worker: int) -> None:
        self.worker = worker


class _Failed:
    """Sent by a worker whose work raised: the exception, raised again in this process."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def stream(
    produce: Callable[..., Iterable[T]], jobs: Sequence[tuple[Any, ...]], ahead: int = 8
) -> Iterator[T]:
    """What `produce(*job)` yields, for each job in a worker process of its own: each
    worker's items in its order, the workers' interleaved as they arrive.

    The workers put their items on one queue that holds up to `ahead` of them, so they keep
    working while this process is busy with the items before. `produce` must be a
    module-level function (the worker imports it by name). An exception it raises is raised
    here after the items before it; a worker that dies raises WorkerStopped. Stopping early
    (closing the iterator) ends the workers.
    """
    results: Any = _CONTEXT.Queue(maxsize=ahead)
    started = [
        _CONTEXT.Process(target=_work, args=(produce, job, n, results), daemon=True)
        for n, job in enumerate(jobs)
    ]
    try:
        for worker in started:
            worker.start()
        running = set(range(len(started)))
        while running:
            try:
                item = results.get(timeout=_POLL)
            except queue.Empty:
                for n in running:  # one that exited cleanly has its end still to come
                    if started[n].exitcode not in (None, 0):
                        raise WorkerStopped(started[n].exitcode) from None
                continue
            if isinstance(item, _End):
                running.discard(item.worker)
            elif isinstance(item, _Failed):
                raise item.error
            else:
                yield item
    finally:
        for worker in started:
            if worker.is_alive():
                worker.terminate()  # stopped early: what it has not sent is not needed
            if worker.pid is not None:
                worker.join()
        results.close()
        results.cancel_join_thread()  # this process never put anything: nothing to flush


_POLL = 0.2  # seconds between looks at whether a worker died, while none sends anything


def _work(
    produce: Callable[..., Iterable[Any]], job: tuple[Any, ...], n: int, results: Any
) -> None:
    """Worker n: put what `produce(*job)` yields, then _End (after _Failed if it raised)."""
    try:
        for item in produce(*job):
            results.put(item)
    except KeyboardInterrupt:
        pass  # the user stopped both: the other process is told too
    except Exception as exc:  # noqa: BLE001 - any failure is the caller's to report
        try:
            results.put(_Failed(exc))
        except Exception:  # noqa: BLE001 - not picklable: its text will do
            results.put(_Failed(RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        results.put(_End(n))
