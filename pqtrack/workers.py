"""The one process pool: work that is worth a second core, done in worker processes that
stream their results back to this one, which alone writes them.

Both the import of a large file (pqtrack.reader: one worker reads, checks and prepares while
this process writes) and the derivation of many facts (pqtrack.facts: a worker per share of
the questions) use `stream`. Workers are started with multiprocessing's "spawn" method (a
fresh interpreter: no inherited locks, threads or SQLite connections) and send what they
produce over a pipe each, pickled; this process waits on the pipes, so no thread of its own
reads them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
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


class _Failed:
    """Sent by a worker whose work raised: the exception, raised again in this process."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def stream(produce: Callable[..., Iterable[T]], jobs: Sequence[tuple[Any, ...]]) -> Iterator[T]:
    """What `produce(*job)` yields, for each job in a worker process of its own: each
    worker's items in its order, the workers' interleaved as they arrive.

    `produce` must be a module-level function (the worker imports it by name). An exception
    it raises is raised here after the items before it; a worker that dies raises
    WorkerStopped. Stopping early (closing the iterator) ends the workers.
    """
    running: dict[Connection, Any] = {}
    started = []
    try:
        for job in jobs:
            receive, send = _CONTEXT.Pipe(duplex=False)
            worker = _CONTEXT.Process(target=_work, args=(produce, job, send), daemon=True)
            worker.start()
            send.close()  # the worker's end: only its copy stays open
            started.append(worker)
            running[receive] = worker
        while running:
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                try:
                    item = ready.recv()
                except EOFError:
                    worker = running.pop(ready)
                    worker.join()
                    raise WorkerStopped(worker.exitcode) from None
                if isinstance(item, _End):
                    running.pop(ready).join()
                    ready.close()
                elif isinstance(item, _Failed):
                    raise item.error
                else:
                    yield item
    finally:
        for worker in started:
            if worker.is_alive():
                worker.terminate()  # stopped early: what it has not sent is not needed
            worker.join()
        for receive in running:
            receive.close()


def _work(produce: Callable[..., Iterable[Any]], job: tuple[Any, ...], out: Connection) -> None:
    """A worker: send what `produce(*job)` yields, then _End (or _Failed)."""
    try:
        for item in produce(*job):
            out.send(item)
        out.send(_End())
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # this process stopped listening, or the user stopped both
    except Exception as exc:  # noqa: BLE001 - any failure is the caller's to report
        try:
            out.send(_Failed(exc))
        except Exception:  # noqa: BLE001 - not picklable: its text will do
            out.send(_Failed(RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        out.close()
