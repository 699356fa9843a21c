"""analysis/timeliness.py: working days, deadlines, classification and group statistics."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqtrack.analysis.timeliness import (
    LORDS_WORKING_DAYS,
    STORED_COLUMNS,
    GroupStats,
    QuestionFacts,
    Status,
    classify,
    convention,
    deadline,
    from_stored,
    is_bank_holiday,
    is_lapsed_answer,
    is_recess,
    is_working_day,
    median,
    summarise,
    summarise_by,
    working_days_after,
    working_days_between,
)
from pqtrack.question import parse, status_of
from tests.samples import require_samples

D = date.fromisoformat

# --------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    "day",
    [
        "2024-03-29",  # Good Friday
        "2024-04-01",  # Easter Monday
        "2025-04-18",  # Good Friday
        "2025-04-21",  # Easter Monday
        "2024-12-25",  # Christmas Day (Wednesday)
        "2024-12-26",  # Boxing Day (Thursday)
        "2020-12-28",  # Boxing Day fell on a Saturday: substitute Monday
        "2021-12-27",  # Christmas on a Saturday: substitute Monday
        "2021-12-28",  # Boxing Day on a Sunday: substitute Tuesday
        "2022-12-27",  # Christmas on a Sunday: substitute Tuesday after Boxing Day
        "2022-01-03",  # New Year's Day on a Saturday: substitute Monday
        "2022-09-19",  # one-off: state funeral
        "2024-05-27",  # Spring bank holiday
        "2024-08-26",  # Summer bank holiday (England, not Scotland's early August one)
    ],
)
def test_bank_holidays_are_not_working_days(day: str) -> None:
    assert is_bank_holiday(D(day))
    assert not is_working_day(D(day))


def test_weekends_and_ordinary_days() -> None:
    assert not is_working_day(D("2024-11-09"))  # Saturday
    assert not is_working_day(D("2024-11-10"))  # Sunday
    assert is_working_day(D("2024-11-11"))
    assert not is_bank_holiday(D("2024-08-05"))  # Scottish summer holiday only


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2024-03-08", 1, "2024-03-11"),  # Friday -> Monday
        ("2024-03-09", 1, "2024-03-11"),  # from a Saturday
        ("2024-03-28", 1, "2024-04-02"),  # over Good Friday, the weekend and Easter Monday
        ("2025-04-17", 1, "2025-04-22"),
        ("2024-12-23", 1, "2024-12-24"),
        ("2024-12-23", 2, "2024-12-27"),  # over Christmas and Boxing Day
        ("2020-12-24", 1, "2020-12-29"),  # Christmas Friday, substitute Boxing Day Monday
        ("2021-12-24", 1, "2021-12-29"),  # two substitute days
        ("2022-12-23", 1, "2022-12-28"),  # Boxing Day Monday, substitute Christmas Tuesday
        ("2021-12-31", 1, "2022-01-04"),  # substitute New Year's Day
        ("2024-11-04", 5, "2024-11-11"),
        ("2024-11-04", 10, "2024-11-18"),
        ("2024-11-04", 0, "2024-11-04"),
        ("2024-11-11", -5, "2024-11-04"),
        ("2024-04-02", -1, "2024-03-28"),
    ],
)
def test_working_days_after(start: str, n: int, expected: str) -> None:
    assert working_days_after(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-11-04", "2024-11-04", 0),
        ("2024-11-08", "2024-11-11", 1),  # Friday -> Monday
        ("2024-11-09", "2024-11-10", 0),  # Saturday -> Sunday
        ("2024-12-20", "2024-12-27", 3),  # 23, 24, 27
        ("2021-12-24", "2021-12-31", 3),  # 29, 30, 31
        ("2024-03-28", "2024-04-02", 1),
        ("2024-12-27", "2024-12-20", -3),
        ("2023-01-01", "2024-01-01", 251),  # 261 weekdays less 10 bank holidays (coronation)
    ],
)
def test_working_days_between(start: str, end: str, expected: int) -> None:
    assert working_days_between(D(start), D(end)) == expected


def _brute_between(start: date, end: date) -> int:
    lo, hi = sorted((start, end))
    count = sum(is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
    return count if end >= start else -count


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))


@given(start=days, span=st.integers(min_value=-200, max_value=200))
def test_between_matches_day_by_day_count(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert working_days_between(start, end) == _brute_between(start, end)


@given(start=days, n=st.integers(min_value=0, max_value=60))
def test_after_and_between_are_inverse(start: date, n: int) -> None:
    end = working_days_after(start, n)
    assert working_days_between(start, end) == n
    assert n == 0 or is_working_day(end)


# --------------------------------------------------------------------------- deadlines


def test_ordinary_commons_deadline_ignores_date_for_answer() -> None:
    # dateForAnswer of an ordinary question is the earliest answer day, not the deadline.
    assert deadline("Commons", D("2024-11-04"), D("2024-11-06"), False) == D("2024-11-11")
    assert deadline("Commons", D("2024-11-04"), None, False) == D("2024-11-11")


def test_ordinary_commons_deadline_over_christmas() -> None:
    # Without recesses: 20, 23, 24, 27, 30 December.
    assert working_days_after(D("2024-12-19"), 5) == D("2024-12-30")
    # The Commons rose on 19 December 2024 and returned on 6 January: 6-10 January.
    assert deadline("Commons", D("2024-12-19"), None, False) == D("2025-01-10")


def test_named_day_deadline_is_the_named_day() -> None:
    assert deadline("Commons", D("2024-11-08"), D("2024-11-13"), True) == D("2024-11-13")
    # A named day without a date falls back to the ordinary rule.
    assert deadline("Commons", D("2024-11-08"), None, True) == D("2024-11-15")


def test_lords_deadline_is_ten_working_days() -> None:
    assert deadline("Lords", D("2024-11-04"), D("2024-11-18"), False) == D("2024-11-18")
    assert deadline("Lords", D("2024-11-04"), D("2024-11-06"), True) == D("2024-11-18")
    # Over Easter 2025, without recesses: 16 calendar days.
    assert working_days_after(D("2025-04-14"), 10) == D("2025-04-30")
    # With the Lords' Easter recess (to 22 April) and the early May bank holiday.
    assert deadline("Lords", D("2025-04-14"), None, False) == D("2025-05-06")


@pytest.mark.samples
def test_lords_deadline_matches_real_date_for_answer() -> None:
    """In the API, a Lords question's dateForAnswer is 10 working days after tabling,
    recess days counted: our deadline without recesses, not the recess-aware one."""
    path = require_samples() / "list_tabled_2021-02-01_bicameral_expandMember_take1000.json"
    values = [r["value"] for r in json.loads(path.read_text())["results"]]
    lords = [v for v in values if v["house"] == "Lords"]
    assert len(lords) > 100
    for v in lords:
        due = working_days_after(D(v["dateTabled"][:10]), LORDS_WORKING_DAYS)
        assert due == D(v["dateForAnswer"][:10]), v["uin"]


# --------------------------------------------------------------------------- classify


def facts(status: Status = "answered", **kw: object) -> QuestionFacts:
    base: dict[str, object] = {
        "house": "Commons",
        "date_tabled": D("2024-11-04"),
        "date_for_answer": D("2024-11-06"),
        "is_named_day": False,
        "status": status,
    }
    base.update(kw)
    return QuestionFacts(**base)  # type: ignore[arg-type]


def stored(value: dict[str, Any]) -> QuestionFacts:
    """An API value as the store keeps it (its status derived once, when it is saved), read
    back as `stats` and `list --overdue` read it."""
    row = parse(value).row()
    return from_stored(*(row[name] for name in STORED_COLUMNS), row["answer_text"])


def test_answered_on_the_deadline_is_on_time() -> None:
    t = classify(facts(date_answered=D("2024-11-11")))
    assert t.deadline == D("2024-11-11")
    assert t.on_time_substantive is True
    assert t.days_to_answer == 7
    assert t.working_days_to_answer == 5
    assert t.holding_by_deadline is False
    assert not t.overdue(D("2025-01-01"))


def test_answered_a_day_late() -> None:
    t = classify(facts(date_answered=D("2024-11-12")))
    assert t.on_time_substantive is False
    assert t.days_to_answer == 8


def test_holding_then_substantive() -> None:
    q = facts(
        is_named_day=True,
        date_tabled=D("2024-11-08"),
        date_for_answer=D("2024-11-13"),
        date_holding_answer=D("2024-11-13"),
        date_answered=D("2024-11-20"),
        answer_is_holding=False,
    )
    t = classify(q)
    assert t.deadline == D("2024-11-13")
    assert t.holding_by_deadline is True
    assert t.holding_date == D("2024-11-13")
    assert t.substantive_date == D("2024-11-20")
    assert t.on_time_substantive is False
    assert t.days_to_answer == 12  # to the substantive answer, not the holding one


def test_holding_answer_after_the_deadline() -> None:
    q = facts("holding", date_answered=D("2024-11-12"), date_holding_answer=D("2024-11-12"))
    t = classify(q)
    assert t.holding_by_deadline is False
    assert t.days_to_answer is None


def test_only_holding_and_past_deadline_is_overdue() -> None:
    q = facts("holding", date_answered=D("2024-11-08"), date_holding_answer=D("2024-11-08"))
    t = classify(q, today=D("2024-11-14"))
    assert t.holding_by_deadline is True
    assert t.overdue(D("2024-11-14"))
    assert t.days_overdue(D("2024-11-14")) == 3
    assert t.on_time_substantive is False
    assert t.days_to_answer is None
    # Without `today`, an open question's timeliness is unknown.
    assert classify(q).on_time_substantive is None


def test_unanswered_not_yet_due_vs_overdue() -> None:
    q = facts("unanswered")
    not_due = classify(q, today=D("2024-11-11"))  # the deadline day itself
    assert not not_due.overdue(D("2024-11-11"))
    assert not_due.on_time_substantive is None
    assert not_due.days_overdue(D("2024-11-11")) == 0
    late = classify(q, today=D("2024-11-12"))
    assert late.overdue(D("2024-11-12"))
    assert late.on_time_substantive is False
    assert late.days_overdue(D("2024-11-20")) == 9


def test_corrected_counts_on_its_original_answer_date() -> None:
    t = classify(facts("corrected", date_answered=D("2024-11-08")))
    assert t.on_time_substantive is True
    assert t.days_to_answer == 4


def test_withdrawn_is_never_overdue() -> None:
    t = classify(facts("withdrawn"), today=D("2025-01-01"))
    assert not t.overdue(D("2025-01-01"))
    assert t.on_time_substantive is None


def test_end_of_session_formula_is_lapsed_not_answered() -> None:
    text = (
        "It has not been possible to answer the noble Lord's question in the time available "
        "before Dissolution."
    )
    assert is_lapsed_answer(text)
    assert not is_lapsed_answer("The Department has no plans to do so.")
    assert not is_lapsed_answer(None)
    t = classify(facts(date_answered=D("2024-05-24"), answer_text=text))
    assert t.lapsed
    assert t.on_time_substantive is False
    assert t.days_to_answer is None
    assert t.substantive_date is None


@pytest.mark.samples
def test_real_prorogation_answer_is_lapsed() -> None:
    folder = require_samples() / "timelines" / "q1676644_answered_at_prorogation"
    value = json.loads(next(folder.glob("*.json")).read_text())["value"]
    assert is_lapsed_answer(value["answerText"])
    t = classify(stored(value), today=D("2024-06-01"))
    assert t.lapsed
    assert summarise([stored(value)], D("2024-06-01")).lapsed == 1


def test_lords_question_named_day_flag_is_ignored() -> None:
    t = classify(facts(house="Lords", is_named_day=True, date_answered=D("2024-11-18")))
    assert t.deadline == D("2024-11-18")
    assert t.on_time_substantive is True


# --------------------------------------------------------------------------- stored rows


def test_stored_columns_are_read_as_typed() -> None:
    row = ("Commons", "2024-11-04T00:00:00", "2024-11-06", 0, "answered", "2024-11-11", None, 0)
    assert from_stored(*row) == facts(date_answered=D("2024-11-11"), answer_is_holding=False)
    assert classify(from_stored(*row)).on_time_substantive is True
    assert from_stored(None, *row[1:]).house == "Commons"  # a house not known


def test_status_is_the_one_the_store_derived() -> None:
    api = {
        "id": 1,
        "uin": "1",
        "house": "Commons",
        "dateTabled": "2024-11-04T00:00:00",
        "dateForAnswer": "2024-11-06T00:00:00",
        "isNamedDay": False,
        "dateAnswered": None,
        "answerIsHolding": None,
        "answerIsCorrection": None,
        "dateHoldingAnswer": None,
    }
    assert stored(api).status == "unanswered"
    holding = {**api, "dateAnswered": "2024-11-08", "answerIsHolding": True}
    assert stored(holding).status == "holding"
    corrected = {**api, "dateAnswered": "2024-11-08", "answerIsCorrection": True}
    assert stored(corrected).status == "corrected"
    assert stored({**api, "isWithdrawn": True}).status == "withdrawn"
    # A correction date without the correction flag is not a correction: the record's status
    # says so, and timeliness no longer derives one of its own that disagrees.
    dated = {**api, "dateAnswered": "2024-11-08", "dateAnswerCorrected": "2024-11-09"}
    assert stored(dated).status == status_of(dated) == "answered"
    assert classify(stored(dated)).status == "answered"


@pytest.mark.samples
def test_real_holding_then_substantive_timeline() -> None:
    folder = require_samples() / "timelines" / "q1740381_unanswered_holding_substantive"
    versions = [json.loads(p.read_text())["value"] for p in sorted(folder.glob("*.json"))]
    results = [classify(stored(v)) for v in versions]
    statuses = [t.status for t in results]
    assert "holding" in statuses
    assert statuses[-1] == "answered"
    final = results[-1]
    first_holding = results[statuses.index("holding")]
    assert final.deadline == first_holding.deadline == D(versions[0]["dateForAnswer"][:10])
    assert final.holding_by_deadline
    assert final.substantive_date == D(versions[-1]["dateAnswered"][:10])
    assert final.on_time_substantive is False
    assert first_holding.days_to_answer is None


# --------------------------------------------------------------------------- aggregation


def test_median() -> None:
    assert median([]) is None
    assert median([3]) == 3.0
    assert median([3, 7, 14, 5]) == 6.0


def test_summarise_counts_medians_and_rates() -> None:
    today = D("2024-11-20")
    rows = [
        facts(date_answered=D("2024-11-07")),  # 3 days, on time
        facts(date_answered=D("2024-11-11")),  # 7 days, on time
        facts(  # 14 days, late, after a holding answer
            date_answered=D("2024-11-18"), date_holding_answer=D("2024-11-11")
        ),
        facts("corrected", date_answered=D("2024-11-09")),  # 5 days, on time
        facts("holding", date_answered=D("2024-11-11"), date_holding_answer=D("2024-11-11")),
        facts("unanswered", date_tabled=D("2024-11-18")),  # due 2024-11-25
        facts("withdrawn"),
    ]
    s = summarise(rows, today)
    assert s == GroupStats(
        tabled=7,
        answered=4,
        unanswered=1,
        holding=1,
        corrected=1,
        withdrawn=1,
        lapsed=0,
        overdue=1,
        on_time=3,
        had_holding=2,
        median_days=6.0,
        median_working_days=4.5,
    )
    assert s.on_time_rate == 0.75
    assert s.holding_rate == pytest.approx(2 / 5)


def test_summarise_empty_group() -> None:
    s = summarise([], D("2024-11-20"))
    assert s.tabled == 0
    assert s.median_days is None
    assert s.on_time_rate is None
    assert s.holding_rate is None


def test_summarise_by_key() -> None:
    rows = [
        facts(house="Commons", date_answered=D("2024-11-07")),
        facts(house="Lords", date_answered=D("2024-11-25")),
        facts(house="Commons", date_answered=D("2024-11-15")),
    ]
    by_house = summarise_by(((r.house, r) for r in rows), D("2024-12-01"))
    assert list(by_house) == ["Commons", "Lords"]
    assert by_house["Commons"].answered == 2
    assert by_house["Commons"].on_time_rate == 0.5
    assert by_house["Lords"].on_time_rate == 0.0
    assert by_house["Lords"].median_days == 21.0


# --------------------------------------------------------------------------- recesses
# The Commons and (as data/recess.toml gives it) the Lords rose on Tuesday 22 July 2025 and
# returned on Monday 1 September: 23 July to 31 August are recess days.


def test_recess_days_are_not_working_days_of_that_house() -> None:
    for house in ("Commons", "Lords", "lords"):
        assert not is_working_day(D("2025-08-13"), house)
        assert is_working_day(D("2025-07-22"), house)  # the day it rose sat
        assert is_working_day(D("2025-09-01"), house)  # the day it returned
    assert is_working_day(D("2025-08-13"))  # without a House: weekdays and bank holidays only
    assert is_working_day(D("2025-08-13"), "Scottish Parliament")  # a House we have no dates for
    assert working_days_between(D("2025-07-18"), D("2025-09-03"), "Commons") == 5  # 21-22, 1-3
    assert working_days_between(D("2025-07-18"), D("2025-09-03")) == 32  # less 25 August


def test_an_ordinary_commons_question_tabled_before_the_summer_recess() -> None:
    # Friday 18 July: Monday 21 and Tuesday 22 July, then 1, 2 and 3 September.
    assert deadline("Commons", D("2025-07-18"), D("2025-07-22"), False) == D("2025-09-03")
    on_time = classify(
        facts(
            date_tabled=D("2025-07-18"),
            date_for_answer=D("2025-07-22"),
            date_answered=D("2025-09-03"),
        )  # fmt: skip
    )
    assert on_time.on_time_substantive is True
    assert on_time.days_to_answer == 47 and on_time.working_days_to_answer == 5
    assert on_time.past_recess_data is False
    late = classify(facts(date_tabled=D("2025-07-18"), date_answered=D("2025-09-04")))
    assert late.on_time_substantive is False and late.working_days_to_answer == 6
    # Counting the recess as working days, 3 September would have been five weeks late.
    assert working_days_after(D("2025-07-18"), 5) == D("2025-07-25")


def test_a_lords_question_tabled_before_the_summer_recess() -> None:
    # Tuesday 15 July: 16, 17, 18, 21, 22 July, then 1-5 September.
    t = classify(facts(house="Lords", date_tabled=D("2025-07-15"), date_answered=D("2025-09-05")))
    assert t.deadline == D("2025-09-05") and t.on_time_substantive is True
    assert t.working_days_to_answer == 10
    late = classify(
        facts(house="Lords", date_tabled=D("2025-07-15"), date_answered=D("2025-09-08"))
    )
    assert late.on_time_substantive is False


def test_an_unanswered_question_is_not_overdue_during_the_recess() -> None:
    t = classify(facts(date_tabled=D("2025-07-18"), status="unanswered"), today=D("2025-08-20"))
    assert not t.overdue(D("2025-08-20")) and t.on_time_substantive is None
    assert t.overdue(D("2025-09-04")) and t.days_overdue(D("2025-09-04")) == 1


def test_a_named_day_stays_the_named_day_across_a_recess() -> None:
    t = classify(facts(date_tabled=D("2025-07-14"), date_for_answer=D("2025-07-21"),
                       is_named_day=True, date_answered=D("2025-09-01")))  # fmt: skip
    assert t.deadline == D("2025-07-21") and t.on_time_substantive is False
    assert t.working_days_to_answer == 7  # 15-18 and 21-22 July, 1 September


def test_on_time_rate_across_the_summer_recess() -> None:
    # A batch tabled in the last days before the recess, answered as the House returned.
    tabled = [D(day) for day in ("2025-07-17", "2025-07-18", "2025-07-21", "2025-07-22")]
    rows = [
        facts(date_tabled=day, date_answered=D("2025-09-01") + timedelta(days=i % 2))
        for i, day in enumerate(tabled * 3)
    ]
    s = summarise(rows, D("2025-12-01"))
    assert s.on_time_rate == 1.0
    assert s.median_working_days is not None and s.median_working_days <= 5
    assert s.past_recess_data == 0
    # Counting recess days as working days, not one of them would have been on time.
    assert all(working_days_after(f.date_tabled, 5) < D("2025-09-01") for f in rows)


@pytest.mark.parametrize(
    ("tabled", "answered", "named", "past"),
    [
        ("2025-07-18", "2025-09-03", False, False),
        ("2026-04-08", None, False, True),  # the deadline is after the data's last day
        ("2026-03-02", "2026-05-01", False, True),  # so is the answer
        ("2013-12-02", "2013-12-05", False, True),  # before its first day
        ("2026-03-30", None, True, False),  # a named day does not count working days
        ("2026-03-30", "2026-05-01", True, True),  # but its working days to answer do
    ],
)
def test_a_question_past_the_recess_data_says_so(
    tabled: str, answered: str | None, named: bool, past: bool
) -> None:
    t = classify(
        facts(
            status="answered" if answered else "unanswered",
            date_tabled=D(tabled),
            date_for_answer=D(tabled) + timedelta(days=7),
            is_named_day=named,
            date_answered=answered and D(answered),
        ),
        today=D("2026-12-01"),
    )
    assert t.past_recess_data is past


def test_a_withdrawn_question_is_never_past_the_recess_data() -> None:
    assert not classify(facts(status="withdrawn", date_tabled=D("2026-11-02"))).past_recess_data


houses = st.sampled_from(["Commons", "Lords"])
recess_days = st.dates(min_value=date(2013, 11, 1), max_value=date(2026, 6, 30))


@given(start=recess_days, span=st.integers(min_value=-120, max_value=120), house=houses)
def test_between_matches_day_by_day_count_in_a_house(start: date, span: int, house: str) -> None:
    end = start + timedelta(days=span)
    lo, hi = sorted((start, end))
    count = sum(is_working_day(lo + timedelta(days=i), house) for i in range(1, (hi - lo).days + 1))
    assert working_days_between(start, end, house) == (count if end >= start else -count)


@given(start=recess_days, n=st.integers(min_value=0, max_value=40), house=houses)
def test_after_and_between_are_inverse_in_a_house(start: date, n: int, house: str) -> None:
    end = working_days_after(start, n, house)
    assert working_days_between(start, end, house) == n
    assert n == 0 or is_working_day(end, house)
    assert n == 0 or not is_recess(end, house)


def test_the_convention_names_the_file_and_its_last_day() -> None:
    assert convention() == (
        "working days exclude weekends, bank holidays and Commons/Lords recesses "
        "(data/recess.toml, through 2026-04-13)"
    )
