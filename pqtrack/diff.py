"""Pure comparison of two texts (word diff and its plain renderings) and of two records' plain
facts, and choosing what to compare: two versions of one question, or the answers of two.
(Drawing a diff in colour is show.py's.)

Algorithm: diff-match-patch's Myers diff run on word tokens, then its semantic cleanup.
Each token (a word, a run of whitespace, or one punctuation mark) is encoded as one character,
which is the library's `linesToChars` trick applied to words, so the diff and the cleanup work in
whole tokens and can never split a word. difflib.SequenceMatcher (autojunk=False) was the other
candidate; the two were compared on the API's two real corrections, whose `comparableAnswerText`
shows what changed. On 1781191, where a clause was rewritten, the API marks one changed span.
dmp gives that span as a single replacement. The only extra word it marks is "hectares", which
the API leaves unmarked between two edits. SequenceMatcher instead anchors on the common phrase
"managed by Forestry", so the clause comes out as four fragments that the API does not show.
On 1783783 (a table filled in) the two agree. On 1,060 synthetic edits of real answers, dmp gave
about a third fewer change hunks with almost the same number of changed words. Both kept every
one-word substitution to one deleted and one inserted word. SequenceMatcher with autojunk=True
happens to reproduce the API's markup on 1781191, but on the synthetic edits it marked about half
as many words again and broke 18 of 818 one-word substitutions, so it was not used.

A corrected answer comes with the department's own marking of the correction
(comparableAnswerText); `api_marked_diff` lays it over the two plain texts, and `pqtrack diff`
shows that instead whenever it describes exactly the two texts being compared.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Literal

from pqtrack.errors import UsageError
from pqtrack.question import Question, answer_is_cut, parse
from pqtrack.record import html_to_text

Kind = Literal["equal", "delete", "insert"]

# A word keeps inner apostrophes, hyphens, dots and commas ("Nation’s", "socio-economic",
# "5.56mm", "258,000") so a corrected figure shows as one changed word. Any other non-space
# character is a token of its own, and whitespace runs are tokens so they survive exactly.
_TOKEN = re.compile(r"\s+|\w+(?:[.,'’\-]\w+)*|[^\w\s]")

# The characters that stand for tokens are taken from the Private Use Areas first. These are
# neither letters nor spaces, so dmp's boundary scoring, which is meant for real text, treats
# them all alike. The rest of Unicode (minus surrogates) is used only for very large inputs.
_CODE_POINTS = (
    range(0xE000, 0xF900),
    range(0xF0000, 0x110000),
    range(0x100, 0xD800),
    range(0x10000, 0xF0000),
)
_DIFF_TIMEOUT = 2.0  # seconds; past it dmp returns a valid but coarser diff, never a wrong one


@dataclass(frozen=True, slots=True)
class Op:
    """One run of a diff: text common to both sides, only in the old, or only in the new."""

    kind: Kind
    text: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A non-text fact that differs between two versions (`field` is the snake_case name)."""

    field: str
    old: Any
    new: Any


def tokens(text: str) -> list[str]:
    """Split text into words, single punctuation marks and whitespace runs; they join back to it."""
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Op]:
    """Word-level diff of two plain texts. Joining equal+delete texts gives `old` back, and
    joining equal+insert texts gives `new` back."""
    if old == new:
        return [Op("equal", old)] if old else []
    if not old or not new:
        return [Op("delete", old)] if old else [Op("insert", new)]
    old_tokens, new_tokens = tokens(old), tokens(new)
    encoded = _encode(old_tokens, new_tokens)
    if encoded is None:  # more distinct tokens than Unicode has characters: no alignment
        return [Op("delete", old), Op("insert", new)]
    old_chars, new_chars, table = encoded
    from diff_match_patch import diff_match_patch  # here: only a diff needs it loaded

    dmp = diff_match_patch()
    dmp.Diff_Timeout = _DIFF_TIMEOUT
    diffs: list[tuple[int, str]] = dmp.diff_main(old_chars, new_chars, False)
    dmp.diff_cleanupSemantic(diffs)
    kinds: dict[int, Kind] = {0: "equal", -1: "delete", 1: "insert"}
    ops = [Op(kinds[op], "".join(table[c] for c in chars)) for op, chars in diffs if chars]
    return _merge(ops)


# While the API's correction markup is turned into plain text, its <ins> and <del> tags stand
# as these control characters, which html_to_text keeps as they are.
_INS, _END_INS, _DEL, _END_DEL = "\x0e", "\x0f", "\x10", "\x11"
_MARK_TAG = re.compile(r"<(/?)(ins|del)\b[^>]*>", re.IGNORECASE)


