"""versions.merge through the store: what a list item or a detail response does to what is stored.

Values come from our own single responses (and the shared samples when present); their list
renderings are built the way the list endpoint renders them (API.md §6): texts cut by
`list_answer`/`list_question`, the detail-only texts empty, and the grouping the single
endpoint never shows.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from pqtrack.question import content, list_answer
from pqtrack.record import html_to_text, plain_text
from pqtrack.store import Store
from pqtrack.versions import merge, snake
from tests.build import list_item, memory_store
from tests.samples import all_detail_files, have_samples, shared, timeline, uncorrected

Value = dict[str, Any]

# -- helpers -------------------------------------------------------------------------------------


@cache
def _template() -> Store:
    return memory_store()


def fresh_store() -> Store:
    """A migrated in-memory store, copied from a template (fast enough for hypothesis)."""
    conn = sqlite3.connect(":memory:")
    _template().db.conn.backup(conn)
    return Store(Database(conn))


@cache
def _details() -> tuple[Value, ...]:
    """The answered single responses, ours then the shared ones (all of which are answered)."""
    values = (json.loads(p.read_text(encoding="utf-8"))["value"] for p in all_detail_files())
    return tuple(v for v in values if v["answerText"] is not None)


def details() -> list[Value]:
    return [dict(v) for v in _details()]


def detail(qid: int) -> Value:
    (value,) = [v for v in details() if v["id"] == qid]
    return value


def save(store: Store, value: Value, source: str | None = None) -> dict[str, Any]:
    return store.save([(value, source)], run_id=None).as_dict()  # type: ignore[list-item]


def end_state(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`questions` rows without timestamps, and every question's current version."""
    skip = {"first_seen", "last_seen", "last_changed"}
    rows = [
        {k: v for k, v in row.items() if k not in skip}
        for row in store.db.query("SELECT * FROM questions ORDER BY id")
    ]
    current = list(
        store.db.query(
            "SELECT v.question_id, v.version, v.record, v.content_hash, v.source, v.truncated"
            " FROM versions v JOIN questions q ON q.id = v.question_id AND q.version = v.version"
            " ORDER BY v.question_id"
        )
    )
    return rows, current


def versions(store: Store, qid: int) -> list[dict[str, Any]]:
    return list(
        store.db.query(
            "SELECT version, source, truncated, changed, record FROM versions"
            " WHERE question_id = ? ORDER BY version",
            [qid],
        )
    )


def row(store: Store, qid: int) -> dict[str, Any]:
    return next(store.db.query("SELECT * FROM questions WHERE id = ?", [qid]))


def snake_diff(old: Value, new: Value, ignore: tuple[str, ...] = ()) -> list[str]:
    """The snake_case names of the fields that differ, computed here from the raw values."""
    keys = (set(old) | set(new)) - set(ignore)
    return sorted(snake(k) for k in keys if old.get(k) != new.get(k))


GROUPING = [("34768", "2025-03-03T00:00:00"), ("34769", "2025-03-04T00:00:00")]

# -- a list item never shortens or versions a full text ------------------------------------------


def test_a_list_item_never_replaces_a_full_text_nor_makes_a_version() -> None:
    store = fresh_store()
    for full in details():
        save(store, full)
        counts = save(store, list_item(full), "list")
        assert counts["unchanged"] == 1 and counts["changed"] == 0, full["id"]
        stored = row(store, full["id"])
        assert stored["answer_text"] == html_to_text(full["answerText"])
        assert stored["question_text"] == full["questionText"]
        assert stored["truncated"] == 0
        assert stored["version"] == 1
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == len(details())


def test_the_list_item_alone_is_stored_cut_and_flagged_truncated() -> None:
    store = fresh_store()
    long = [d for d in details() if len(list_answer(d["answerText"])) == 258]
    assert len(long) > (50 if have_samples() else 5)
    for full in long:
        save(store, list_item(full), "list")
        stored = row(store, full["id"])
        assert stored["truncated"] == 1
        assert stored["answer_text"].endswith("...")
        (v,) = versions(store, full["id"])
        assert v["source"] == "list" and v["truncated"] == 1


