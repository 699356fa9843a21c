"""The written ministerial statement, typed once: the API value checked and parsed into a
`Statement`, the second kind of record the store keeps beside questions.

`FIELDS` is the one table of its fields (the `statements` columns and the public record's
facts); `validate` checks a value where it enters, `parse` reads it. The list endpoint shows a
partial view of a statement (its text de-HTMLed and cut to 255 characters plus "...",
`linkedStatements` `[]` when it has links and null when not, no attachments): the rules for
recognising that view live here too, and so does how a statement names the written answers
it corrects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pqtrack.question import Field
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

LIST_CUT = 255  # the list endpoint cuts a statement's de-HTMLed text at 255 chars + "..."
ID_PREFIX = "S"  # a statement's id as a REF: S1282168 (a bare number is a question's id)
LINK_TYPES = ("CorrectedStatement", "CorrectedAnswer", "JointStatement")


class EventKind(StrEnum):
    """What can happen to a statement between two observations (the change feed's `event`)."""

    made = "made"
    revised = "revised"  # its title or text changed
    linked = "linked"  # a linked statement appeared


EVENTS = tuple(EventKind)

FIELDS: tuple[Field, ...] = (
    Field("id", "id", "int"),
    Field("uin", "uin", "text"),
    Field("house", "house", "text"),
    Field("date_made", "dateMade", "date"),
    Field("member_id", "memberId", "int"),
    Field("member_role", "memberRole", "text"),
    Field("answering_body_id", "answeringBodyId", "int"),
    Field("answering_body_name", "answeringBodyName", "text"),
    Field("title", "title", "text"),
    Field("text", "text", "html"),
    Field("notice_number", "noticeNumber", "int"),
    Field("linked_statements", "linkedStatements", "links"),
    Field("corrects", None, "list"),
    Field("attachment_count", None, "int"),
)
COLUMNS = tuple(f.name for f in FIELDS)
MEMBER_OBJECTS = ("member",)
DETAIL_ONLY = ("attachments",)
KNOWN_FIELDS = frozenset(
    {f.api for f in FIELDS if f.api} | {"member", "hasAttachments", "hasLinkedStatements",
                                        "attachments"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement as one observation shows it. The text is plain text; dates are days."""

    id: int
    uin: str | None
    house: str | None
    date_made: str | None
    member_id: int | None
    member_role: str | None
    answering_body_id: int | None
    answering_body_name: str | None
    title: str | None
    text: str
    notice_number: int | None
    linked_statements: tuple[tuple[int, str, str | None], ...]  # (id, link type, day)
    corrects: tuple[str, ...]  # UINs of written questions whose answers it corrects
    attachment_count: int

    def row(self) -> dict[str, Any]:
        """The `statements` columns (bookkeeping columns are added by the store)."""
        row = {name: getattr(self, name) for name in COLUMNS}
        row["linked_statements"] = json.dumps(links_json(self.linked_statements))
        row["corrects"] = json.dumps(list(self.corrects))
        return row

    @property
    def url(self) -> str | None:
        return official_url(self.date_made, self.uin)


def links_json(links: tuple[tuple[int, str, str | None], ...]) -> list[dict[str, Any]]:
    return [{"id": i, "type": t, "date": d} for i, t, d in links]


def _links(value: Any) -> tuple[tuple[int, str, str | None], ...]:
    return tuple(
        (int(link["linkedStatementId"]), str(link.get("linkType") or ""),
         parse_date(link.get("linkDate")))
        for link in value or ()
        if isinstance(link, dict) and is_int(link.get("linkedStatementId"))
    )  # fmt: skip


_READ: dict[str, Callable[[Any], Any]] = {
    "int": lambda v: v,
    "text": lambda v: v,
    "date": parse_date,
    "html": lambda v: plain_text(v) or "",
    "links": _links,
}
_FROM_API = tuple((f.name, f.api, _READ[f.kind]) for f in FIELDS if f.api is not None)


def parse(value: Mapping[str, Any]) -> Statement:
    """A checked API value (list or single form) -> the typed Statement it describes."""
    fields = {name: read(value.get(api)) for name, api, read in _FROM_API}
    return Statement(
        **fields,
        corrects=corrected_uins(value),
        attachment_count=len(value.get("attachments") or ()),
    )


def official_url(date_made: str | None, uin: str | None) -> str | None:
    if not date_made or not uin:
        return None
    return (
        "https://questions-statements.parliament.uk/written-statements/detail/"
        f"{date_made[:10]}/{uin}"
    )


# -- what a statement corrects -------------------------------------------------------------------

# "In my Written Answer of 4 December (HL12950) I said ...", "... to Question 12345 ...":
# a Lords UIN anywhere, or a Commons number in brackets or after "Question"/"UIN".
_LORDS_UIN = re.compile(r"\b(HL\d{1,6})\b")
_COMMONS_UIN = re.compile(r"\((\d{1,6})\)|\b(?:[Qq]uestion|UIN|PQ)\s+(?:number\s+)?(\d{1,6})\b")
_ANSWER_WORDS = re.compile(r"\b(?:written\s+(?:parliamentary\s+)?answer|answer\s+given|"
                           r"answer\s+I\s+gave|PQ|question)\b", re.IGNORECASE)  # fmt: skip


# The question a statement corrects: the latest stored question with the UIN it names,
# tabled by the day the statement was made (UINs restart every session). SQL over a
# statement_corrections row `c`, its statement `s` and the question `q`, for the store's
# events and the read side alike.
CORRECTS_FROM = (
    "statement_corrections c JOIN statements s ON s.id = c.statement_id"
    " JOIN questions q ON q.uin = c.question_uin AND q.date_tabled <= s.date_made"
)
CORRECTS_LATEST = (
    "NOT EXISTS (SELECT 1 FROM questions o WHERE o.uin = q.uin"
    " AND o.date_tabled > q.date_tabled AND o.date_tabled <= s.date_made)"
)


def corrected_uins(value: Mapping[str, Any]) -> tuple[str, ...]:
    """The UINs of written questions a statement corrects the answers of: named in a text that
    speaks of a written answer (or in any text when a link says it corrects an answer)."""
    text = strip_tags(str(value.get("text") or ""))
    by_link = any(
        isinstance(link, dict) and link.get("linkType") == "CorrectedAnswer"
        for link in value.get("linkedStatements") or ()
    )
    if not by_link and not _ANSWER_WORDS.search(text):
        return ()
    found = [m.group(1).upper() for m in _LORDS_UIN.finditer(text)]
    found += [m.group(1) or m.group(2) for m in _COMMONS_UIN.finditer(text)]
    return tuple(dict.fromkeys(found))


# -- the list endpoint's view --------------------------------------------------------------------


def list_text(text: str | None) -> str | None:
    """The list endpoint's rendering of a full text: tags removed, cut to 255 + '...'."""
    if text is None:
        return None
    bare = strip_tags(text)
    return bare[:LIST_CUT] + "..." if len(bare) > LIST_CUT else bare


def text_is_cut(text: str | None) -> bool:
    """A list text cut by the API: 258 characters ending in '...', no tags."""
    return (
        text is not None and len(text) == LIST_CUT + 3 and text.endswith("...")
        and not has_tag(text)
    )  # fmt: skip


def is_list_text(text: str | None) -> bool:
    return not text or not has_tag(text)


def list_view(value: Mapping[str, Any]) -> Value:
    """What a list item would show of a value: used to tell a real change from a shorter text.
    `linkedStatements` shows only whether there are links (the list's [] or null)."""
    view = {k: v for k, v in value.items() if k not in MEMBER_OBJECTS and k not in DETAIL_ONLY}
    text = value.get("text")
    view["text"] = text if is_list_text(text) else list_text(text)
    linked = value.get("linkedStatements") or value.get("hasLinkedStatements")
    view["linkedStatements"] = [] if linked else None
    return view


def content(value: Mapping[str, Any]) -> Value:
    """The part of a value that defines a version: everything but the member object."""
    return {k: v for k, v in value.items() if k not in MEMBER_OBJECTS and k != "links"}


# -- checking what arrives -----------------------------------------------------------------------

_TYPES: dict[str, type] = {
    **{f.api: str for f in FIELDS if f.api and f.kind in ("text", "html")},
    "hasAttachments": bool,
    "hasLinkedStatements": bool,
    "linkedStatements": list,
    "attachments": list,
}
_INTS = tuple(f.api for f in FIELDS if f.api and f.kind == "int")
_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list"}


def looks_like(value: Any) -> bool:
    """A value shaped like a statement rather than a question (a title and a text, no
    question text)."""
    return (
        isinstance(value, dict) and "questionText" not in value
        and ("dateMade" in value or ("title" in value and "text" in value))
    )  # fmt: skip


def validate(raw: Any) -> Value:
    """Check that a value is a statement we can key and store; raise ValueError if not."""
    value, sid = keyed(raw, "statement")
    for key, v in value.items():
        if v is None:
            continue
        expected = _TYPES.get(key)
        if expected is not None and type(v) is not expected:
            raise ValueError(f"statement {sid}: {key} is not {_TYPE_NAMES[expected]}")
        if key in _INTS and not is_int(v):
            raise ValueError(f"statement {sid}: {key} is not an integer: {str(v)[:40]!r}")
    made = value.get("dateMade")
    if made is not None and not is_day(made):
        raise ValueError(f"statement {sid}: dateMade is not a date: {str(made)[:40]!r}")
    member = value.get("member")
    if member is not None and (type(member) is not dict or not is_int(member.get("id"))):
        raise ValueError(f"statement {sid}: member is not a member with an integer id")
    for link in value.get("linkedStatements") or ():
        if type(link) is not dict or not is_int(link.get("linkedStatementId")):
            raise ValueError(f"statement {sid}: a linked statement has no integer id")
    check_attachments(value.get("attachments"), f"statement {sid}")
    return value


def members_of(value: Mapping[str, Any]) -> list[Value]:
    member = value.get("member")
    return [member] if isinstance(member, dict) and is_int(member.get("id")) else []


def body_of(value: Mapping[str, Any]) -> tuple[int, str] | None:
    body_id, name = value.get("answeringBodyId"), value.get("answeringBodyName")
    return (body_id, name) if isinstance(body_id, int) and name else None
