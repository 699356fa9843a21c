"""Where the shared real API samples live, for tests that read them at test time.

The samples are not part of the repository. ``require_samples()`` returns their folder, or
skips the calling test with a clear reason when the folder is missing; with
``PQTRACK_REQUIRE_SAMPLES=1`` (set in CI where the samples are mounted) it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api-samples"


def require_samples() -> Path:
    if SAMPLES.is_dir():
        return SAMPLES
    reason = f"shared API samples not found at {SAMPLES}"
    if os.environ.get("PQTRACK_REQUIRE_SAMPLES") == "1":
        pytest.fail(reason + " (PQTRACK_REQUIRE_SAMPLES=1)")
    pytest.skip(reason)


def detail_files() -> list[Path]:
    """Every single-question sample: the March 2025 set and the corrected ones."""
    root = require_samples()
    return sorted((root / "detail_2025-03").glob("*.json")) + sorted(
        root.glob("question_*_detail*.json")
    )


def list_files() -> list[Path]:
    """The list-endpoint samples (truncated texts)."""
    return sorted(require_samples().glob("list_*.json"))


def uncorrected(corrected: dict[str, Any]) -> dict[str, Any]:
    """A corrected sample's state before the correction: the original text, no correction."""
    return {
        **corrected,
        "answerText": corrected["originalAnswerText"],
        "answerIsCorrection": False,
        "dateAnswerCorrected": None,
        "correctingMemberId": None,
        "originalAnswerText": "",
        "comparableAnswerText": "",
    }
