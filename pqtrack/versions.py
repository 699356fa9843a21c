"""Versions, pure: what an observation of a question changes, as a plan the store writes.

A list item is a partial view of a question: its texts are cut and de-HTMLed, and it lacks the
fields only the single endpoint fills. A single (detail) response lacks grouping. `merge` keeps
the best-known text of every field, so that

* a list item never replaces a full text with its cut copy, and never makes a version by itself
  being shorter;
* a detail response for a state already seen through a list *fills in* that version rather than
  inventing a change (so list-then-detail and detail-then-list end in the same state), and so
  does a list item that only adds the grouping a detail response cannot show;
* anything a list item shows differently from what is stored is a real change.

`events_between` names what happened between two typed observations; `plan` puts the two
together into the `Change` the store writes: the version's JSON, its hash, the questions row
and the events. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pqtrack import question as q
from pqtrack import statement as st
from pqtrack.question import LIST_CUT, EventKind, Question
from pqtrack.record import Value, canonical_json, has_tag, hash_json, loads
from pqtrack.statement import Statement

Source = Literal["list", "detail"]
Outcome = Literal["new", "changed", "filled", "unchanged"]


# -- merging an observation into what is stored ------------------------------------------------


@dataclass(frozen=True)
class Merged:
    value: Value  # the merged API value to store (member objects removed)
    outcome: Outcome
    source: Source  # 'detail' when the texts are full, 'list' when known only from a list
    truncated: bool  # a text is still the list's cut copy
    changed: list[str]  # snake_case fields that differ from the stored version


def infer_source(value: Mapping[str, Any]) -> Source:
    """Single responses carry HTML answers; list items carry de-HTMLed ones."""
    answer = value.get("answerText")
    return "detail" if answer and not q.is_list_answer(answer) else "list"


def merge(
    stored: Value | None,
    stored_source: Source | None,
    incoming: Mapping[str, Any],
    source: Source | None = None,
) -> Merged:
    src: Source = source or infer_source(incoming)
    value = q.content(incoming)
    if stored is None:
        return Merged(value, "new", src, _truncated(value, src), [])
    assert stored_source is not None
    if src == "detail":
        if not value.get("groupedQuestions"):
            for key in q.GROUPING:
                if key in stored:
                    value[key] = stored[key]
                else:
                    value.pop(key, None)
        merged_source: Source = "detail"
    else:
        value, merged_source = _merge_list(stored, stored_source, value)
    if canonical_json(value) == canonical_json(q.content(stored)):
        if stored_source == "list" and merged_source == "detail":
            # The full texts equal the list's: the state is now known whole.
            return Merged(stored, "filled", "detail", False, [])
        return Merged(stored, "unchanged", stored_source, _truncated(stored, stored_source), [])
    changed = changed_fields(stored, value)
    texts_completed = (
        stored_source == "list"
        and merged_source == "detail"
        and q.list_view(value) == q.list_view(stored)
    )
    grouping_learnt = not stored.get("groupedQuestions") and set(changed) <= _GROUPING_FIELDS
    outcome: Outcome = "filled" if texts_completed or grouping_learnt else "changed"
    return Merged(value, outcome, merged_source, _truncated(value, merged_source), changed)


def snake(name: str) -> str:
    """camelCase API field -> snake_case name ('answeringBodyId' -> 'answering_body_id')."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Snake-case names of the content fields that differ, sorted."""
    a, b = q.content(old), q.content(new)
    return sorted(snake(k) for k in set(a) | set(b) if a.get(k) != b.get(k))


_GROUPING_FIELDS = {snake(k) for k in q.GROUPING}


def _merge_list(stored: Value, stored_source: Source, value: Value) -> tuple[Value, Source]:
    """Overlay a list item on the stored value, keeping stored texts the list only shows cut."""
    keep_question = q.list_question(stored.get("questionText")) == value.get("questionText")
    if keep_question:
        value["questionText"] = stored.get("questionText")
    same_answer = all(stored.get(k) == value.get(k) for k in q.ANSWER_IDENTITY) and (
        _list_form(stored.get("answerText")) == value.get("answerText")
    )
    if same_answer:
        for key in ("answerText", "originalAnswerText", "comparableAnswerText"):
            value[key] = stored.get(key)
    for key in ("attachments", "attachmentCount"):
        if not value.get(key):
            value[key] = stored.get(key, value.get(key))
    full = stored_source == "detail" and keep_question and same_answer
    return value, "detail" if full else "list"


def _list_form(answer: Any) -> Any:
    if answer is None or q.is_list_answer(answer):
        return answer
    return q.list_answer(answer)


def _truncated(value: Value, source: Source) -> bool:
    if source == "detail":
        return False
    return q.answer_is_cut(value.get("answerText")) or q.question_is_cut(value.get("questionText"))


