"""Pure transforms of API values: dates, HTML to text, status, list truncation, content hashing.

Nothing here touches the network or the database. The merge rules that decide whether an
incoming value is a new version live in `merge.py`; this module supplies the pieces.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeGuard

import orjson

Value = dict[str, Any]

LIST_CUT = 255  # the list endpoint cuts questionText and de-HTMLed answerText at 255 chars
HASH_ALGORITHM = "sha256"

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

STATUSES = ("unanswered", "holding", "answered", "corrected", "withdrawn")
EVENTS = (
    "tabled",
    "holding",
    "answered",
    "substantive",
    "corrected",
    "transferred",
    "reworded",
    "heading",
    "withdrawn",
)

_TAG = re.compile(r"<[^>]*>")
_HAS_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z][a-zA-Z0-9]*)(?:\s[^>]*)?/?>")
# A tag (closing?, name), text, or something dropped: a comment, <!DOCTYPE ...>, <?xml ...?>.
_TOKEN = re.compile(r"<!--.*?-->|<[!?][^>]*>|<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?>|([^<]+|<)", re.S)
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_STRUCTURE = re.compile(r"<(?:table|tr|td|th|li|ul|ol)\b", re.IGNORECASE)
_BREAK = re.compile(r"</?(?:p|div|br|h[1-6]|blockquote|pre|hr)\b[^>]*>", re.IGNORECASE)
_BLOCK = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 blockquote ul ol li table thead tbody tfoot tr pre hr".split()
)
_PROROGATION = re.compile(
    r"not\s+(?:proved|been|be)\s+possible\s+to\s+(?:respond|answer|reply)"
    r"[^\n]{0,160}?\bbefore\s+(?:the\s+)?(?:prorogation|dissolution)",
    re.IGNORECASE,
)


def parse_date(text: str | None) -> str | None:
    """'2025-03-06T00:00:00' -> '2025-03-06'; None and '' stay None."""
    if not text:
        return None
    return str(text)[:10]


def html_to_text(markup: str | None) -> str:
    """Readable plain text from an answer's HTML.

    Paragraphs become blank-line breaks, table rows become `cell | cell` lines, list items get a
    dash, entities are decoded and links keep their text. Empty spacer paragraphs disappear.
    """
    if not markup:
        return ""
    if not _STRUCTURE.search(markup):  # most answers: paragraphs and inline tags only, fast path
        text = _TAG.sub("", _BREAK.sub("\x00", markup))
        if "&" in text:
            text = html.unescape(text)
        return "\n\n".join(p for p in (" ".join(part.split()) for part in text.split("\x00")) if p)
    blocks: list[str] = []
    line: list[str] = []
    rows: list[str] = []  # rows of the table being read, printed as one block
    row: list[str] | None = None
    cell: list[str] = []
    in_cell = False

    def flush_line() -> None:
        text = _SPACE.sub(" ", "".join(line)).strip()
        line.clear()
        if text:
            blocks.append(text)

    for match in _TOKEN.finditer(markup):
        closing, tag, text = match.groups()
        if text is not None:
            (cell if in_cell else line).append(html.unescape(text))
            continue
        if tag is None:  # a comment or declaration
            continue
        tag = tag.lower()
        if tag == "tr":
            if not closing:
                flush_line()
                row = []
            elif row is not None:
                if any(row):
                    rows.append(" | ".join(row))
                row = None
        elif tag == "table" and closing:
            if rows:
                blocks.append("\n".join(rows))
            rows = []
        elif tag in ("td", "th"):
            if not closing:
                in_cell, cell = True, []
            else:
                if row is not None:
                    row.append(_SPACE.sub(" ", "".join(cell)).strip())
                in_cell = False
        elif in_cell:
            if tag in _BLOCK:  # a paragraph or break inside a cell; inline tags join words
                cell.append(" ")
        elif tag == "li" and not closing:
            flush_line()
            line.append("- ")
        elif tag in _BLOCK:
            flush_line()
    flush_line()
    if rows:
        blocks.append("\n".join(rows))
    return "\n\n".join(b for b in blocks if b.strip("- "))


def plain_answer(answer: str | None) -> str:
    """Plain text of an answer in either form: HTML (single endpoint) or de-HTMLed (list)."""
    if not answer:
        return ""
    if _HAS_TAG.search(answer):
        return html_to_text(answer)
    return _SPACE.sub(" ", html.unescape(answer)).strip()


def list_answer(answer: str | None) -> str | None:
    """The list endpoint's rendering of a full answer: tags removed, cut to 255 + '...'."""
    if answer is None:
        return None
    bare = _TAG.sub("", answer)
    return bare[:LIST_CUT] + "..." if len(bare) > LIST_CUT else bare


