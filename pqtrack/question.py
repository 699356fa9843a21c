"""The written question, typed once: the API value checked and parsed into a `Question`.

The API's camelCase value is checked (`validate`) where it enters, and parsed (`parse`) into a
frozen `Question` whose field names are the `questions` table's columns and the public record's
fields. `FIELDS` is that one table. The raw value stays only as the stored version's JSON.

The list endpoint shows a partial view of a question (texts cut, answers de-HTMLed, fields
only the single endpoint fills left empty): the rules for recognising that view live here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pqtrack.record import (
    Value,
    check_attachments,
    has_tag,
    is_day,
    is_int,
    keyed,
    parse_date,
    plain_text,
    strip_tags,
)

LIST_CUT = 255  # the list endpoint cuts questionText and de-HTMLed answerText at 255 chars


class Status(StrEnum):
    """Where a question stands, derived once from its flags when it is parsed."""

    unanswered = "unanswered"
    holding = "holding"
    answered = "answered"
    corrected = "corrected"
    withdrawn = "withdrawn"


class EventKind(StrEnum):
    """What can happen to a question between two observations (the change feed's `event`)."""

    tabled = "tabled"
    holding = "holding"
    answered = "answered"
    substantive = "substantive"
    corrected = "corrected"
    transferred = "transferred"
    reworded = "reworded"
    heading = "heading"
    withdrawn = "withdrawn"
    statement = "statement"  # a written statement corrects its answer (not from its versions)


STATUSES = tuple(Status)
EVENTS = tuple(EventKind)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a question: its name everywhere after parsing, the API key it comes from
    (None: derived), and its kind, which says how the API value is checked and read."""

    name: str
    api: str | None
    kind: str  # how it is read and checked: one of _READ's keys


# The questions table's columns, in order; a Question's fields; the public record's facts.
FIELDS: tuple[Field, ...] = (
    Field("id", "id", "int"),
    Field("uin", "uin", "text"),
    Field("house", "house", "text"),
    Field("date_tabled", "dateTabled", "date"),
    Field("date_for_answer", "dateForAnswer", "date"),
    Field("is_named_day", "isNamedDay", "bool"),
    Field("asking_member_id", "askingMemberId", "int"),
    Field("member_has_interest", "memberHasInterest", "bool"),
    Field("heading", "heading", "text"),
    Field("question_text", "questionText", "body"),
    Field("answering_body_id", "answeringBodyId", "int"),
    Field("answering_body_name", "answeringBodyName", "text"),
    Field("answering_member_id", "answeringMemberId", "int"),
    Field("correcting_member_id", "correctingMemberId", "int"),
    Field("date_answered", "dateAnswered", "date"),
    Field("date_holding_answer", "dateHoldingAnswer", "date"),
    Field("date_answer_corrected", "dateAnswerCorrected", "date"),
    Field("answer_is_holding", "answerIsHolding", "flag"),
    Field("answer_is_correction", "answerIsCorrection", "flag"),
    Field("is_withdrawn", "isWithdrawn", "bool"),
    Field("status", None, "text"),
    Field("is_prorogation_answer", None, "bool"),
    Field("answer_text", "answerText", "html"),
    Field("original_answer_text", "originalAnswerText", "html"),
    Field("grouped_uins", "groupedQuestions", "list"),
    Field("attachment_count", "attachmentCount", "count"),
)
COLUMNS = tuple(f.name for f in FIELDS)

# Fields that say which answer the question currently carries. If any of them differs between two
# observations, the answer may have changed beyond the 255 characters a list item shows.
ANSWER_IDENTITY = (
    "dateAnswered",
    "answerIsHolding",
    "answerIsCorrection",
    "dateAnswerCorrected",
    "answeringMemberId",
    "correctingMemberId",
)
# Expanded member objects describe people, not the question; they are kept in `members`.
MEMBER_OBJECTS = ("askingMember", "answeringMember", "correctingMember")
# Fields only the single-question endpoint fills; a list item's copy of them carries no news.
DETAIL_ONLY = ("originalAnswerText", "comparableAnswerText", "attachments", "attachmentCount")
GROUPING = ("groupedQuestions", "groupedQuestionsDates")
# Every top-level field pqtrack knows; others are kept, and `import` names them.
KNOWN_FIELDS = frozenset(
    {f.api for f in FIELDS if f.api}
    | {"comparableAnswerText", "attachments", "groupedQuestionsDates"}
    | set(MEMBER_OBJECTS)
)


@dataclass(frozen=True, slots=True)
class Question:
    """A question as one observation shows it. Texts are plain text; dates are days."""

    id: int
    uin: str | None
    house: str | None
    date_tabled: str | None
    date_for_answer: str | None
    is_named_day: bool
    asking_member_id: int | None
    member_has_interest: bool
    heading: str | None
    question_text: str
    answering_body_id: int | None
    answering_body_name: str | None
    answering_member_id: int | None
    correcting_member_id: int | None
    date_answered: str | None
    date_holding_answer: str | None
    date_answer_corrected: str | None
    answer_is_holding: bool | None
    answer_is_correction: bool | None
    is_withdrawn: bool
    status: Status
    is_prorogation_answer: bool
    answer_text: str | None
    original_answer_text: str | None
    grouped_uins: tuple[str, ...]
    attachment_count: int
    has_answer: bool  # the API shows an answer (text or date): not stored, derived from both

    def row(self) -> dict[str, Any]:
        """The `questions` columns (bookkeeping columns are added by the store)."""
        row = {name: getattr(self, name) for name in COLUMNS}
        row["grouped_uins"] = json.dumps(list(self.grouped_uins))
        return row

    @property
    def holding_on(self) -> str | None:
        """The day of its holding answer (the API may give only the answer date)."""
        return self.date_holding_answer or self.date_answered

    @property
    def answering_body(self) -> str | int | None:
        """The answering body's name, or its id when the name is missing."""
        return self.answering_body_name or self.answering_body_id

    @property
    def url(self) -> str | None:
        return official_url(self.date_tabled, self.uin)


def parse(value: Mapping[str, Any]) -> Question:
    """A checked API value (list or single form) -> the typed Question it describes."""
    fields = {name: read(value.get(api)) for name, api, read in _FROM_API}
    return Question(
        **fields,
        status=status_of(value),
        is_prorogation_answer=is_prorogation_answer(fields["answer_text"]),
        has_answer=bool(value.get("answerText") or value.get("dateAnswered")),
    )


# How each kind of field is read from the API value (None when the API sends none).
_READ: dict[str, Callable[[Any], Any]] = {
    "int": lambda v: v,
    "count": lambda v: v or 0,
    "text": lambda v: v,
    "body": lambda v: v or "",  # a text the record always has, empty when the API sends none
    "date": parse_date,
    "bool": bool,
    "flag": lambda v: v,  # true, false, or None while not yet known
    "html": lambda v: plain_text(v) or None,
    "list": lambda v: tuple(str(u) for u in v or ()),
}
_FROM_API = tuple((f.name, f.api, _READ[f.kind]) for f in FIELDS if f.api is not None)


def status_of(value: Mapping[str, Any]) -> Status:
    """The status an API value shows: withdrawn, unanswered, holding, corrected or answered."""
    if value.get("isWithdrawn"):
        return Status.withdrawn
    if not value.get("answerText") and not value.get("dateAnswered"):
        return Status.unanswered
    if value.get("answerIsHolding"):
        return Status.holding
    if value.get("answerIsCorrection"):
        return Status.corrected
    return Status.answered


_PROROGATION = re.compile(
    r"not\s+(?:proved|been|be)\s+possible\s+to\s+(?:respond|answer|reply)"
    r"[^\n]{0,160}?\bbefore\s+(?:the\s+)?(?:prorogation|dissolution)",
    re.IGNORECASE,
)


def is_prorogation_answer(answer_text: str | None) -> bool:
    """The formula answer given to questions still open when Parliament is prorogued."""
    return bool(answer_text) and bool(_PROROGATION.search(answer_text or ""))


def official_url(date_tabled: str | None, uin: str | None) -> str | None:
    if not date_tabled or not uin:
        return None
    return (
        "https://questions-statements.parliament.uk/written-questions/detail/"
        f"{date_tabled[:10]}/{uin}"
    )


# -- the list endpoint's view ------------------------------------------------------------------


def list_answer(answer: str | None) -> str | None:
    """The list endpoint's rendering of a full answer: tags removed, cut to 255 + '...'."""
    if answer is None:
        return None
    bare = strip_tags(answer)
    return bare[:LIST_CUT] + "..." if len(bare) > LIST_CUT else bare


def list_question(question: str | None) -> str | None:
    """The list endpoint's rendering of a question: its first 255 characters, no marker."""
    return None if question is None else question[:LIST_CUT]


def is_list_answer(answer: str | None) -> bool:
    """True when an answer is in the list endpoint's de-HTMLed form (single answers are HTML)."""
    return bool(answer) and not has_tag(answer or "")


def answer_is_cut(answer: str | None) -> bool:
    """A list answer cut by the API: 258 characters ending in '...'."""
    return (
        answer is not None
        and len(answer) == LIST_CUT + 3
        and answer.endswith("...")
        and is_list_answer(answer)
    )


def question_is_cut(question: str | None) -> bool:
    """A list question may be cut: exactly 255 characters (a real 255 is ambiguous, so fetch)."""
    return question is not None and len(question) == LIST_CUT


def list_view(value: Mapping[str, Any]) -> Value:
    """What a list item would show of a value: used to tell a real change from a shorter text."""
    view = {
        k: v
        for k, v in value.items()
        if k not in MEMBER_OBJECTS and k not in DETAIL_ONLY and k not in GROUPING and k != "links"
    }
    view["questionText"] = list_question(value.get("questionText"))
    answer = value.get("answerText")
    view["answerText"] = answer if is_list_answer(answer) else list_answer(answer)
    return view


_NOT_CONTENT = frozenset((*MEMBER_OBJECTS, "links"))


def content(value: Mapping[str, Any]) -> Value:
    """The part of a value that defines a version: everything but member objects and links."""
    return {k: v for k, v in value.items() if k not in _NOT_CONTENT}


# -- checking what arrives ---------------------------------------------------------------------

_MEMBER_TEXT = ("name", "listAs", "party", "partyAbbreviation", "partyColour", "memberFrom")
# The type every field pqtrack reads must have when it is not null: a Python type checked
# exactly, or a kind with a rule of its own.
_TYPES: dict[str, type] = {
    **{f.api: str for f in FIELDS if f.api and f.kind in ("text", "body", "html")},
    "comparableAnswerText": str,
    **{f.api: bool for f in FIELDS if f.api and f.kind in ("bool", "flag")},
    **dict.fromkeys(GROUPING, list),
}
_RULES: dict[str, str] = {
    **{f.api: "an integer" for f in FIELDS if f.api and f.kind in ("int", "count")},
    **{f.api: "a date" for f in FIELDS if f.api and f.kind == "date"},
    **dict.fromkeys(MEMBER_OBJECTS, "a member with an integer id"),
}
_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list"}


def _follows(rule: str, v: Any) -> bool:
    if rule == "a date":
        return type(v) is str and is_day(v)
    if rule == "an integer":
        return is_int(v)
    if type(v) is not dict or not is_int(v.get("id")):
        return False
    for field in _MEMBER_TEXT:
        text = v.get(field)
        if text is not None and type(text) is not str:
            return False
    return True


def validate(raw: Any) -> Value:
    """Check that a value is a question we can key and store; raise ValueError if not.

    Every field pqtrack reads must have the API's type (or be null), so that nothing a server
    or a file can send reaches the store as something it cannot hold. (One pass over the
    value: this runs for every record imported.)
    """
    value, qid = keyed(raw, "question")
    for key, v in value.items():
        if v is None:
            continue
        expected = _TYPES.get(key)
        if expected is not None:
            if type(v) is not expected:
                raise ValueError(f"question {qid}: {key} is not {_TYPE_NAMES[expected]}")
        elif (rule := _RULES.get(key)) is not None and not _follows(rule, v):
            raise ValueError(f"question {qid}: {key} is not {rule}: {str(v)[:40]!r}")
    check_attachments(value.get("attachments"), f"question {qid}")
    return value


def members_of(value: Mapping[str, Any]) -> list[Value]:
    """The expanded member objects a value carries (asking, answering, correcting)."""
    found = []
    for key in MEMBER_OBJECTS:
        member = value.get(key)
        if isinstance(member, dict) and isinstance(member.get("id"), int):
            found.append(member)
    return found


def body_of(value: Mapping[str, Any]) -> tuple[int, str] | None:
    """The answering body's (id, name), when a value names both."""
    body_id, name = value.get("answeringBodyId"), value.get("answeringBodyName")
    return (body_id, name) if isinstance(body_id, int) and name else None
