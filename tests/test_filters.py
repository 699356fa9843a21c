"""Dates as people write them: the parsing in pqtrack.filters, and the commands that take dates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from pqtrack import filters
from pqtrack.errors import UsageError
from pqtrack.filters import (
    FilterError,
    RangeError,
    check_sync_range,
    parse_date,
    parse_range,
)
from pqtrack.records import parse_since
from tests.build import question, write_json
from tests.cli import Cli
from tests.fakeapi import FakeApi

TODAY = date(2025, 5, 31)  # the last day of a long month: "3m" has to clamp to February


def option(field: str) -> str:
    return "--" + field.replace("_", "-")


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("today", "2025-05-31", "2025-05-31"),
        ("Yesterday", "2025-05-30", "2025-05-30"),
        ("0d", "2025-05-31", "2025-05-31"),
        ("7d", "2025-05-24", "2025-05-24"),
        ("2w", "2025-05-17", "2025-05-17"),
        ("1m", "2025-04-30", "2025-04-30"),
        ("3m", "2025-02-28", "2025-02-28"),
        ("15M", "2024-02-29", "2024-02-29"),
        ("2025-03", "2025-03-01", "2025-03-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-12", "2025-12-01", "2025-12-31"),
        (" 2025-02-14 ", "2025-02-14", "2025-02-14"),
    ],
)
def test_a_date_as_people_write_it(text: str, lower: str, upper: str) -> None:
    assert parse_date(text, today=TODAY).isoformat() == lower
    assert parse_date(text, today=TODAY, end=True).isoformat() == upper


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7x", f"'7x' is not a date (use {filters.DATE_FORMS})"),
        ("", f"'' is not a date (use {filters.DATE_FORMS})"),
        ("-7d", f"'-7d' is not a date (use {filters.DATE_FORMS})"),
        ("2025-3", f"'2025-3' is not a date (use {filters.DATE_FORMS})"),
        ("2025-13", "'2025-13' is not a month (use YYYY-MM)"),
        ("2025-00", "'2025-00' is not a month (use YYYY-MM)"),
        ("0000-01", "'0000-01' is not a month (use YYYY-MM)"),
        ("2025-13-45", "'2025-13-45' is not a date (use YYYY-MM-DD)"),
        ("2025-02-29", "'2025-02-29' is not a date (use YYYY-MM-DD)"),
        ("999999d", "'999999d' is too far back"),
        ("999999w", "'999999w' is too far back"),
        ("999999m", "'999999m' is too far back"),
    ],
)
def test_a_bad_date_says_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date(text, today=TODAY)
    assert str(caught.value) == message
    assert "\n" not in message


def test_a_range_takes_a_month_from_its_first_to_its_last_day() -> None:
    assert parse_range("2025-03", "2025-03", today=TODAY) == ("2025-03-01", "2025-03-31")
    assert parse_range("3m", "today", today=TODAY) == ("2025-02-28", "2025-05-31")
    assert parse_range(None, "2025-02", today=TODAY) == (None, "2025-02-28")
    assert parse_range(None, None, today=TODAY) == (None, None)


@pytest.mark.parametrize(
    ("since", "until", "names", "message"),
    [
        (
            "2025-03-05",
            "2025-03-01",
            ("since", "until"),
            "--since 2025-03-05 is after --until 2025-03-01",
        ),
        (
            "2025-04",
            "2025-03",
            ("since", "until"),
            "--since 2025-04-01 is after --until 2025-03-31",
        ),
        (
            "today",
            "1w",
            ("answered_since", "answered_until"),
            "--answered-since 2025-05-31 is after --answered-until 2025-05-24",
        ),
    ],
)
def test_an_inverted_range_says_what_was_understood(
    since: str, until: str, names: tuple[str, str], message: str
) -> None:
    with pytest.raises(RangeError) as caught:
        parse_range(since, until, today=TODAY, names=names)
    assert caught.value.describe(option) == message


def test_a_bad_bound_names_its_field() -> None:
    with pytest.raises(FilterError) as caught:
        parse_range("2025-01-01", "2025-13", today=TODAY)
    assert caught.value.describe(option) == "--until: '2025-13' is not a month (use YYYY-MM)"


def test_a_sync_range_may_not_start_in_the_future() -> None:
    check_sync_range(TODAY, None, today=TODAY)
    check_sync_range(date(2025, 5, 1), date(2025, 6, 30), today=TODAY)
    with pytest.raises(FilterError) as caught:
        check_sync_range(date(2025, 6, 1), None, today=TODAY)
    assert caught.value.describe(option) == (
        "--since: 2025-06-01 is in the future (today is 2025-05-31, UTC)"
    )
    with pytest.raises(RangeError) as inverted:
        check_sync_range(date(2025, 5, 2), date(2025, 5, 1), today=TODAY)
    assert inverted.value.describe(option) == "--since 2025-05-02 is after --until 2025-05-01"


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-03", "2025-03-01T00:00:00+00:00"),
        ("7d", "2025-05-24T00:00:00+00:00"),
        ("yesterday", "2025-05-30T00:00:00+00:00"),
        ("2025-03-01T06:00Z", "2025-03-01T06:00:00+00:00"),
        ("2025-03-01T06:00+01:00", "2025-03-01T05:00:00+00:00"),
    ],
)
def test_changes_since_takes_the_same_dates_and_timestamps(text: str, moment: str) -> None:
    assert parse_since(text, today=TODAY) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-02", "2025-02-28T23:59:59+00:00"),  # a month: to the end of its last day
        ("2025-03-04", "2025-03-04T23:59:59+00:00"),
        ("yesterday", "2025-05-30T23:59:59+00:00"),
        ("2025-03-01T06:00Z", "2025-03-01T06:00:00+00:00"),  # a timestamp: that moment
    ],
)
def test_changes_until_reads_a_day_to_its_end(text: str, moment: str) -> None:
    assert parse_since(text, today=TODAY, end=True) == moment


# -- through the command line --------------------------------------------------------------------


@pytest.fixture
def tabled(tmp_path: Path, cli: Cli) -> Cli:
    """Four questions tabled around March 2025, answered a week later."""
    values = [
        question(
            7000 + i,
            dateTabled=f"{day}T00:00:00",
            answered=(date.fromisoformat(day) + timedelta(days=7)).isoformat(),
        )
        for i, day in enumerate(["2025-02-28", "2025-03-01", "2025-03-31", "2025-04-01"])
    ]
    result = cli("import", "--quiet", str(write_json(tmp_path / "q.json", values)))
    assert result.exit_code == 0, result.stderr
    return cli


def ids(cli: Cli, *args: str) -> list[int]:
    return sorted(row["id"] for row in cli.json("list", *args))


def test_list_takes_a_month_as_from_its_first_to_its_last_day(tabled: Cli) -> None:
    assert ids(tabled, "--since", "2025-03", "--until", "2025-03") == [7001, 7002]
    assert ids(tabled, "--until", "2025-02") == [7000]
    assert ids(tabled, "--answered-since", "2025-04") == [7002, 7003]


def test_list_counts_days_back_from_today(tabled: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filters, "utc_today", lambda: date(2025, 4, 7))
    assert ids(tabled, "--since", "1w") == [7002, 7003]
    assert ids(tabled, "--since", "yesterday") == []
    assert ids(tabled, "--answered-since", "today") == [7002, 7003]
    assert ids(tabled, "--answered-until", "yesterday") == [7000, 7001]
    assert ids(tabled, "--since", "2m", "--until", "8d") == [7000, 7001]


COMMANDS = [["list"], ["search", "question"], ["repeats"], ["stats", "--by", "month"]]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--since", "2025-03-05", "--until", "2025-03-01"),
            "--since 2025-03-05 is after --until 2025-03-01",
        ),
        (
            ("--answered-since", "2025-04", "--answered-until", "2025-03"),
            "--answered-since 2025-04-01 is after --answered-until 2025-03-31",
        ),
        (("--since", "7x"), f"--since: '7x' is not a date (use {filters.DATE_FORMS})"),
        (("--until", "2025-13"), "--until: '2025-13' is not a month (use YYYY-MM)"),
    ],
)
def test_bad_or_inverted_dates_are_exit_2_in_one_line(
    tabled: Cli, command: list[str], args: tuple[str, ...], message: str
) -> None:
    result = tabled(*command, *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"pqtrack: {message}\n"


def test_changes_since_a_relative_day(tabled: Cli) -> None:
    # the import's events were seen now: a day back finds them all, a month ahead none
    assert len(tabled.json("changes", "--since", "1d")) == 8
    assert len(tabled.json("changes", "--since", "today")) == 8
    result = tabled("changes", "--since", "2025-13")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("pqtrack: --since: '2025-13' is not a date (")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2999-01"), "--since: 2999-01-01 is in the future (today is {today}, UTC)"),
        (("--since", "tomorrow"), f"--since: 'tomorrow' is not a date (use {filters.DATE_FORMS})"),
        (
            ("--since", "2025-03", "--until", "2025-02"),
            "--since 2025-03-01 is after --until 2025-02-28",
        ),
    ],
)
def test_sync_refuses_a_range_it_cannot_fetch(
    cli: Cli, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    with FakeApi([]) as fake:
        result = cli("sync", *args, "--api-url", fake.url, "--rate", "0")
        assert fake.requests == []
    assert (result.exit_code, result.stdout) == (2, "")
    today = filters.utc_today()
    assert result.stderr == f"pqtrack: {message.format(today=today)}\n"
    assert not db_path.exists()


def test_sync_takes_a_month_and_days_back(cli: Cli) -> None:
    with FakeApi([question(7100, dateTabled="2025-02-10T00:00:00")]) as fake:
        syncing = ("--api-url", fake.url, "--rate", "0")
        month = cli.json("sync", "--since", "2025-02", "--until", "2025-02", *syncing)
        recent = cli.json("sync", "--since", "2d", *syncing)
    assert (month["since"], month["until"], month["new"]) == ("2025-02-01", "2025-02-28", 1)
    today = filters.utc_today()
    assert (recent["since"], recent["until"]) == (str(today - timedelta(days=2)), str(today))
    assert [row["id"] for row in cli.json("list")] == [7100]


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("127.0.0.1:8099", "http://127.0.0.1:8099"),
        ("ftp://x", "https://questions-statements-api.parliament.uk"),
        ("http://", "https://questions-statements-api.parliament.uk"),
    ],
)
@pytest.mark.parametrize("how", ["option", "env"])
def test_sync_refuses_an_api_url_that_is_not_http_before_anything(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, hint: str, how: str
) -> None:
    if how == "env":
        monkeypatch.setenv("PQTRACK_API_URL", url)
        result = cli("sync", "--since", "today")
    else:
        result = cli("sync", "--since", "today", "--api-url", url)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"pqtrack: --api-url: {url!r} is not an http(s) URL with a host (like {hint})\n"
    )
    assert not db_path.exists()