def test_merge_outcomes_directly() -> None:
    full = detail(3100001)
    cut = list_item(full)
    assert merge(None, None, full).outcome == "new"
    assert merge(None, None, full).source == "detail"
    assert merge(None, None, cut).source == "list"
    assert merge(None, None, cut).truncated is True
    unchanged = merge(content(full), "detail", cut)
    assert unchanged.outcome == "unchanged" and unchanged.changed == []
    filled = merge(content(cut), "list", full)
    assert filled.outcome == "filled"
    assert filled.source == "detail" and filled.truncated is False
    assert filled.value["answerText"] == full["answerText"]


# -- detail-then-list == list-then-detail ----------------------------------------------------------

_groupings = st.lists(
    st.tuples(
        st.from_regex(r"(HL)?[1-9][0-9]{1,5}", fullmatch=True),
        st.dates().map(lambda d: f"{d.isoformat()}T00:00:00"),
    ),
    max_size=3,
    unique_by=lambda t: t[0],
)


@settings(max_examples=120, deadline=None)
@given(index=st.integers(min_value=0, max_value=125), grouping=_groupings)
def test_detail_then_list_equals_list_then_detail(index: int, grouping: Any) -> None:
    full = details()[index % len(details())]
    listed = list_item(full, grouping)

    a = fresh_store()
    save(a, full)
    save(a, listed, "list")
    b = fresh_store()
    save(b, listed, "list")
    save(b, full)
    c = fresh_store()  # both in one batch
    c.save([(listed, "list"), (full, None)], run_id=None)

    assert end_state(a) == end_state(b) == end_state(c)
    rows, current = end_state(a)
    assert rows[0]["version"] == 1
    assert rows[0]["truncated"] == 0
    assert rows[0]["answer_text"] == html_to_text(full["answerText"])
    assert json.loads(rows[0]["grouped_uins"]) == [uin for uin, _ in grouping]
    assert current[0]["source"] == "detail"


def test_every_detail_commutes_with_its_list_rendering() -> None:
    for full in details():
        for grouping in ([], GROUPING):
            listed = list_item(full, grouping)
            a, b = fresh_store(), fresh_store()
            save(a, full)
            save(a, listed, "list")
            save(b, listed, "list")
            save(b, full)
            assert end_state(a) == end_state(b), full["id"]


# -- a list item that shows a real change is a new version ---------------------------------------


def test_a_new_heading_seen_in_a_list_is_a_new_version_and_keeps_the_full_texts() -> None:
    store = fresh_store()
    full = detail(3100081)
    save(store, full)
    listed = {**list_item(full), "heading": "Ministry of Defence: Lost Property"}
    counts = save(store, listed, "list")
    assert counts["changed"] == 1 and counts["events"] == {"heading": 1}
    v1, v2 = versions(store, full["id"])
    assert json.loads(v2["changed"]) == ["heading"]
    assert v2["source"] == "detail" and v2["truncated"] == 0
    stored = row(store, full["id"])
    assert stored["heading"] == "Ministry of Defence: Lost Property"
    assert stored["answer_text"] == html_to_text(full["answerText"])
    assert stored["question_text"] == full["questionText"]


def test_a_newly_answered_question_seen_in_a_list_is_a_new_version() -> None:
    store = fresh_store()
    full = detail(3100001)
    unanswered = {
        **full,
        "heading": None,
        "answerText": None,
        "dateAnswered": None,
        "answerIsHolding": None,
        "answerIsCorrection": None,
        "answeringMemberId": None,
    }
    save(store, unanswered)
    listed = list_item(full)
    counts = save(store, listed, "list")
    assert counts["changed"] == 1
    assert counts["events"] == {"answered": 1, "heading": 1}
    v1, v2 = versions(store, full["id"])
    assert json.loads(v2["changed"]) == snake_diff(unanswered, listed, ignore=("questionText",))
    assert json.loads(v2["changed"]) == [
        "answer_is_correction",
        "answer_is_holding",
        "answer_text",
        "answering_member_id",
        "date_answered",
        "heading",
    ]
    stored = row(store, full["id"])
    assert stored["status"] == "answered"
    assert stored["question_text"] == full["questionText"]  # the full question is kept
    assert stored["answer_text"] == listed["answerText"]
    assert stored["truncated"] == 1
    # the full record of that state then fills the version in
    counts = save(store, full)
    assert counts["filled"] == 1 and counts["changed"] == 0
    assert [v["version"] for v in versions(store, full["id"])] == [1, 2]
    assert row(store, full["id"])["answer_text"] == html_to_text(full["answerText"])
    assert row(store, full["id"])["truncated"] == 0


