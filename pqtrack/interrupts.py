"""Stopping cleanly when told to: Ctrl-C (SIGINT) and SIGTERM end a command the same way.

Python turns Ctrl-C into KeyboardInterrupt; while a command runs, SIGTERM raises Terminated,
a KeyboardInterrupt too, instead of ending the process on the spot. Either unwinds the stack:
the batch being written rolls back (`Store.transaction`), the run is marked interrupted
(`Store.cut_short`), and the CLI prints one line and exits 128 + the signal's number: 130 for
Ctrl-C, 143 for SIGTERM, as a shell reports a process the signal ended.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived."""

    signum = signal.SIGTERM


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While in the block, SIGTERM raises Terminated (the handler before is put back after)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (a test may run a command in another)
        return

    def raise_terminated(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def ended(exc: KeyboardInterrupt) -> tuple[str, int]:
    """The line to print and the exit code for a command stopped by `exc`."""
    signum = getattr(exc, "signum", signal.SIGINT)
    return ("interrupted" if signum == signal.SIGINT else "terminated"), 128 + signum


def signal_name(exc: KeyboardInterrupt) -> str:
    """SIGINT (Ctrl-C) or SIGTERM: which signal `exc` stands for."""
    return signal.Signals(getattr(exc, "signum", signal.SIGINT)).name
