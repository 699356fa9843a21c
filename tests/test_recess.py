"""analysis/recess.py and data/recess.toml: the Houses' recess dates, as the file gives them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pqtrack.analysis.recess import HOUSES, calendar, calendars, parse
from pqtrack.errors import PqtrackError
from pqtrack.paths import shipped

D = date.fromisoformat


@pytest.mark.parametrize("house", HOUSES)
def test_the_shipped_file_is_in_order_without_overlaps_and_within_its_span(house: str) -> None:
    known = calendar(house)
    assert known.first == D("2014-01-01") and known.through >= D("2026-01-01")
    assert len(known.recesses) > 50  # February, Easter, Whitsun, summer... from 2014
    for before, after in zip(known.recesses, known.recesses[1:], strict=False):
        assert before.returns <= after.rises, (before.name, after.name)
    for r in known.recesses:
        assert r.rises < r.returns, r.name
        assert r.returns <= known.through + timedelta(days=1) or r.rises < known.first, r.name
        assert r.rises.weekday() < 5 and r.returns.weekday() < 5, r.name  # sitting days


def test_the_file_names_its_sources_and_marks_what_is_unsure() -> None:
    text = shipped("recess.toml").read_text(encoding="utf-8")
    header = text.split("[commons]")[0]
    assert "https://www.parliament.uk/" in header
    assert "# unsure" in text  # days not known for certain say so


def test_recess_days_lie_strictly_between_rising_and_returning() -> None:
    summer = next(r for r in calendar("Commons").recesses if r.name == "Summer 2025")
    assert (summer.rises, summer.returns) == (D("2025-07-22"), D("2025-09-01"))
    days = summer.days()
    assert days[0] == D("2025-07-23") and days[-1] == D("2025-08-31")
    assert D("2025-07-22") not in calendar("commons").days
    assert D("2025-09-01") not in calendar("commons").days
    assert D("2025-08-15") in calendar("Lords").days


def test_a_recall_splits_a_recess_and_its_day_is_a_sitting_day() -> None:
    commons = calendar("commons")
    assert D("2021-08-18") not in commons.days  # Afghanistan
    assert {D("2021-08-17"), D("2021-08-19")} <= commons.days


GOOD = """
[commons]
from = "2020-01-01"
through = "2020-12-31"
recesses = [{ name = "Summer", rises = "2020-07-22", returns = "2020-09-01" }]
[lords]
from = "2020-01-01"
through = "2020-12-31"
recesses = []
"""


@pytest.mark.parametrize(
    "text",
    [
        "not = toml = at all",
        GOOD.replace("[lords]", "[peers]"),
        GOOD.replace('returns = "2020-09-01"', 'returns = "2020-07-01"'),
        GOOD.replace('rises = "2020-07-22"', 'rises = "22 July"'),
        GOOD.replace('through = "2020-12-31"', 'through = "2019-12-31"', 1),
        GOOD.replace('from = "2020-01-01"\n', "", 1),
    ],
)
def test_a_malformed_file_is_one_error_naming_it(text: str) -> None:
    with pytest.raises(PqtrackError, match=r"^recess\.toml: not a recess calendar: "):
        parse(text, "recess.toml")


def test_a_good_file_reads() -> None:
    read = parse(GOOD)
    assert read["commons"].days == frozenset(D("2020-07-23") + timedelta(days=i) for i in range(40))
    assert read["lords"].days == frozenset()
    assert set(calendars()) == set(HOUSES)