@pytest.mark.parametrize("qid", [3100063, *shared(1781191, 1783783)])
def test_a_correction_beyond_the_cut_still_makes_a_version(qid: int) -> None:
    """API.md Q2: the list's 255 characters are the same before and after this correction."""
    corrected = detail(qid)
    before = uncorrected(corrected)
    listed = list_item(corrected)
    assert list_answer(before["answerText"]) == listed["answerText"]
    assert html_to_text(before["answerText"]) != html_to_text(corrected["answerText"])

    store = fresh_store()
    save(store, before)
    counts = save(store, listed, "list")
    assert counts["changed"] == 1 and counts["events"] == {"corrected": 1}
    v1, v2 = versions(store, qid)
    changed = json.loads(v2["changed"])
    assert {"answer_is_correction", "date_answer_corrected", "correcting_member_id"} <= set(changed)
    assert set(changed) <= {
        "answer_is_correction",
        "date_answer_corrected",
        "correcting_member_id",
        "answer_text",
    }
    stored = row(store, qid)
    assert stored["status"] == "corrected"
    assert stored["answer_text"] == plain_text(listed["answerText"])
    assert stored["answer_text"].endswith("...") and len(listed["answerText"]) == 258
    assert stored["truncated"] == 1
    assert v2["source"] == "list" and v2["truncated"] == 1

    counts = save(store, corrected)  # the full corrected record completes that version
    assert counts["filled"] == 1
    assert [v["version"] for v in versions(store, qid)] == [1, 2]
    stored = row(store, qid)
    assert stored["answer_text"] == html_to_text(corrected["answerText"])
    assert stored["original_answer_text"] == html_to_text(corrected["originalAnswerText"])
    assert stored["truncated"] == 0


@pytest.mark.parametrize(
    "folder", ["corrected_beyond_the_cut", *shared("q1725947_answered_then_corrected")]
)
def test_an_answered_then_corrected_timeline_makes_two_versions(folder: str) -> None:
    first, second = timeline(folder)
    assert first["answerText"] == second["answerText"]
    store = fresh_store()
    save(store, first)
    counts = save(store, second)
    assert counts["changed"] == 1
    _, v2 = versions(store, first["id"])
    assert json.loads(v2["changed"]) == snake_diff(first, second)
    assert row(store, first["id"])["status"] == "corrected"


def test_a_list_item_first_seen_already_corrected_is_corrected() -> None:
    store = fresh_store()
    corrected = detail(3100070)
    counts = save(store, list_item(corrected), "list")
    assert counts["new"] == 1 and counts["events"]["corrected"] == 1
    assert row(store, 3100070)["status"] == "corrected"


# -- grouping ------------------------------------------------------------------------------------


def test_grouping_learnt_from_a_list_after_a_detail_is_a_fill_in() -> None:
    store = fresh_store()
    full = detail(3100090)
    assert full["groupedQuestions"] == []
    save(store, full)
    counts = save(store, list_item(full, GROUPING), "list")
    assert (counts["new"], counts["changed"], counts["filled"], counts["events"]) == (0, 0, 1, {})
    (v1,) = versions(store, full["id"])
    record = json.loads(v1["record"])
    assert record["groupedQuestions"] == ["34768", "34769"]
    assert record["answerText"] == full["answerText"]  # still the full HTML
    assert json.loads(row(store, full["id"])["grouped_uins"]) == ["34768", "34769"]
    # a later detail (grouping empty again) keeps what the list taught
    assert save(store, full)["unchanged"] == 1
    assert json.loads(row(store, full["id"])["grouped_uins"]) == ["34768", "34769"]


def test_a_changed_grouping_is_a_new_version() -> None:
    store = fresh_store()
    full = detail(3100090)
    save(store, list_item(full, GROUPING[:1]), "list")
    counts = save(store, list_item(full, GROUPING), "list")
    assert counts["changed"] == 1
    _, v2 = versions(store, full["id"])
    assert json.loads(v2["changed"]) == ["grouped_questions", "grouped_questions_dates"]


def test_values_without_grouping_keys_are_not_given_grouping_changes() -> None:
    store = fresh_store()
    bare = {"id": 42, "questionText": "To ask about crossings.", "answerText": "<p>Yes.</p>"}
    save(store, bare)
    assert save(store, bare)["unchanged"] == 1
    save(store, {**bare, "answerText": "<p>No.</p>"})
    _, v2 = versions(store, 42)
    assert json.loads(v2["changed"]) == ["answer_text"]
