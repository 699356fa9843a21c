"""Shared fixtures: an isolated environment, a migrated store, and a CLI bound to its database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pqtrack.store import Store
from tests.cli import Cli
from tests.samples import LEFT_OUT, have_samples


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "samples: an extra check that reads the shared samples")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the shared samples, their extra checks are left out (test_samples says so)."""
    if have_samples():
        return
    kept = [item for item in items if item.get_closest_marker("samples") is None]
    left_out = [item for item in items if item.get_closest_marker("samples") is not None]
    config.stash[LEFT_OUT] = len(left_out)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's real database, config or terminal settings."""
    for name in ("PQTRACK_DB", "PQTRACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PQTRACK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pq.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)
