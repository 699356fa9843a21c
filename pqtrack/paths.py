"""Where pqtrack keeps things by default: the database, the user's config, and the data
files it ships."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP = "pqtrack"


def default_db_path() -> Path:
    return platformdirs.user_data_path(APP) / "pqtrack.db"


def config_dir() -> Path:
    override = os.environ.get("PQTRACK_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path(APP)


def shipped(name: str) -> Path:
    """A data file pqtrack ships (data/ in a checkout, pqtrack/data/ once installed)."""
    packaged = resources.files(APP).joinpath("data", name)
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "data" / name