def api_marked_diff(comparable: str | None, old: str, new: str) -> list[Op] | None:
    """The API's own marking of a correction as ops over the plain texts `old` and `new`.

    `comparable` is a corrected answer's comparableAnswerText: the answer as HTML with the
    words taken out in <del> and those put in in <ins>. Returns None when there is no such
    markup or it does not describe exactly these two texts (word for word).
    """
    if not comparable or not _MARK_TAG.search(comparable):
        return None
    signs = {("", "ins"): _INS, ("/", "ins"): _END_INS, ("", "del"): _DEL, ("/", "del"): _END_DEL}
    marked = html_to_text(
        _MARK_TAG.sub(lambda m: signs[(m.group(1), m.group(2).lower())], comparable)
    )
    kind: Kind = "equal"
    marks: list[tuple[Kind, str]] = []  # the words and punctuation of both texts, each marked
    for token in tokens(marked):
        if token in (_END_INS, _END_DEL):
            kind = "equal"
        elif token == _INS:
            kind = "insert"
        elif token == _DEL:
            kind = "delete"
        elif not token.isspace():
            marks.append((kind, token))
    for n, (kind, token) in enumerate(marks):  # a table's " | " between inserted cells is new
        if token == "|" and kind == "equal" and 0 < n < len(marks) - 1:
            before, after = marks[n - 1][0], marks[n + 1][0]
            if before == after != "equal":
                marks[n] = (before, token)
    old_tokens, new_tokens = tokens(old), tokens(new)
    if [t for t in old_tokens if not t.isspace()] != [t for k, t in marks if k != "insert"] or [
        t for t in new_tokens if not t.isspace()
    ] != [t for k, t in marks if k != "delete"]:
        return None
    # Lay the marks over the two texts' own tokens, spaces included: a changed token takes the
    # space before it along; an unchanged one is preceded by the space both texts have there.
    ops: list[Op] = []
    i = j = 0

    def space(found: list[str], at: int) -> tuple[str, int]:
        start = at
        while at < len(found) and found[at].isspace():
            at += 1
        return "".join(found[start:at]), at

    for kind, token in marks:
        gap_old, i_next = space(old_tokens, i)
        gap_new, j_next = space(new_tokens, j)
        if kind == "equal":
            ops += _gap(gap_old, gap_new) + [Op("equal", token)]
            i, j = i_next + 1, j_next + 1
        elif kind == "delete":
            ops.append(Op("delete", gap_old + token))
            i = i_next + 1
        else:
            ops.append(Op("insert", gap_new + token))
            j = j_next + 1
    ops += _gap("".join(old_tokens[i:]), "".join(new_tokens[j:]))
    ops = _merge(ops)
    rebuilt_old = "".join(op.text for op in ops if op.kind != "insert")
    rebuilt_new = "".join(op.text for op in ops if op.kind != "delete")
    return ops if (rebuilt_old, rebuilt_new) == (old, new) else None


def _gap(old: str, new: str) -> list[Op]:
    """The space before an unchanged token: common, or changed."""
    if old == new:
        return [Op("equal", old)]
    return [Op("delete", old), Op("insert", new)]


def _encode(a: list[str], b: list[str]) -> tuple[str, str, dict[str, str]] | None:
    """Both token lists as strings of one character per token, and the character -> token table."""
    codes: dict[str, str] = {}
    points = (p for block in _CODE_POINTS for p in block)
    out: list[str] = []
    for seq in (a, b):
        chars: list[str] = []
        for tok in seq:
            char = codes.get(tok)
            if char is None:
                point = next(points, None)
                if point is None:
                    return None
                char = codes[tok] = chr(point)
            chars.append(char)
        out.append("".join(chars))
    return out[0], out[1], {char: tok for tok, char in codes.items()}


