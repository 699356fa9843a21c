"""Opening the database: to read it, with the standard sqlite3 module, or as a Store.

Reading commands (list, search, show, history, changes, diff) need no sqlite-utils: when the
database has every migration applied, a plain connection is all they use. Anything else (no
file yet, an older schema, a file that is not a pqtrack database) goes through `Store.open`
once, which migrates it or raises the error it always has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pqtrack.schema import MIGRATION_SET, MIGRATIONS

if TYPE_CHECKING:
    from pqtrack.store import Store


@contextmanager
def reading(path: Path | None) -> Iterator[sqlite3.Connection]:
    """A connection to the database at `path` (the default one if None) that must exist."""
    create_dirs = path is None  # as `Store.open` is called for the default database
    if path is None:
        from pqtrack.paths import default_db_path

        path = default_db_path()
    conn = _current(path)
    if conn is None:
        _open_store(path, create_dirs=create_dirs)
        conn = _current(path)
        if conn is None:  # migrated just now, so only a race with another pqtrack gets here
            conn = _connect(path)
    try:
        yield conn
    finally:
        conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30)
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def _current(path: Path) -> sqlite3.Connection | None:
    """A connection if `path` is a pqtrack database with exactly our migrations applied."""
    if not path.is_file():
        return None
    try:
        conn = _connect(path)
    except sqlite3.Error:
        return None
    try:
        applied = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                [MIGRATION_SET],
            )
        ]
    except sqlite3.Error:
        applied = []
    if sorted(applied) == sorted(MIGRATIONS):
        return conn
    conn.close()
    return None


def _open_store(path: Path, *, create_dirs: bool) -> None:
    """Open (and so migrate or reject) the database the way writing commands do."""
    from pqtrack.store import Store

    Store.open(path, create_dirs=create_dirs, must_exist=True).close()


@contextmanager
def opened(db: Path | None, *, must_exist: bool = False) -> Iterator[Store]:
    """The Store at `db` (the default database if None), for commands that write or analyse."""
    from pqtrack.paths import default_db_path
    from pqtrack.store import Store

    store = Store.open(db or default_db_path(), create_dirs=db is None, must_exist=must_exist)
    try:
        yield store
    finally:
        store.close()
