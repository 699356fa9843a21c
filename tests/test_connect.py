"""connect.py: the read path's plain sqlite3 connection and when it defers to Store.open."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqtrack import schema
from pqtrack.connect import reading
from pqtrack.errors import StoreError
from pqtrack.migrations import migrations
from pqtrack.store import Store
from tests.build import from_a_newer_pqtrack


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_read_path_knows_every_migration_in_order() -> None:
    assert [m.name for m in migrations._migrations] == list(schema.MIGRATIONS)
    assert migrations.name == schema.MIGRATION_SET


def test_a_current_database_is_read_without_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    Store.open(path).close()
    code = (
        "import sys; from pathlib import Path; from pqtrack.connect import reading\n"
        f"with reading(Path({str(path)!r})) as conn:\n"
        "    print(conn.execute('SELECT count(*) FROM questions').fetchone()[0])\n"
        "print('sqlite_utils' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"]


def test_an_older_database_is_migrated_once_then_read(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m005_filter_indexes")
    old.close()
    with reading(path) as conn:
        assert isinstance(conn, sqlite3.Connection)
        applied = [n for (n,) in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert applied == list(schema.MIGRATIONS)


def test_a_missing_database_is_the_stores_error(tmp_path: Path) -> None:
    with (
        pytest.raises(StoreError, match="no database at .*run `pqtrack sync`"),
        reading(tmp_path / "none.db"),
    ):
        pass
    assert not (tmp_path / "none.db").exists()


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = from_a_newer_pqtrack(tmp_path / "q.db")
    before = sha256(path)
    with pytest.raises(StoreError, match=r"newer pqtrack .*m999_from_the_future"), reading(path):
        pass
    assert sha256(path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a database at all\n" * 100, "is not an SQLite database"), (None, "not a pqtrack one")],
)
def test_other_files_are_refused_untouched(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "other.db"
    if content is None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(content)
    before = sha256(path)
    with pytest.raises(StoreError, match=message), reading(path):
        pass
    assert sha256(path) == before


HEAVY = ("sqlite_utils", "httpx", "numpy", "tenacity", "diff_match_patch")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pqtrack.importer import import_files

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = Store.open(path)
    try:
        import_files(store, [Path(__file__).parents[1] / "data" / "demo.jsonl.gz"])
    finally:
        store.close()
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["search", "police"],
        ["list", "--status", "answered"],
        ["show", "{ref}"],
        ["history", "{ref}"],
        ["changes", "--since", "2000-01-01", "-e", "tabled"],  # a correction's gist is a diff
        ["diff", "{ref}"],
    ],
)
def test_reading_commands_leave_the_heavy_modules_unloaded(
    demo_db: Path, tmp_path: Path, args: list[str]
) -> None:
    conn = sqlite3.connect(demo_db)
    (ref,) = conn.execute("SELECT id FROM questions WHERE version = 1 LIMIT 1").fetchone()
    conn.close()
    argv = ["pqtrack", *(a.format(ref=ref) for a in args), "--db", str(demo_db)]
    argv += ["--format", "word" if args[0] == "diff" else "json"]
    code = (
        "import sys\nfrom pqtrack.cli import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    env = {"PQTRACK_CONFIG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