def _merge(ops: Iterable[Op]) -> list[Op]:
    """Join adjacent runs: between two unchanged runs, all deleted text, then all inserted text."""
    merged: list[Op] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            merged.append(Op("delete", "".join(deleted)))
        if inserted:
            merged.append(Op("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op in ops:
        if not op.text:
            continue
        if op.kind == "delete":
            deleted.append(op.text)
        elif op.kind == "insert":
            inserted.append(op.text)
        else:
            flush()
            if merged and merged[-1].kind == "equal":
                merged[-1] = Op("equal", merged[-1].text + op.text)
            else:
                merged.append(op)
    flush()
    return merged


def identical(ops: Iterable[Op]) -> bool:
    """True when the diff has no deletions or insertions."""
    return all(op.kind == "equal" for op in ops)


def stats(ops: Iterable[Op]) -> tuple[int, int]:
    """(words deleted, words inserted). A punctuation mark counts as a word, so a changed comma
    is not a zero-word change."""
    deleted = inserted = 0
    for op in ops:
        if op.kind == "equal":
            continue
        count = sum(1 for tok in tokens(op.text) if not tok.isspace())
        if op.kind == "delete":
            deleted += count
        else:
            inserted += count
    return deleted, inserted


def render_word(ops: Iterable[Op]) -> str:
    """git's plain word-diff markers, `[-removed-]{+added+}`, no colour.

    As git does, a change that spans lines is marked line by line, so the newlines stay outside
    the markers and every line reads on its own.
    """
    out: list[str] = []
    for op in ops:
        if op.kind == "equal":
            out.append(op.text)
            continue
        start, end = ("[-", "-]") if op.kind == "delete" else ("{+", "+}")
        out.append("\n".join(f"{start}{part}{end}" if part else "" for part in op.text.split("\n")))
    return "".join(out)


def render_unified(old: str, new: str, from_label: str, to_label: str) -> str:
    """A unified line diff of two texts (paragraphs are lines here); '' when they are equal."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=from_label, tofile=to_label, lineterm=""
    )
    text = "\n".join(lines)
    return text + "\n" if text else ""


def to_json_ops(ops: Iterable[Op]) -> list[dict[str, str]]:
    """The diff as JSON-ready objects: `{"op": "equal|delete|insert", "text": ...}`."""
    return [{"op": op.kind, "text": op.text} for op in ops]


# The facts `metadata_changes` compares, in the order it reports them.
METADATA = (
    "status",
    "answering_body",
    "heading",
    "date_tabled",
    "date_for_answer",
    "date_answered",
    "date_holding_answer",
    "date_answer_corrected",
    "answering_member_id",
    "correcting_member_id",
    "answer_is_holding",
    "answer_is_correction",
)


def metadata_changes(old: Question, new: Question) -> list[FieldChange]:
    """The non-text facts that differ between two versions of a question, in METADATA's order.

    The answering body shows as its name (its id when it has none); a holding or correction
    flag not yet known reads as false (the status change already says "answered").
    """
    changes: list[FieldChange] = []
    for name in METADATA:
        before, after = getattr(old, name), getattr(new, name)
        if name in ("answer_is_holding", "answer_is_correction"):
            before, after = bool(before), bool(after)
        if before != after:
            changes.append(FieldChange(name, before, after))
    return changes


# -- what to compare --------------------------------------------------------------------------

FIELDS = ("answer_text", "question_text")


@dataclass
class Comparison:
    old_label: str
    new_label: str
    texts: dict[str, tuple[str, str]]  # field -> (old, new) plain texts
    ops: dict[str, list[Op]]
    metadata: list[FieldChange] = dataclass_field(default_factory=list)
    notes: list[str] = dataclass_field(default_factory=list)

    @property
    def identical(self) -> bool:
        return all(identical(ops) for ops in self.ops.values()) and not self.metadata

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.old_label,
            "to": self.new_label,
            "identical": self.identical,
            "fields": {
                name: {
                    "ops": to_json_ops(ops),
                    "deleted_words": stats(ops)[0],
                    "inserted_words": stats(ops)[1],
                }
                for name, ops in self.ops.items()
            },
            "metadata": [{"field": c.field, "old": c.old, "new": c.new} for c in self.metadata],
            "notes": self.notes,
        }


def texts_of(question: Question) -> dict[str, str]:
    return {"answer_text": question.answer_text or "", "question_text": question.question_text}


def _compare(
    old_label: str,
    new_label: str,
    old_value: Mapping[str, Any],
    new_value: Mapping[str, Any],
    fields: tuple[str, ...],
    *,
    metadata: bool,
) -> Comparison:
    old, new = parse(old_value), parse(new_value)
    a, b = texts_of(old), texts_of(new)
    texts = {f: (a[f], b[f]) for f in fields}
    ops = {f: word_diff(*texts[f]) for f in fields}
    notes = []
    if "answer_text" in fields:
        # a correction's own markup, when it describes exactly these two answers, is the
        # authority on what changed: it is what the department published
        marked = api_marked_diff(new_value.get("comparableAnswerText"), *texts["answer_text"])
        if marked is not None:
            ops["answer_text"] = marked
            notes.append("answer changes as the API marks the correction")
    return Comparison(
        old_label,
        new_label,
        texts,
        ops,
        metadata_changes(old, new) if metadata else [],
        notes,
    )


def versions(
    qid: int,
    values: list[dict[str, Any]],
    *,
    from_version: int | None = None,
    to_version: int | None = None,
) -> Comparison:
    """Two of a question's stored `values` (oldest first): by default the latest against the
    last that reads differently.

    A corrected answer whose earlier text pqtrack never stored is compared with the API's
    `originalAnswerText`.
    """
    count = len(values)
    texts = [texts_of(parse(v)) for v in values]
    for name, number in (("--from", from_version), ("--to", to_version)):
        if number is not None and not 1 <= number <= count:
            raise UsageError(f"{name} {number}: question {qid} has versions 1 to {count}")
    to_index = (to_version or count) - 1
    new = values[to_index]
    if from_version is not None:
        old_index = from_version - 1
    else:
        old_index = next(
            (i for i in range(to_index - 1, -1, -1) if texts[i] != texts[to_index]),
            to_index - 1 if to_index > 0 else -1,
        )
    if old_index >= 0:
        comparison = _compare(
            f"{qid} v{old_index + 1}",
            f"{qid} v{to_index + 1}",
            values[old_index],
            new,
            FIELDS,
            metadata=True,
        )
    elif new.get("originalAnswerText"):
        original = {**new, "answerText": new["originalAnswerText"]}
        comparison = _compare(
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
        comparison = _compare(f"{qid} v1", f"{qid} v1", new, new, FIELDS, metadata=False)
        comparison.notes.append(f"question {qid} has only one version")
    for i in {old_index, to_index} - {-1}:
        if answer_is_cut(values[i].get("answerText")):
            comparison.notes.append(
                f"v{i + 1}'s answer is known only from a list result, cut at 255 characters"
            )
    return comparison


def statement_versions(
    sid: int,
    values: list[dict[str, Any]],
    *,
    from_version: int | None = None,
    to_version: int | None = None,
) -> Comparison:
    """Two of a written statement's stored `values` (oldest first), its text and title word by
    word: by default the latest against the last that reads differently."""
    from pqtrack import statement

    count = len(values)
    parsed = [statement.parse(v) for v in values]
    texts = [(p.text, p.title or "") for p in parsed]
    label = f"S{sid}"
    for name, number in (("--from", from_version), ("--to", to_version)):
        if number is not None and not 1 <= number <= count:
            raise UsageError(f"{name} {number}: statement {label} has versions 1 to {count}")
    to_index = (to_version or count) - 1
    if from_version is not None:
        old_index = from_version - 1
    else:
        old_index = next(
            (i for i in range(to_index - 1, -1, -1) if texts[i] != texts[to_index]),
            max(to_index - 1, 0),
        )
    old, new = parsed[old_index], parsed[to_index]
    pairs = {"text": (old.text, new.text), "title": (old.title or "", new.title or "")}
    changes = [
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in ("date_made", "answering_body_name", "member_id", "member_role")
        if getattr(old, name) != getattr(new, name)
    ]
    comparison = Comparison(
        f"{label} v{old_index + 1}",
        f"{label} v{to_index + 1}",
        pairs,
        {f: word_diff(*pair) for f, pair in pairs.items()},
        changes,
    )
    if count == 1:
        comparison.notes.append(f"statement {label} has only one version")
    for i in {old_index, to_index}:
        if statement.text_is_cut(values[i].get("text")):
            comparison.notes.append(
                f"v{i + 1}'s text is known only from a list result, cut at 255 characters"
            )
    return comparison


def questions(
    a: tuple[int, Mapping[str, Any]], b: tuple[int, Mapping[str, Any]], *, field_name: str
) -> Comparison:
    """The current answers (or question texts) of two questions, each given as (id, value)."""
    check_field(field_name)
    (id_a, value_a), (id_b, value_b) = a, b
    return _compare(str(id_a), str(id_b), value_a, value_b, (field_name,), metadata=False)


def check_field(field_name: str) -> None:
    """A usage error unless `field_name` is a text two questions can be compared on."""
    if field_name not in FIELDS:
        raise UsageError(f"--field: {field_name!r} is not one of {', '.join(FIELDS)}")
