"""The API-shaped data the tests read: our own fixtures, and the shared real samples if present.

Our own fixtures live in ``tests/data/api`` (written by ``tests/data/make_api.py``): single and
list envelopes and timelines in the real API's field names and shapes, every text made up. Every
test that needs API data runs on them.

The shared real samples are not part of the repository. Tests that read them are extra checks,
marked ``@pytest.mark.samples``: without the samples they are deselected and one test,
``test_samples.py::test_the_shared_samples_are_here``, skips and says how many were left out;
with ``PQTRACK_REQUIRE_SAMPLES=1`` (set in CI, where the samples are mounted) it fails instead.
``require_samples()`` returns their folder (or skips/fails the same way).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api-samples"
OWN = Path(__file__).resolve().parent / "data" / "api"
REASON = f"shared API samples not found at {SAMPLES}"
LEFT_OUT = pytest.StashKey[int]()
"""How many tests marked `samples` were deselected because the samples are missing."""


def have_samples() -> bool:
    return SAMPLES.is_dir()


def require_samples() -> Path:
    if SAMPLES.is_dir():
        return SAMPLES
    if os.environ.get("PQTRACK_REQUIRE_SAMPLES") == "1":
        pytest.fail(REASON + " (PQTRACK_REQUIRE_SAMPLES=1)")
    pytest.skip(REASON)


def detail_files() -> list[Path]:
    """Every single-question sample: the March 2025 set and the corrected ones."""
    root = require_samples()
    return sorted((root / "detail_2025-03").glob("*.json")) + sorted(
        root.glob("question_*_detail*.json")
    )


def list_files() -> list[Path]:
    """The list-endpoint samples (truncated texts)."""
    return sorted(require_samples().glob("list_*.json"))


def own_detail_files() -> list[Path]:
    """Our own single envelopes, one per question."""
    return sorted((OWN / "details").glob("*.json"))


def own_list_files() -> list[Path]:
    """Our own list envelopes (texts cut as the list endpoint cuts them, grouping shown)."""
    return sorted((OWN / "lists").glob("*.json"))


def own_timeline_folders() -> list[Path]:
    return sorted(p for p in (OWN / "timelines").iterdir() if p.is_dir())


def shared_timeline_folders() -> list[Path]:
    return sorted(p for p in (require_samples() / "timelines").iterdir() if p.is_dir())


def all_timeline_folders() -> list[Path]:
    """Our own timelines, then the shared ones when present."""
    return own_timeline_folders() + (shared_timeline_folders() if have_samples() else [])


def own_value(qid: int) -> dict[str, Any]:
    """One of our own questions, as its single response carries it."""
    path = OWN / "details" / f"question_{qid}.json"
    return json.loads(path.read_text(encoding="utf-8"))["value"]


def timeline(folder: str | Path) -> list[dict[str, Any]]:
    """One question's list items on successive days, oldest first (files sort by date).

    `folder` is a path, or the name of one of our own timelines, or of a shared one (those
    start with "q<id>_"; reading one skips or fails the test when the samples are missing).
    """
    if isinstance(folder, Path):
        path = folder
    elif (OWN / "timelines" / folder).is_dir():
        path = OWN / "timelines" / folder
    else:
        path = require_samples() / "timelines" / folder
    files = sorted(path.glob("*.json"))
    assert files, f"no snapshots in {path}"
    return [json.loads(f.read_text(encoding="utf-8"))["value"] for f in files]


def detail_value(path: Path) -> dict[str, Any]:
    """The value of one single-question envelope."""
    value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["value"]
    return value


def all_detail_files() -> list[Path]:
    """Our own single envelopes, then the shared ones when present."""
    return own_detail_files() + (detail_files() if have_samples() else [])


def all_list_files() -> list[Path]:
    """Our own list envelopes, then the shared ones when present."""
    return own_list_files() + (list_files() if have_samples() else [])


def uncorrected(corrected: dict[str, Any]) -> dict[str, Any]:
    """A corrected value's state before the correction: the original text, no correction."""
    return {
        **corrected,
        "answerText": corrected["originalAnswerText"],
        "answerIsCorrection": False,
        "dateAnswerCorrected": None,
        "correctingMemberId": None,
        "originalAnswerText": "",
        "comparableAnswerText": "",
    }


def shared(*values: Any) -> list[Any]:
    """Parameters for the shared samples, marked `samples`: none when the samples are missing.

    A test parametrised over our own fixtures plus ``*shared(...)`` runs on ours everywhere and
    on the real samples as an extra check where they are present (a tuple is several arguments).
    """
    if not have_samples():
        return []
    return [
        pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=pytest.mark.samples)
        for v in values
    ]


SOURCES = ["own", *shared("shared")]
"""Parametrise a test over our own fixtures and, as an extra check, the shared samples."""


def detail_files_from(source: str) -> list[Path]:
    """The single envelopes of one source: "own" or "shared"."""
    return own_detail_files() if source == "own" else detail_files()


def detail_path(name: str) -> Path:
    """A single response's file by name: ours (tests/data/api/details) or a shared one."""
    own = OWN / "details" / name
    if own.exists():
        return own
    root = require_samples()
    path = root / "detail_2025-03" / name
    return path if path.exists() else root / name


def detail(name: str) -> dict[str, Any]:
    """A single response's value by file name: ours or a shared one."""
    return detail_value(detail_path(name))
