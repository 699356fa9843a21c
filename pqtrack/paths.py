"""Where pqtrack keeps things by default: the database and the user's config."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "pqtrack"


def default_db_path() -> Path:
    return platformdirs.user_data_path(APP) / "pqtrack.db"


def config_dir() -> Path:
    override = os.environ.get("PQTRACK_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path(APP)