# -- events ------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a question. `old`/`new` hold the values the event is about
    (dates, body names, texts, headings) and stay JSON-ready."""

    event: EventKind | st.EventKind
    old: Any = None
    new: Any = None


def events_between(old: Question | None, new: Question) -> list[Event]:
    """The events that turn observation `old` into `new` (`old` None: first sight), in reading
    order: transferred, reworded, heading, then the answer's progress, corrected, withdrawn.

    At first sight the question is `tabled`, plus whatever it already shows: `holding` or
    `answered`, `corrected` (a question can first appear already corrected) and `withdrawn`.
    A heading seen at first sight is not an event, as the question simply arrived with it.
    The rules use only the flags and dates for answers and skip a text that is the list cut of
    the other, so a list item against a full single response gives no false `reworded`,
    `answered` or `corrected`.
    """
    if old is None:
        return _first_sight(new)
    events: list[Event] = []
    if (
        old.answering_body_id is not None
        and new.answering_body_id is not None
        and old.answering_body_id != new.answering_body_id
    ):
        events.append(Event(EventKind.transferred, old.answering_body, new.answering_body))
    if _reworded(old.question_text, new.question_text):
        events.append(Event(EventKind.reworded, old.question_text, new.question_text))
    # Heading set or changed. A heading that disappears is not news for a researcher.
    if new.heading and new.heading != old.heading:
        events.append(Event(EventKind.heading, old.heading, new.heading))
    events.extend(_progress(old, new))
    if new.answer_is_correction:
        before, after = old.date_answer_corrected, new.date_answer_corrected
        if not old.answer_is_correction or before != after:
            events.append(Event(EventKind.corrected, before, after))
    if new.is_withdrawn and not old.is_withdrawn:
        events.append(Event(EventKind.withdrawn))
    return events


def _first_sight(new: Question) -> list[Event]:
    events = [Event(EventKind.tabled, None, new.date_tabled)]
    state = _answer_state(new)
    if state == "holding":
        events.append(Event(EventKind.holding, None, new.holding_on))
    elif state == "answer":
        events.append(Event(EventKind.answered, None, new.date_answered))
    if new.answer_is_correction:
        events.append(Event(EventKind.corrected, None, new.date_answer_corrected))
    if new.is_withdrawn:
        events.append(Event(EventKind.withdrawn))
    return events


def _progress(old: Question, new: Question) -> list[Event]:
    """holding / answered / substantive, from the answer states (never from the answer text)."""
    before, after = _answer_state(old), _answer_state(new)
    if after == "holding" and before != "holding":
        return [Event(EventKind.holding, None, new.holding_on)]
    if after == "answer" and before is None:
        return [Event(EventKind.answered, None, new.date_answered)]
    if after == "answer" and before == "holding":
        return [Event(EventKind.substantive, old.date_answered, new.date_answered)]
    return []


def _answer_state(value: Question) -> Literal["holding", "answer"] | None:
    """None while unanswered (the API leaves every answer field null), else the answer's kind."""
    if not value.has_answer:
        return None
    return "holding" if value.answer_is_holding else "answer"


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


# -- the plan the store writes -----------------------------------------------------------------


class Stored(NamedTuple):
    """A question's current version as stored: what an observation is merged with."""

    value: Value
    source: Source
    version: int
    truncated: bool


class Change(NamedTuple):
    """A new version (or a version filled in) of one question, ready to write. A tuple of plain
    data: `import`'s worker process computes first sights ahead and sends them by the thousand."""

    id: int
    outcome: Outcome  # new | changed | filled
    source: Source  # where the stored texts come from
    truncated: bool  # a text is still the list's cut copy
    version: int
    record: str  # canonical JSON of the content: the version's record
    digest: str  # hash_json(record)
    row: dict[str, Any]  # the questions columns (Question.row)
    changed: tuple[str, ...]  # snake_case fields that differ from the stored version
    events: tuple[Event, ...]

    def value(self) -> Value:
        """The content, to merge a later observation with."""
        loaded: Value = loads(self.record)
        return loaded


def plan(
    stored: Stored | None, incoming: Mapping[str, Any], source: Source | None
) -> Change | None:
    """What saving `incoming` (a checked API value, from a list or a single response if known)
    over the stored version does: a Change, or None when it shows nothing new."""
    if stored is None:
        merged = merge(None, None, incoming, source)
    else:
        merged = merge(stored.value, stored.source, incoming, source)
    if merged.outcome == "unchanged":
        return None
    record = canonical_json(merged.value)  # the merged value has no member objects: content
    new = q.parse(merged.value)
    old = q.parse(stored.value) if stored is not None and merged.outcome == "changed" else None
    if stored is None:
        version, events = 1, _first_sight(new)
    elif merged.outcome == "filled":
        version, events = stored.version, []
    else:
        version, events = stored.version + 1, events_between(old, new)
    return Change(
        new.id,
        merged.outcome,
        merged.source,
        merged.truncated,
        version,
        record,
        hash_json(record),
        new.row(),
        tuple(merged.changed),
        tuple(events),
    )


# What saving takes: an observed value with where it came from if known, or a first sight
# planned ahead (a Change with outcome 'new', and the source the value came with).
Observation = tuple[Value, Source | None]


class Prepared(NamedTuple):
    """An observation planned ahead as if its question were new, with the people and the
    department it names: the store writes `change` unless the question is stored after all."""

    change: Change
    given: Source | None  # the source the value came with, to plan it again if need be
    members: tuple[Value, ...]
    body: tuple[int, str] | None


