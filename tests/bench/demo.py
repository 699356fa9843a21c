"""Writes the demo data shipped in data/: a synthetic corpus and the same corpus a month later.

    python tests/bench/demo.py          # rewrites data/demo.jsonl.gz and data/demo-later.jsonl.gz

The later file changes a few questions the way the real API does (API.md §8): holding answers
become substantive, answers are corrected, open questions are transferred and reworded, others
are answered or withdrawn. Every sentence is made up.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.bench.generate import generate

DATA = Path(__file__).resolve().parents[2] / "data"
N, SEED = 3000, 11


def later(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus a month on: every value, a handful of them changed."""
    out = copy.deepcopy(values)
    holding = [v for v in out if v.get("answerIsHolding")][:3]
    answered = [
        v
        for v in out
        if v.get("answerText")
        and not v.get("answerIsHolding")
        and not v.get("answerIsCorrection")
        and v["house"] == "Commons"
    ][:3]
    open_ = [v for v in out if not v.get("answerText") and not v.get("isWithdrawn")]
    for v in holding:
        v.update(
            answerIsHolding=False,
            dateAnswered=_later(v["dateAnswered"], 9),
            answerText="<p>I thank the hon. Member for waiting. The Department has now "
            "published its review, and the figures requested are in the table below.</p>"
            "<table><tr><td>Year</td><td>Number</td></tr><tr><td>2024</td><td>1,204</td>"
            "</tr><tr><td>2025</td><td>1,388</td></tr></table>",
        )
    for v in answered:
        old = v["answerText"]
        v.update(
            answerIsCorrection=True,
            dateAnswerCorrected=_later(v["dateAnswered"], 6),
            correctingMemberId=v.get("answeringMemberId"),
            originalAnswerText=old,
            answerText=old.replace("</p>", " This figure was revised on 1 April.</p>", 1),
        )
    for v in open_[:2]:
        v.update(
            answeringBodyId=53,
            answeringBodyName="Cabinet Office",
            questionText=v["questionText"].replace(
                "To ask the", "To ask the Minister for the Cabinet Office, on behalf of the", 1
            ),
        )
    for v in open_[2:4]:
        v.update(
            answerIsHolding=False,
            answerIsCorrection=False,
            answeringMemberId=4001,
            dateAnswered=_later(v["dateTabled"], 7),
            heading=v.get("heading") or "Housing",
            answerText="<p>The Government will set out its plans in the spring.</p>",
        )
    open_[4]["isWithdrawn"] = True
    return out


def _later(day: str, days: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day[:10]) + timedelta(days=days)).isoformat() + "T00:00:00"


def write(path: Path, values: Iterable[dict[str, Any]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for value in values:
            out.write(json.dumps(value, ensure_ascii=False) + "\n")


def main() -> None:
    values = list(generate(N, SEED))
    write(DATA / "demo.jsonl.gz", values)
    write(DATA / "demo-later.jsonl.gz", later(values))


if __name__ == "__main__":
    main()
