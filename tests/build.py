"""Building test data: an in-memory store, question values, files."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqtrack.store import Store


def memory_store() -> Store:
    """A migrated store held in memory (migrated in a file, then copied over)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    with tempfile.TemporaryDirectory() as folder:
        template = Store.open(Path(folder) / "template.db")
        template.db.conn.backup(conn)
        template.close()
    return Store(Database(conn))


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
