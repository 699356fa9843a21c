"""Merging a newly observed value into the stored one: the rules that decide what is a new version.

A list item is a partial view of a question: its texts are cut and de-HTMLed, and it lacks the
fields only the single endpoint fills. A single (detail) response lacks grouping. `merge` keeps
the best-known text of every field, so that

* a list item never replaces a full text with its cut copy, and never makes a version by itself
  being shorter;
* a detail response for a state already seen through a list *fills in* that version rather than
  inventing a change (so list-then-detail and detail-then-list end in the same state), and so
  does a list item that only adds the grouping a detail response cannot show;
* anything a list item shows differently from what is stored is a real change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pqtrack import models
from pqtrack.events import events_between
from pqtrack.models import Value

Source = Literal["list", "detail"]
Outcome = Literal["new", "changed", "filled", "unchanged"]


@dataclass(frozen=True)
class Merged:
    value: Value  # the merged API value to store (member objects removed)
    outcome: Outcome
    source: Source  # 'detail' when the texts are full, 'list' when known only from a list
    truncated: bool  # a text is still the list's cut copy
    changed: list[str]  # snake_case fields that differ from the stored version


def infer_source(value: Value) -> Source:
    """Single responses carry HTML answers; list items carry de-HTMLed ones."""
    answer = value.get("answerText")
    return "detail" if answer and not models.is_list_answer(answer) else "list"


def merge(
    stored: Value | None,
    stored_source: Source | None,
    incoming: Value,
    source: Source | None = None,
) -> Merged:
    src: Source = source or infer_source(incoming)
    value = models.content(incoming)
    if stored is None:
        return Merged(value, "new", src, _truncated(value, src), [])
    assert stored_source is not None
    if src == "detail":
        if not value.get("groupedQuestions"):
            for key in models.GROUPING:
                if key in stored:
                    value[key] = stored[key]
                else:
                    value.pop(key, None)
        merged_source: Source = "detail"
    else:
        value, merged_source = _merge_list(stored, stored_source, value)
    if models.content_hash(value) == models.content_hash(stored):
        if stored_source == "list" and merged_source == "detail":
            # The full texts equal the list's: the state is now known whole.
            return Merged(stored, "filled", "detail", False, [])
        return Merged(stored, "unchanged", stored_source, _truncated(stored, stored_source), [])
    changed = models.changed_fields(stored, value)
    texts_completed = (
        stored_source == "list"
        and merged_source == "detail"
        and models.list_view(value) == models.list_view(stored)
    )
    grouping_learnt = not stored.get("groupedQuestions") and set(changed) <= _GROUPING_FIELDS
    if texts_completed or grouping_learnt:
        return Merged(value, "filled", merged_source, _truncated(value, merged_source), changed)
    return Merged(value, "changed", merged_source, _truncated(value, merged_source), changed)


_GROUPING_FIELDS = {models.snake(k) for k in models.GROUPING}


def _merge_list(stored: Value, stored_source: Source, value: Value) -> tuple[Value, Source]:
    """Overlay a list item on the stored value, keeping stored texts the list only shows cut."""
    keep_question = models.list_question(stored.get("questionText")) == value.get("questionText")
    if keep_question:
        value["questionText"] = stored.get("questionText")
    same_answer = all(stored.get(k) == value.get(k) for k in models.ANSWER_IDENTITY) and (
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
    if answer is None or models.is_list_answer(answer):
        return answer
    return models.list_answer(answer)


def _truncated(value: Value, source: Source) -> bool:
    if source == "detail":
        return False
    return models.answer_is_cut(value.get("answerText")) or models.question_is_cut(
        value.get("questionText")
    )


class Prepared(NamedTuple):
    """A value merged as if it were new, with everything saving it as new writes: computed
    ahead, in `import`'s worker process, so the writer does no more than check that the
    question is indeed not stored yet. (A tuple of plain data: it crosses a pipe by the
    thousand.)"""

    id: int
    source: Source | None  # as given
    stored_source: Source  # the source a new question is stored with
    truncated: bool
    record: str  # canonical JSON of the content
    digest: str  # models.hash_json(record)
    row: Value  # models.to_row of the content
    events: tuple[tuple[str, str | None, str | None], ...]  # first sight, old/new as JSON
    members: tuple[Value, ...]
    body: tuple[int, str] | None

    def value(self) -> Value:
        """The content, for merging with a stored version after all."""
        loaded: Value = models.loads(self.record)
        return loaded


def prepare(value: Value, source: Source | None) -> Prepared:
    merged = merge(None, None, value, source)
    record = models.canonical_json(merged.value)
    events = tuple(
        (ev.event, json_or_none(ev.old), json_or_none(ev.new))
        for ev in events_between(None, merged.value)
    )
    return Prepared(
        value["id"],
        source,
        merged.source,
        merged.truncated,
        record,
        models.hash_json(record),
        models.to_row(merged.value),
        events,
        tuple(models.members_of(value)),
        models.body_of(value),
    )


def json_or_none(value: Any) -> str | None:
    return None if value is None else models.canonical_json(value)


# What saving takes: a value with where it came from if known, or one prepared ahead.
Item = tuple[Value, Source | None] | Prepared