Item = Observation | Prepared


def prepare(value: Value, source: Source | None) -> Prepared:
    change = plan(None, value, source)
    assert change is not None  # a first sight is always new
    return Prepared(change, source, tuple(q.members_of(value)), q.body_of(value))


# -- written statements ------------------------------------------------------------------------
#
# The same rules for the second kind of record: a list item never replaces a full text with
# its cut copy, nor links it shows only as [] with the links a detail record named, nor the
# attachments only a detail record carries; a detail record for a state seen through a list
# fills that version in.


def infer_statement_source(value: Mapping[str, Any]) -> Source:
    """Single responses carry HTML texts; list items carry de-HTMLed, cut ones."""
    text = value.get("text")
    return "detail" if text and has_tag(text) else "list"


def merge_statement(
    stored: Value | None,
    stored_source: Source | None,
    incoming: Mapping[str, Any],
    source: Source | None = None,
) -> Merged:
    src: Source = source or infer_statement_source(incoming)
    value = st.content(incoming)
    if stored is None:
        return Merged(value, "new", src, _statement_truncated(value, src), [])
    assert stored_source is not None
    merged_source: Source = "detail"
    if src == "list":
        kept_text = st.list_text(stored.get("text")) == value.get("text")
        if kept_text:
            value["text"] = stored.get("text")
        # the list shows [] when there are links, null when there are none: either way it
        # says no more than whether there are, which the stored value already tells
        links, known = value.get("linkedStatements"), stored.get("linkedStatements")
        if links in (None, []):
            kept_links = (links == []) == bool(known)
            if kept_links:
                value["linkedStatements"] = known
        else:  # links listed in full: not what the list endpoint does, but news if it does
            kept_links = True
        if not value.get("attachments"):
            value["attachments"] = stored.get("attachments", value.get("attachments"))
        full = stored_source == "detail" and kept_text and kept_links
        merged_source = "detail" if full else "list"
    if canonical_json(value) == canonical_json(st.content(stored)):
        if stored_source == "list" and merged_source == "detail":
            return Merged(stored, "filled", "detail", False, [])
        truncated = _statement_truncated(stored, stored_source)
        return Merged(stored, "unchanged", stored_source, truncated, [])
    changed = changed_fields(stored, value)
    completed = (
        stored_source == "list"
        and merged_source == "detail"
        and st.list_view(value) == st.list_view(stored)
    )
    outcome: Outcome = "filled" if completed else "changed"
    truncated = _statement_truncated(value, merged_source)
    return Merged(value, outcome, merged_source, truncated, changed)


def _statement_truncated(value: Value, source: Source) -> bool:
    if source == "detail":
        return False
    links_unknown = value.get("linkedStatements") == [] and bool(value.get("hasLinkedStatements"))
    return st.text_is_cut(value.get("text")) or links_unknown


def statement_events(old: Statement | None, new: Statement) -> list[Event]:
    """`made` at first sight, `revised` for a changed title or text (not its list cut), and
    `linked` for each linked statement not there before."""
    events: list[Event] = []
    if old is None:
        events.append(Event(st.EventKind.made, None, new.date_made))
    else:
        title = new.title != old.title
        if title or _revised(old.text, new.text):
            events.append(
                Event(st.EventKind.revised, old.title if title else None,
                      new.title if title else None)
            )  # fmt: skip
    before = {link[:2] for link in old.linked_statements} if old else set()
    for link in new.linked_statements:
        if link[:2] not in before:
            events.append(Event(st.EventKind.linked, None, st.links_json((link,))[0]))
    return events


def _revised(old: str, new: str) -> bool:
    if old == new:
        return False
    for cut, full in ((old, new), (new, old)):
        if st.text_is_cut(cut) and full.startswith(cut[: st.LIST_CUT].rstrip()):
            return False
    return _SPACE.sub(" ", old).strip() != _SPACE.sub(" ", new).strip()


def plan_statement(
    stored: Stored | None, incoming: Mapping[str, Any], source: Source | None
) -> Change | None:
    """`plan` for a written statement: what saving `incoming` over the stored version does."""
    if stored is None:
        merged = merge_statement(None, None, incoming, source)
    else:
        merged = merge_statement(stored.value, stored.source, incoming, source)
    if merged.outcome == "unchanged":
        return None
    record = canonical_json(merged.value)
    new = st.parse(merged.value)
    if stored is None:
        version, events = 1, statement_events(None, new)
    elif merged.outcome == "filled":
        # the links a list showed only as [] are news when the detail names them
        old = st.parse(stored.value)
        version = stored.version
        events = [e for e in statement_events(old, new) if e.event == st.EventKind.linked]
    else:
        version, events = stored.version + 1, statement_events(st.parse(stored.value), new)
    return Change(
        new.id,
        merged.outcome,
        merged.source,
        merged.truncated,
        version,
        record,
        hash_json(record),
        new.row(),
        tuple(merged.changed),
        tuple(events),
    )
