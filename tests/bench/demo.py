"""Writes the demo data shipped in data/: a synthetic corpus and the same corpus a month later,
and a few written statements (one correcting an answer of the corpus) and the same a week on.

    python tests/bench/demo.py          # rewrites data/demo*.jsonl.gz

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


_MINISTERS = {
    7301: ("Dana Whitlock", "Whitlock, Dana", "Labour", "Lab", "Ashcombe"),
    7302: ("Baroness Lindqvist", "Lindqvist, Baroness", "Labour", "Lab", "Life peer"),
}
_VANS = (
    "<p>Live facial recognition vans will be deployed by seven police forces from April, "
    "following the pilot in two regions last year.</p><p>Each van will carry clear signage, "
    "and watchlists will be limited to people wanted for serious offences or subject to court "
    "orders. The College of Policing will publish guidance on deployments, and forces will "
    "report every deployment to the Home Office within a month of it.</p>"
)


def _statement(sid: int, uin: str, made: str, member: int, body: tuple[int, str], title: str,
               text: str, **fields: Any) -> dict[str, Any]:  # fmt: skip
    name, list_as, party, abbr, seat = _MINISTERS[member]
    lords = uin.startswith("HL")
    value = {
        "id": sid,
        "memberId": member,
        "member": {
            "id": member,
            "listAs": list_as,
            "name": name,
            "party": party,
            "partyColour": "d50000",
            "partyAbbreviation": abbr,
            "memberFrom": seat,
            "thumbnailUrl": None,
        },  # fmt: skip
        "memberRole": "Minister of State" if not lords else "Parliamentary Under-Secretary",
        "uin": uin,
        "dateMade": f"{made}T00:00:00",
        "answeringBodyId": body[0],
        "answeringBodyName": body[1],
        "title": title,
        "text": text,
        "house": "Lords" if lords else "Commons",
        "noticeNumber": 0 if lords else 1,
        "hasAttachments": False,
        "hasLinkedStatements": False,
        "linkedStatements": [],
        "attachments": [],
    }
    value.update(fields)
    value["hasAttachments"] = bool(value["attachments"])
    value["hasLinkedStatements"] = bool(value["linkedStatements"])
    return value


def statements(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Four written statements: live facial recognition vans (with an attachment), its update
    correcting it, the same update repeated in the Lords, and a correction of the written
    answer to the corpus's last answered Lords question (named by its UIN in the text)."""
    corrected = [
        v for v in values
        if v["house"] == "Lords" and v.get("answerText") and not v.get("answerIsHolding")
        and not v.get("answerIsCorrection")
    ][-1]  # fmt: skip
    answered = corrected["dateAnswered"][:10]
    home = (1, "Home Office")
    return [
        _statement(
            1290001,
            "HCWS101",
            "2026-03-19",
            7301,
            home,
            "Live Facial Recognition Vans",
            _VANS,
            attachments=[
                {
                    "url": "https://example.org/demo/lfr-deployments.pdf",
                    "title": "Planned deployments by force",
                    "fileType": "pdf",
                    "fileSizeBytes": 1_258_291,
                }
            ],
        ),  # fmt: skip
        _statement(
            1290002,
            "HLWS102",
            _later(answered, 5)[:10],
            7302,
            (corrected["answeringBodyId"], corrected["answeringBodyName"]),
            f"Correction to a Written Answer: {corrected.get('heading') or 'Written Answer'}",
            f"<p>In my Written Answer of {_long(answered)} ({corrected['uin']}) I gave the "
            "number of prosecutions for the last year as 1,240. It should have said 1,420. I "
            "apologise to the noble Lord for the error.</p>",
        ),  # fmt: skip
        _statement(
            1290003,
            "HCWS103",
            "2026-03-24",
            7301,
            home,
            "Live Facial Recognition Vans: Update",
            "<p>My statement of 19 March said that vans would be deployed by seven forces. "
            "Two further forces have since joined: nine forces will deploy them.</p>",
            linkedStatements=[
                {
                    "linkedStatementId": 1290001,
                    "linkType": "CorrectedStatement",
                    "linkDate": "2026-03-19T00:00:00",
                }
            ],
        ),  # fmt: skip
        _statement(
            1290004,
            "HLWS104",
            "2026-03-24",
            7302,
            home,
            "Live Facial Recognition Vans: Update",
            "<p>My right honourable friend the Minister of State has today made the following "
            "statement: two further forces will deploy live facial recognition vans.</p>",
            linkedStatements=[
                {
                    "linkedStatementId": 1290003,
                    "linkType": "JointStatement",
                    "linkDate": "2026-03-24T00:00:00",
                }
            ],
        ),  # fmt: skip
    ]


def statements_later(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements a week on: the first one republished with its figure corrected."""
    out = copy.deepcopy(values)
    out[0]["text"] = out[0]["text"].replace("by seven police forces", "by nine police forces")
    return out


def _long(day: str) -> str:
    from datetime import date

    d = date.fromisoformat(day)
    return f"{d.day} {d:%B}"


def main() -> None:
    values = list(generate(N, SEED))
    write(DATA / "demo.jsonl.gz", values)
    write(DATA / "demo-later.jsonl.gz", later(values))
    made = statements(values)
    write(DATA / "demo-statements.jsonl.gz", made)
    write(DATA / "demo-statements-later.jsonl.gz", statements_later(made))


if __name__ == "__main__":
    main()