def list_question(question: str | None) -> str | None:
    """The list endpoint's rendering of a question: its first 255 characters, no marker."""
    return None if question is None else question[:LIST_CUT]


def is_list_answer(answer: str | None) -> bool:
    """True when an answer is in the list endpoint's de-HTMLed form (single answers are HTML)."""
    return bool(answer) and not _HAS_TAG.search(answer or "")


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


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the text a version's hash is taken of."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # an integer beyond 64 bits in an unknown field: the same text, slower
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """Parse JSON quickly with orjson; what it refuses (lone surrogates, NaN) falls back to the
    standard library, so the same documents are accepted. (orjson reads an integer beyond 64
    bits as a float, which `validate` rejects wherever pqtrack reads a number.)"""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def content_hash(value: Mapping[str, Any]) -> str:
    """Algorithm-tagged hash of a value's content, stable under key order."""
    return hash_json(canonical_json(content(value)))


def hash_json(canonical: str) -> str:
    """Algorithm-tagged hash of canonical JSON text."""
    return f"{HASH_ALGORITHM}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def snake(name: str) -> str:
    """camelCase API field -> snake_case column name ('answeringBodyId' -> 'answering_body_id')."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Snake-case names of the content fields that differ, sorted."""
    a, b = content(old), content(new)
    return sorted(snake(k) for k in set(a) | set(b) if a.get(k) != b.get(k))


def derive_status(value: Mapping[str, Any]) -> str:
    if value.get("isWithdrawn"):
        return "withdrawn"
    if not value.get("answerText") and not value.get("dateAnswered"):
        return "unanswered"
    if value.get("answerIsHolding"):
        return "holding"
    if value.get("answerIsCorrection"):
        return "corrected"
    return "answered"


def is_prorogation_answer(answer_text: str | None) -> bool:
    """The formula answer given to questions still open when Parliament is prorogued."""
    return bool(answer_text) and bool(_PROROGATION.search(answer_text or ""))


def grouped_uins(value: Mapping[str, Any]) -> list[str]:
    return [str(u) for u in value.get("groupedQuestions") or []]


def official_url(date_tabled: str | None, uin: str | None) -> str | None:
    if not date_tabled or not uin:
        return None
    return (
        "https://questions-statements.parliament.uk/written-questions/detail/"
        f"{date_tabled[:10]}/{uin}"
    )


MAX_INT = 2**63 - 1  # SQLite's largest INTEGER
_MEMBER_TEXT = ("name", "listAs", "party", "partyAbbreviation", "partyColour", "memberFrom")
# The type every field pqtrack reads must have when it is not null: a Python type checked
# exactly, or a kind with a rule of its own.
_TYPES: dict[str, type] = {
    **dict.fromkeys(
        "questionText answerText originalAnswerText comparableAnswerText heading uin house"
        " answeringBodyName".split(),
        str,
    ),
    **dict.fromkeys(
        "isNamedDay memberHasInterest answerIsHolding answerIsCorrection isWithdrawn".split(),
        bool,
    ),
    **dict.fromkeys(GROUPING, list),
}
_RULES: dict[str, str] = {
    **dict.fromkeys(
        "askingMemberId answeringBodyId answeringMemberId correctingMemberId"
        " attachmentCount".split(),
        "an integer",
    ),
    **dict.fromkeys(
        "dateTabled dateForAnswer dateAnswered dateHoldingAnswer dateAnswerCorrected".split(),
        "a date",
    ),
    **dict.fromkeys(MEMBER_OBJECTS, "a member with an integer id"),
}
_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list"}


