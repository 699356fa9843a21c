"""Choosing what to diff: two versions of one question, or the answers of two questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pqtrack import diff, queries
from pqtrack.errors import UsageError
from pqtrack.question import answer_is_cut
from pqtrack.record import plain_text
from pqtrack.store import Store

FIELDS = ("answer_text", "question_text")


@dataclass
class Comparison:
    old_label: str
    new_label: str
    texts: dict[str, tuple[str, str]]  # field -> (old, new) plain texts
    ops: dict[str, list[diff.Op]]
    metadata: list[diff.FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return all(diff.identical(ops) for ops in self.ops.values()) and not self.metadata

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.old_label,
            "to": self.new_label,
            "identical": self.identical,
            "fields": {
                name: {
                    "ops": diff.to_json_ops(ops),
                    "deleted_words": diff.stats(ops)[0],
                    "inserted_words": diff.stats(ops)[1],
                }
                for name, ops in self.ops.items()
            },
            "metadata": [{"field": c.field, "old": c.old, "new": c.new} for c in self.metadata],
            "notes": self.notes,
        }


def texts_of(value: dict[str, Any]) -> dict[str, str]:
    return {
        "answer_text": plain_text(value.get("answerText")),
        "question_text": value.get("questionText") or "",
    }


def _build(
    old_label: str,
    new_label: str,
    old: dict[str, Any],
    new: dict[str, Any],
    fields: tuple[str, ...],
    *,
    metadata: bool,
) -> Comparison:
    a, b = texts_of(old), texts_of(new)
    texts = {f: (a[f], b[f]) for f in fields}
    ops = {f: diff.word_diff(*texts[f]) for f in fields}
    notes = []
    if "answer_text" in fields:
        # a correction's own markup, when it describes exactly these two answers, is the
        # authority on what changed: it is what the department published
        marked = diff.api_marked_diff(new.get("comparableAnswerText"), *texts["answer_text"])
        if marked is not None:
            ops["answer_text"] = marked
            notes.append("answer changes as the API marks the correction")
    return Comparison(
        old_label,
        new_label,
        texts,
        ops,
        diff.metadata_changes(old, new) if metadata else [],
        notes,
    )


def versions(
    store: Store, ref: str, *, from_version: int | None, to_version: int | None
) -> Comparison:
    """Two versions of one question: by default the latest against the last that reads differently.

    A corrected answer whose earlier text pqtrack never stored is compared with the API's
    `originalAnswerText`.
    """
    qid = queries.resolve_ref(store, ref)
    values = queries.version_values(store, qid)
    count = len(values)
    for name, number in (("--from", from_version), ("--to", to_version)):
        if number is not None and not 1 <= number <= count:
            raise UsageError(f"{name} {number}: question {qid} has versions 1 to {count}")
    to_index = (to_version or count) - 1
    new = values[to_index]
    if from_version is not None:
        old_index = from_version - 1
    else:
        old_index = next(
            (i for i in range(to_index - 1, -1, -1) if texts_of(values[i]) != texts_of(new)),
            to_index - 1 if to_index > 0 else -1,
        )
    if old_index >= 0:
        comparison = _build(
            f"{qid} v{old_index + 1}",
            f"{qid} v{to_index + 1}",
            values[old_index],
            new,
            FIELDS,
            metadata=True,
        )
    elif new.get("originalAnswerText"):
        original = {**new, "answerText": new["originalAnswerText"]}
        comparison = _build(
            f"{qid} original answer (from the API)",
            f"{qid} v{to_index + 1}",
            original,
            new,
            ("answer_text",),
            metadata=False,
        )
        comparison.notes.append(
            "pqtrack never stored the answer before its correction; using the API's original text"
        )
    else:
        comparison = _build(f"{qid} v1", f"{qid} v1", new, new, FIELDS, metadata=False)
        comparison.notes.append(f"question {qid} has only one version")
    for i in {old_index, to_index} - {-1}:
        if answer_is_cut(values[i].get("answerText")):
            comparison.notes.append(
                f"v{i + 1}'s answer is known only from a list result, cut at 255 characters"
            )
    return comparison


def questions(store: Store, ref_a: str, ref_b: str, *, field_name: str) -> Comparison:
    """The current answers (or question texts) of two questions."""
    if field_name not in FIELDS:
        raise UsageError(f"--field: {field_name!r} is not one of {', '.join(FIELDS)}")
    values = []
    for ref in (ref_a, ref_b):
        qid = queries.resolve_ref(store, ref)
        values.append((qid, queries.version_values(store, qid)[-1]))
    (id_a, a), (id_b, b) = values
    return _build(str(id_a), str(id_b), a, b, (field_name,), metadata=False)
