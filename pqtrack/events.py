"""Typed events between two observations of one question: what the change feed reports.

Pure: two API values in (camelCase, list or single-endpoint form), events out. A list item cuts
`questionText` to 255 characters and de-HTMLs and cuts `answerText`. The rules below use only
the flags and dates for answers and skip a text that is the list cut of the other, so comparing
a list item with a full single response gives no false `reworded`, `answered` or `corrected`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pqtrack.models import LIST_CUT, parse_date

EventName = Literal[
    "tabled",
    "holding",
    "answered",
    "substantive",
    "corrected",
    "transferred",
    "reworded",
    "heading",
    "withdrawn",
]

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a question. `old`/`new` hold the values the event is about
    (dates, body names, texts, headings) and stay JSON-ready."""

    event: EventName
    old: Any = None
    new: Any = None


def events_between(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Event]:
    """The events that turn observation `old` into `new` (`old` None: first sight), in reading
    order: transferred, reworded, heading, then the answer's progress, corrected, withdrawn.

    At first sight the question is `tabled`, plus whatever it already shows: `holding` or
    `answered`, `corrected` (a question can first appear already corrected) and `withdrawn`.
    A heading seen at first sight is not an event, as the question simply arrived with it.
    """
    if old is None:
        return _first_sight(new)
    events: list[Event] = []
    old_body, new_body = old.get("answeringBodyId"), new.get("answeringBodyId")
    if old_body is not None and new_body is not None and old_body != new_body:
        events.append(Event("transferred", _body(old), _body(new)))
    if _reworded(old.get("questionText"), new.get("questionText")):
        events.append(Event("reworded", old.get("questionText"), new.get("questionText")))
    # Heading set or changed. A heading that disappears is not news for a researcher.
    if new.get("heading") and new.get("heading") != old.get("heading"):
        events.append(Event("heading", old.get("heading"), new.get("heading")))
    events.extend(_progress(old, new))
    if new.get("answerIsCorrection"):
        before, after = parse_date(old.get("dateAnswerCorrected")), _corrected_on(new)
        if not old.get("answerIsCorrection") or before != after:
            events.append(Event("corrected", before, after))
    if new.get("isWithdrawn") and not old.get("isWithdrawn"):
        events.append(Event("withdrawn"))
    return events


def _first_sight(new: Mapping[str, Any]) -> list[Event]:
    events = [Event("tabled", None, parse_date(new.get("dateTabled")))]
    state = _answer_state(new)
    if state == "holding":
        events.append(Event("holding", None, _holding_on(new)))
    elif state == "answer":
        events.append(Event("answered", None, parse_date(new.get("dateAnswered"))))
    if new.get("answerIsCorrection"):
        events.append(Event("corrected", None, _corrected_on(new)))
    if new.get("isWithdrawn"):
        events.append(Event("withdrawn"))
    return events


def _progress(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Event]:
    """holding / answered / substantive, from the answer states (never from the answer text)."""
    before, after = _answer_state(old), _answer_state(new)
    if after == "holding" and before != "holding":
        return [Event("holding", None, _holding_on(new))]
    if after == "answer" and before is None:
        return [Event("answered", None, parse_date(new.get("dateAnswered")))]
    if after == "answer" and before == "holding":
        return [
            Event(
                "substantive",
                parse_date(old.get("dateAnswered")),
                parse_date(new.get("dateAnswered")),
            )
        ]
    return []


def _answer_state(value: Mapping[str, Any]) -> Literal["holding", "answer"] | None:
    """None while unanswered (the API leaves every answer field null), else the answer's kind."""
    if not value.get("answerText") and not value.get("dateAnswered"):
        return None
    return "holding" if value.get("answerIsHolding") else "answer"


def _holding_on(value: Mapping[str, Any]) -> str | None:
    return parse_date(value.get("dateHoldingAnswer") or value.get("dateAnswered"))


def _corrected_on(value: Mapping[str, Any]) -> str | None:
    return parse_date(value.get("dateAnswerCorrected"))


def _body(value: Mapping[str, Any]) -> Any:
    return value.get("answeringBodyName") or value.get("answeringBodyId")


def _reworded(old: str | None, new: str | None) -> bool:
    """True when the question's wording really changed.

    A list item's text is the first 255 characters of the full text, with no marker. So a text
    of exactly 255 characters that starts the other one is the same question seen through the
    list, in either direction. Changes in whitespace alone are not rewording.
    """
    a, b = old or "", new or ""
    if a == b:
        return False
    if (len(a) == LIST_CUT and b.startswith(a)) or (len(b) == LIST_CUT and a.startswith(b)):
        return False
    return _SPACE.sub(" ", a).strip() != _SPACE.sub(" ", b).strip()
