"""Building test data: question values as the API sends them, an in-memory store, files.

`question(...)` is the one question builder: a full single-endpoint value with every field,
made up, with any field overridden by name. `list_item(value)` is the list endpoint's view of
it, made with pqtrack's own list renderings (`list_question`/`list_answer`). `statement(...)`
is the one written statement builder, `statement_list_item(value)` its list view.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqtrack.question import list_answer, list_question
from pqtrack.statement import list_text
from pqtrack.store import Store

Value = dict[str, Any]


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


def question(
    id: int = 1,
    *,
    answered: str | None = None,
    corrected: str | None = None,
    holding: str | None = None,
    **fields: Any,
) -> Value:
    """A made-up Commons question as the single endpoint sends it, unanswered unless told.

    `answered="2025-03-07"` answers it (a substantive answer), `holding=...` gives it a holding
    answer that day instead, `corrected=...` corrects the answer that day; any field named in
    `fields` then overrides what those set.
    """
    value: Value = {
        "id": id,
        "askingMemberId": 4000 + id % 50,
        "askingMember": None,
        "house": "Commons",
        "memberHasInterest": False,
        "dateTabled": "2025-03-03T00:00:00",
        "dateForAnswer": "2025-03-10T00:00:00",
        "uin": str(id % 100000),
        "questionText": f"To ask the Secretary of State for Health, question {id}.",
        "answeringBodyId": 17,
        "answeringBodyName": "Department of Health and Social Care",
        "isWithdrawn": False,
        "isNamedDay": False,
        "groupedQuestions": [],
        "answerIsHolding": None,
        "answerIsCorrection": None,
        "answeringMemberId": None,
        "answeringMember": None,
        "correctingMemberId": None,
        "correctingMember": None,
        "dateAnswered": None,
        "answerText": None,
        "originalAnswerText": "",
        "comparableAnswerText": "",
        "dateAnswerCorrected": None,
        "dateHoldingAnswer": None,
        "attachmentCount": 0,
        "heading": None,
        "attachments": [],
        "groupedQuestionsDates": [],
    }
    if answered or holding:
        value.update(
            answerIsHolding=bool(holding),
            answerIsCorrection=bool(corrected),
            answeringMemberId=5000,
            dateAnswered=f"{answered or holding}T00:00:00",
            answerText=f"<p>Answer to question {id}.</p>",
            heading="Health: Question",
        )
    if holding:
        value.update(
            dateHoldingAnswer=f"{holding}T00:00:00",
            answerText="<p>It will not be possible to answer this question within the usual "
            "time.</p>",
        )
    if corrected:
        value.update(
            correctingMemberId=5000,
            dateAnswerCorrected=f"{corrected}T00:00:00",
            originalAnswerText=f"<p>First answer to question {id}.</p>",
            comparableAnswerText=f'<p><ins class="ministerial">{id}</ins></p>',
        )
    value.update(fields)
    return value


def list_item(value: Value, grouping: Sequence[tuple[str, str]] = ()) -> Value:
    """What the list endpoint shows of a single value (API.md §6): texts cut by `list_question`
    and `list_answer`, the detail-only texts empty, and the grouping (uin, dateTabled) that only
    lists show."""
    return {
        **value,
        "questionText": list_question(value["questionText"]),
        "answerText": list_answer(value["answerText"]),
        "originalAnswerText": "",
        "comparableAnswerText": "",
        "groupedQuestions": [uin for uin, _ in grouping],
        "groupedQuestionsDates": [{"questionUin": u, "dateTabled": d} for u, d in grouping],
    }


def statement(
    id: int = 1,
    *,
    uin: str | None = None,
    made: str = "2025-03-04",
    text: str | None = None,
    links: Sequence[tuple[int, str, str]] = (),
    attachments: Sequence[Value] = (),
    **fields: Any,
) -> Value:
    """A made-up Commons written statement as the single endpoint sends it (HTML text well
    over 255 characters unless `text` is given); `links` are (id, link type, day) and any
    field named in `fields` overrides what the builder set."""
    body = text or (
        f"<p>Today I am announcing the outcome of review {id} of the department's funding.</p>"
        "<p>The review considered every region and heard from councils, charities and the "
        "public over twelve weeks; its findings will be placed in the Library of the House "
        "and published online, together with the evidence received and the department's "
        "full response to each recommendation.</p>"
    )
    value: Value = {
        "id": id,
        "memberId": 6000 + id % 50,
        "member": None,
        "memberRole": "Minister of State",
        "uin": uin or f"HCWS{id % 100000}",
        "dateMade": f"{made}T00:00:00",
        "answeringBodyId": 1,
        "answeringBodyName": "Home Office",
        "title": f"Statement {id}",
        "text": body,
        "house": "Commons",
        "noticeNumber": 1,
        "hasAttachments": bool(attachments),
        "hasLinkedStatements": bool(links),
        "linkedStatements": [
            {"linkedStatementId": i, "linkType": t, "linkDate": f"{d}T00:00:00"}
            for i, t, d in links
        ],
        "attachments": list(attachments),
    }
    value.update(fields)
    return value


def statement_list_item(value: Value) -> Value:
    """What the statements list shows of a single value (API.md §5.3): the text de-HTMLed and
    cut to 255 characters plus "...", linkedStatements [] with links and null without, no
    attachments."""
    return {
        **value,
        "text": list_text(value["text"]),
        "linkedStatements": [] if value.get("linkedStatements") else None,
        "attachments": [],
    }


def attachment(title: str = "Impact assessment", size: int = 248_832, kind: str = "pdf") -> Value:
    """An attachment as a detail record lists it."""
    return {
        "url": f"https://example.org/files/{title.lower().replace(' ', '-')}.{kind}",
        "title": title,
        "fileType": kind,
        "fileSizeBytes": size,
    }


def with_migration(path: Path, migration_set: str, name: str) -> Path:
    """A pqtrack database on which a migration named `name` of `migration_set` was applied
    too: this pqtrack's own set for one from a newer pqtrack, another for another tool's."""
    Store.open(path).close()
    db = Database(path)
    db.table("_sqlite_migrations").insert(
        {"migration_set": migration_set, "name": name, "applied_at": "2030-01-01"}
    )
    db.close()
    return path


def from_a_newer_pqtrack(path: Path) -> Path:
    """A pqtrack database with a migration this pqtrack does not know, as a newer one leaves."""
    return with_migration(path, "pqtrack", "m999_from_the_future")
