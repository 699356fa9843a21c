"""Where the shared real API samples live, for tests that read them at test time.

The samples are not part of the repository. ``require_samples()`` returns their folder, or
skips the calling test with a clear reason when the folder is missing; with
``PQTRACK_REQUIRE_SAMPLES=1`` (set in CI where the samples are mounted) it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api-samples"


def require_samples() -> Path:
    if SAMPLES.is_dir():
        return SAMPLES
    reason = f"shared API samples not found at {SAMPLES}"
    if os.environ.get("PQTRACK_REQUIRE_SAMPLES") == "1":
        pytest.fail(reason + " (PQTRACK_REQUIRE_SAMPLES=1)")
    pytest.skip(reason)