def _is_int(v: Any) -> TypeGuard[int]:
    return type(v) is int and -MAX_INT <= v <= MAX_INT


@functools.lru_cache(maxsize=8192)
def _is_day(text: str) -> bool:
    if not _DAY.match(text):
        return False
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _follows(rule: str, v: Any) -> bool:
    if rule == "a date":
        return type(v) is str and _is_day(v[:19])
    if rule == "an integer":
        return _is_int(v)
    if type(v) is not dict or not _is_int(v.get("id")):
        return False
    for field in _MEMBER_TEXT:
        text = v.get(field)
        if text is not None and type(text) is not str:
            return False
    return True


def validate(value: Any) -> Value:
    """Check that a value is a question we can key and store; raise ValueError if not.

    Every field pqtrack reads must have the API's type (or be null), so that nothing a server
    or a file can send reaches the store as something it cannot hold. (One pass over the
    value: this runs for every record imported.)
    """
    if type(value) is not dict:
        raise ValueError(f"expected a question object, got {type(value).__name__}")
    qid = value.get("id")
    if not _is_int(qid) or qid <= 0:
        raise ValueError(f"question without a valid integer id: {str(qid)[:40]!r}")
    for key, v in value.items():
        if v is None:
            continue
        expected = _TYPES.get(key)
        if expected is not None:
            if type(v) is not expected:
                raise ValueError(f"question {qid}: {key} is not {_TYPE_NAMES[expected]}")
        elif (rule := _RULES.get(key)) is not None and not _follows(rule, v):
            raise ValueError(f"question {qid}: {key} is not {rule}: {str(v)[:40]!r}")
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


def to_row(value: Mapping[str, Any]) -> Value:
    """The `questions` columns for a (merged) value. Bookkeeping columns are added by the store."""
    answer = value.get("answerText")
    answer_text = plain_answer(answer)
    original = value.get("originalAnswerText") or None
    return {
        "id": value["id"],
        "uin": value.get("uin"),
        "house": value.get("house"),
        "date_tabled": parse_date(value.get("dateTabled")),
        "date_for_answer": parse_date(value.get("dateForAnswer")),
        "is_named_day": bool(value.get("isNamedDay")),
        "asking_member_id": value.get("askingMemberId"),
        "member_has_interest": bool(value.get("memberHasInterest")),
        "heading": value.get("heading"),
        "question_text": value.get("questionText") or "",
        "answering_body_id": value.get("answeringBodyId"),
        "answering_body_name": value.get("answeringBodyName"),
        "answering_member_id": value.get("answeringMemberId"),
        "correcting_member_id": value.get("correctingMemberId"),
        "date_answered": parse_date(value.get("dateAnswered")),
        "date_holding_answer": parse_date(value.get("dateHoldingAnswer")),
        "date_answer_corrected": parse_date(value.get("dateAnswerCorrected")),
        "answer_is_holding": value.get("answerIsHolding"),
        "answer_is_correction": value.get("answerIsCorrection"),
        "is_withdrawn": bool(value.get("isWithdrawn")),
        "status": derive_status(value),
        "is_prorogation_answer": is_prorogation_answer(answer_text),
        "answer_text": answer_text or None,
        "original_answer_text": plain_answer(original) or None,
        "grouped_uins": json.dumps(grouped_uins(value)),
        "attachment_count": value.get("attachmentCount") or 0,
    }
