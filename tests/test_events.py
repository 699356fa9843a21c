"""versions.events_between: typed events on real timelines and list-vs-single edge cases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pqtrack.question import EVENTS, LIST_CUT, list_view, parse
from pqtrack.versions import Event, events_between
from tests.build import question
from tests.samples import (
    all_detail_files,
    all_timeline_folders,
    detail_value,
    own_timeline_folders,
    shared,
    shared_timeline_folders,
    timeline,
)


def between(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Event]:
    """The events between two API values, as the store computes them: on the typed records."""
    return events_between(None if old is None else parse(old), parse(new))


def event_names(values: list[dict[str, Any]]) -> list[list[str]]:
    steps: list[list[str]] = []
    previous: dict[str, Any] | None = None
    for value in values:
        steps.append([e.event for e in between(previous, value)])
        previous = value
    return steps


# One inner list per snapshot of our own timelines (tests/data/api/timelines), written by hand
# after reading each file's fields. A heading that arrives with an answer is reported as well;
# at first sight only "tabled" and the answer's own events are.
OWN_TIMELINES = {
    "answered_and_corrected_same_day": [["tabled"], ["heading"], ["answered", "corrected"]],
    "answered_at_prorogation": [["tabled", "answered"]],
    "answered_then_corrected": [["tabled", "answered"], ["corrected"]],
    "corrected_beyond_the_cut": [["tabled", "answered"], ["corrected"]],
    "dateForAnswer_changed_heading_after_answer": [["tabled"], [], ["answered"], ["heading"]],
    "dateTabled_changed": [["tabled"], []],
    "grouped_questions_changed": [["tabled"], []],
    "transferred_reworded_then_answered": [
        ["tabled"],
        ["transferred", "reworded"],
        ["heading", "answered"],
    ],
    "unanswered_answered_corrected": [["tabled"], ["heading"], ["answered"], ["corrected"]],
    "unanswered_holding_substantive": [["tabled"], ["heading", "holding"], ["substantive"]],
    "vanished_from_list": [["tabled"]],
}

# The same for the shared real timelines, an extra check on data the API really sent.
# Some timelines go further than their folder name says: 1738658 and 1738742 are answered later,
# and 1738742's transfer also rewrote the question ("Home Department" -> "Housing, Communities
# and Local Government").
TIMELINES = {
    "q1676644_answered_at_prorogation": [["tabled", "answered"]],
    "q1725947_answered_then_corrected": [["tabled", "answered"], ["corrected"]],
    "q1728699_transferred_reworded_then_answered": [
        ["tabled"],
        ["transferred", "reworded"],
        ["answered"],
    ],
    "q1738658_dateForAnswer_changed": [["tabled"], [], ["answered"], ["heading"]],
    "q1738667_grouped_questions_changed": [["tabled"], ["heading", "answered"]],
    "q1738742_transferred_department_heading_assigned": [
        ["tabled"],
        ["transferred", "reworded"],
        ["heading"],
        ["answered"],
    ],
    "q1739258_unanswered_answered_corrected": [
        ["tabled"],
        ["heading"],
        ["answered"],
        ["corrected"],
    ],
    "q1740162_answered_and_corrected_same_day": [
        ["tabled"],
        ["heading"],
        ["answered", "corrected"],
    ],
    "q1740381_unanswered_holding_substantive": [
        ["tabled"],
        ["heading", "holding"],
        ["substantive"],
    ],
    "q1740470_vanished_from_list": [["tabled"]],
    "q1746166_unanswered_holding_substantive": [
        ["tabled"],
        ["heading", "holding"],
        ["substantive"],
    ],
    "q1746478_dateTabled_changed": [["tabled"], ["reworded"], ["heading"], ["answered"]],
}


@pytest.mark.parametrize("folder", [*sorted(OWN_TIMELINES), *shared(*sorted(TIMELINES))])
def test_timelines(folder: str) -> None:
    assert event_names(timeline(folder)) == {**OWN_TIMELINES, **TIMELINES}[folder]


def test_every_own_timeline_folder_has_an_expectation() -> None:
    assert {p.name for p in own_timeline_folders()} == set(OWN_TIMELINES)


# Which folders the shared samples hold is a fact about them alone.
@pytest.mark.samples
def test_every_timeline_folder_has_an_expectation() -> None:
    assert {p.name for p in shared_timeline_folders()} == set(TIMELINES)


def test_own_timeline_event_values() -> None:
    tabled, moved, answered = timeline("transferred_reworded_then_answered")
    assert between(None, tabled) == [Event("tabled", None, "2025-01-06")]
    transferred, reworded = between(tabled, moved)
    assert transferred == Event("transferred", "Treasury", "Cabinet Office")
    assert reworded.old.startswith("To ask the Chancellor of the Exchequer, what the cost")
    assert reworded.new.startswith("To ask the Minister for the Cabinet Office, what the cost")
    assert between(moved, answered) == [
        Event("heading", None, "Civil Service: Graduates"),
        Event("answered", None, "2025-01-21"),
    ]

    unanswered, holding, substantive = timeline("unanswered_holding_substantive")
    assert between(unanswered, holding)[1] == Event("holding", None, "2025-01-20")
    assert between(holding, substantive) == [Event("substantive", "2025-01-20", "2025-02-03")]

    answered, corrected = timeline("answered_then_corrected")
    assert between(None, answered) == [
        Event("tabled", None, "2025-01-06"),
        Event("answered", None, "2025-01-14"),
    ]
    assert between(answered, corrected) == [Event("corrected", None, "2025-02-10")]

    *_, same_day = timeline("answered_and_corrected_same_day")
    assert between(None, same_day) == [
        Event("tabled", None, "2025-01-06"),
        Event("answered", None, "2025-01-16"),
        Event("corrected", None, "2025-01-16"),
    ]


# The same checks on what the API really sent: the values are facts about the real timelines.
@pytest.mark.samples
def test_timeline_event_values() -> None:
    tabled, moved, answered = timeline("q1728699_transferred_reworded_then_answered")
    assert between(None, tabled) == [Event("tabled", None, "2024-09-10")]
    transferred, reworded = between(tabled, moved)
    assert transferred == Event(
        "transferred", "Department for Business and Trade", "Cabinet Office"
    )
    assert reworded.old.startswith("To ask the Secretary of State for Business and Trade, if")
    assert reworded.new.startswith("To ask the Minister for the Cabinet Office, if")
    assert between(moved, answered) == [Event("answered", None, "2024-12-19")]

    unanswered, holding, substantive = timeline("q1740381_unanswered_holding_substantive")
    assert between(unanswered, holding)[1] == Event("holding", None, "2024-11-13")
    assert between(holding, substantive) == [Event("substantive", "2024-11-13", "2024-11-14")]

    answered, corrected = timeline("q1725947_answered_then_corrected")
    assert between(None, answered) == [
        Event("tabled", None, "2024-08-30"),
        Event("answered", None, "2024-09-09"),
    ]
    assert between(answered, corrected) == [Event("corrected", None, "2024-11-26")]


def test_same_snapshot_is_no_event() -> None:
    for folder in all_timeline_folders():
        for value in timeline(folder):
            assert between(value, value) == []


def test_list_form_and_single_form_of_the_same_answer_give_no_event() -> None:
    """Our own single responses, and the shared ones when present."""
    cut = 0
    for path in all_detail_files():
        full = detail_value(path)
        listed = list_view(full)
        cut += listed["questionText"] != full["questionText"]
        assert between(full, listed) == [], path.name
        assert between(listed, full) == [], path.name
    assert cut > 0  # some questions really were longer than the list shows


def value(**fields: Any) -> dict[str, Any]:
    """An unanswered Commons question as the API shows it, with `fields` on top."""
    base: dict[str, Any] = {
        "uin": "1234",
        "dateTabled": "2024-11-01T00:00:00",
        "questionText": "To ask the Secretary of State for Health and Social Care, what steps.",
    }
    return question(1, **{**base, **fields})


ANSWERED = {
    "answerIsHolding": False,
    "answerIsCorrection": False,
    "answeringMemberId": 4000,
    "dateAnswered": "2024-11-05T00:00:00",
    "answerText": "<p>An answer.</p>",
}
HOLDING = {
    **ANSWERED,
    "answerIsHolding": True,
    "dateHoldingAnswer": "2024-11-05T00:00:00",
    "answerText": "<p>It will not be possible to answer this question within the usual time.</p>",
}
CORRECTED = {**ANSWERED, "answerIsCorrection": True, "dateAnswerCorrected": "2024-11-20T00:00:00"}


def names(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    return [e.event for e in between(old, new)]


LONG = "To ask the Chancellor of the Exchequer, " + "with reference to the figures, " * 12


@pytest.mark.parametrize(
    ("old_text", "new_text"),
    [
        (LONG, LONG[:LIST_CUT]),  # a list item after a single fetch
        (LONG[:LIST_CUT], LONG),  # a single fetch after a list item
        (LONG, LONG.replace(", ", ",  ")),  # whitespace only
    ],
)
def test_not_reworded(old_text: str, new_text: str) -> None:
    assert len(LONG) > LIST_CUT
    assert names(value(questionText=old_text), value(questionText=new_text)) == []


@pytest.mark.parametrize(
    ("old_text", "new_text"),
    [
        (LONG, LONG + "and the forecasts."),  # changed after character 255, both full texts
        (LONG[: LIST_CUT - 1], LONG),  # a prefix, but not the list's cut
        (LONG[:LIST_CUT], LONG[:LIST_CUT].replace("Chancellor", "Prime Minister")),
    ],
)
def test_reworded(old_text: str, new_text: str) -> None:
    events = between(value(questionText=old_text), value(questionText=new_text))
    assert events == [Event("reworded", old_text, new_text)]


def test_list_answer_against_html_answer() -> None:
    html = "<p>" + "The Department keeps this under review. " * 10 + "</p><p>More.</p>"
    full = value(**{**CORRECTED, "answerText": html})
    listed = list_view(full)
    assert listed["answerText"].endswith("...")
    assert names(full, listed) == [] and names(listed, full) == []


def test_first_sight() -> None:
    assert names(None, value()) == ["tabled"]
    assert names(None, value(heading="Health: Research")) == ["tabled"]
    assert names(None, value(**HOLDING)) == ["tabled", "holding"]
    assert names(None, value(**ANSWERED)) == ["tabled", "answered"]
    # Corrected on the day of the answer, so first seen already corrected (API.md Q11).
    assert between(None, value(**CORRECTED)) == [
        Event("tabled", None, "2024-11-01"),
        Event("answered", None, "2024-11-05"),
        Event("corrected", None, "2024-11-20"),
    ]
    assert names(None, value(isWithdrawn=True)) == ["tabled", "withdrawn"]


def test_answer_progress() -> None:
    unanswered, holding, answered = value(), value(**HOLDING), value(**ANSWERED)
    assert names(unanswered, holding) == ["holding"]
    assert names(unanswered, answered) == ["answered"]
    assert names(holding, answered) == ["substantive"]
    assert names(holding, holding) == []
    assert names(answered, answered) == []


def test_second_correction_reports_both_dates() -> None:
    first = value(**CORRECTED)
    second = value(**{**CORRECTED, "dateAnswerCorrected": "2024-12-02T00:00:00"})
    assert between(first, second) == [Event("corrected", "2024-11-20", "2024-12-02")]
    assert names(second, second) == []


def test_transfer_falls_back_to_ids() -> None:
    old = value(answeringBodyName=None)
    new = value(answeringBodyId=7, answeringBodyName=None)
    assert between(old, new) == [Event("transferred", 17, 7)]


def test_heading_set_changed_and_cleared() -> None:
    assert between(value(), value(heading="Carers")) == [Event("heading", None, "Carers")]
    assert between(value(heading="Carers"), value(heading="Carers: Pay")) == [
        Event("heading", "Carers", "Carers: Pay")
    ]
    assert names(value(heading="Carers"), value()) == []


def test_withdrawn() -> None:
    assert names(value(), value(isWithdrawn=True)) == ["withdrawn"]
    assert names(value(isWithdrawn=True), value(isWithdrawn=True)) == []


def test_reading_order_and_names() -> None:
    old = value()
    new = value(
        **CORRECTED,
        answeringBodyId=53,
        answeringBodyName="Cabinet Office",
        questionText="To ask the Minister for the Cabinet Office, what steps.",
        heading="Civil Service",
        isWithdrawn=True,
    )
    events = between(old, new)
    assert [e.event for e in events] == [
        "transferred",
        "reworded",
        "heading",
        "answered",
        "corrected",
        "withdrawn",
    ]
    assert {e.event for e in events} <= set(EVENTS)
    json.dumps([[e.event, e.old, e.new] for e in events])
