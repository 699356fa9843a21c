"""Answer deadlines and timeliness of written questions: working days, classification, group stats.

Pure functions: no SQL, no I/O. The store hands rows in, ``stats``/``show``/``list --overdue``
render what comes out.

Conventions
-----------
* **Working day**: Monday to Friday, excluding England & Wales bank holidays (``holidays``
  library, ``GB``/``ENG``: Good Friday, Easter Monday, Christmas, Boxing Day, their substitute
  days and one-off holidays such as state funerals). **Recess days and non-sitting days are not
  excluded yet**: a question tabled before a recess is measured as if the House sat through it.
* ``working_days_after(d, n)`` is the n-th working day strictly after ``d`` (``d`` itself does
  not count, whether or not it is a working day). ``working_days_between(a, b)`` counts working
  days in ``(a, b]``, negative when ``b < a``.
* **Deadline** (inclusive: an answer given on the deadline day is on time):
  - Commons named-day question: the named day, i.e. ``dateForAnswer``;
  - ordinary Commons question: 5 working days after tabling;
  - Lords question: 10 working days after tabling (the API's ``dateForAnswer`` for Lords
    questions is 14 calendar days, which is the same thing outside holidays).
  For ordinary questions ``dateForAnswer`` is the *earliest* day an answer may be given
  (usually two working days after tabling), never the deadline, so it is ignored. A named-day
  question without ``dateForAnswer`` falls back to the ordinary 5-working-day rule.
* **Holding answers** (API quirk Q3): ``dateAnswered`` is the holding date while the answer is
  holding and moves to the substantive date later; ``dateHoldingAnswer`` is kept. Timeliness is
  judged on the *substantive* answer; ``holding_by_deadline`` says whether a holding answer came
  by the deadline.
* **Corrections** do not move ``dateAnswered``; a corrected question counts as answered on its
  original date.
* **Lapsed questions** (quirk Q13): the formula given at prorogation or dissolution (it has
  not been possible to reply "before Prorogation") is an answer without content. It is only
  recognised when the row carries ``answer_text``; such a question counts as ``lapsed``, not
  answered, has no ``days_to_answer`` and was not answered on time.
* ``days_to_answer``: calendar days from tabling to the substantive answer (``None`` while
  unanswered or holding). ``working_days_to_answer`` is the same in working days.
* Withdrawn questions count as tabled and nothing else.

Rows may be mappings (sqlite rows as dicts, API ``value`` dicts) or objects with attributes.
Field names are the snake_case ones (``date_tabled``, ``answer_is_holding``...); the API's
camelCase names are accepted too. Dates may be ``date``, ``datetime`` or ISO strings
(``2024-11-13`` or ``2024-11-13T00:00:00``). A missing ``status`` is derived from the API flags.
"""

from __future__ import annotations

import bisect
import functools
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar, get_args

import holidays

from pqtrack.question import is_prorogation_answer

Status = Literal["unanswered", "holding", "answered", "corrected", "withdrawn"]
STATUSES: tuple[Status, ...] = get_args(Status)

COMMONS_ORDINARY_WORKING_DAYS = 5
LORDS_WORKING_DAYS = 10


K = TypeVar("K", bound=Hashable)


# --------------------------------------------------------------------------- working days


@functools.cache
def _calendar() -> Any:
    # One lazily-expanding calendar for the process; holidays fills in years on demand.
    return holidays.country_holidays("GB", subdiv="ENG")


@functools.cache
def _weekday_holidays(year: int) -> tuple[date, ...]:
    cal = _calendar()
    start, end = date(year, 1, 1), date(year, 12, 31)
    # A slice expands the lazily-filled calendar to that year.
    found = [d for d in cal[start:end] if d.weekday() < 5]
    return tuple(sorted(set(found)))


def is_bank_holiday(day: date) -> bool:
    """True for an England & Wales bank holiday (including substitute days)."""
    return day in _calendar()


def is_working_day(day: date) -> bool:
    """True for Monday-Friday days that are not England & Wales bank holidays."""
    return day.weekday() < 5 and not is_bank_holiday(day)


@functools.lru_cache(maxsize=65536)
def working_days_after(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself never counts); n < 0 goes back."""
    if n == 0:
        return start
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def _weekdays_upto(day: date) -> int:
    """Number of Monday-Friday days from a fixed Monday (0001-01-01) up to ``day`` inclusive."""
    ordinal = day.toordinal()  # 0001-01-01 is a Monday and has ordinal 1
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _weekday_holidays_in(start: date, end: date) -> int:
    """Weekday bank holidays in ``(start, end]``."""
    count = 0
    for year in range(start.year, end.year + 1):
        days = _weekday_holidays(year)
        count += bisect.bisect_right(days, end) - bisect.bisect_right(days, start)
    return count


def working_days_between(start: date, end: date) -> int:
    """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    return _weekdays_upto(end) - _weekdays_upto(start) - _weekday_holidays_in(start, end)


def deadline(
    house: str, date_tabled: date, date_for_answer: date | None, is_named_day: bool
) -> date:
    """The day by which a substantive answer is due (see the module conventions)."""
    if house.strip().lower() == "lords":
        return working_days_after(date_tabled, LORDS_WORKING_DAYS)
    if is_named_day and date_for_answer is not None:
        return date_for_answer
    return working_days_after(date_tabled, COMMONS_ORDINARY_WORKING_DAYS)


def is_lapsed_answer(answer_text: str | None) -> bool:
    """The formula answer given at prorogation or dissolution ("It has not proved possible to
    respond ... before Prorogation/Dissolution"), which is an answer without content."""
    return is_prorogation_answer(answer_text)


# --------------------------------------------------------------------------- row access


@dataclass(frozen=True, slots=True)
class QuestionFacts:
    """The fields timeliness needs, already typed."""

    house: str
    date_tabled: date
    date_for_answer: date | None = None
    is_named_day: bool = False
    status: Status = "unanswered"
    date_answered: date | None = None
    date_holding_answer: date | None = None
    answer_is_holding: bool | None = None
    answer_text: str | None = None


_CAMEL = {
    "date_tabled": "dateTabled",
    "date_for_answer": "dateForAnswer",
    "is_named_day": "isNamedDay",
    "date_answered": "dateAnswered",
    "date_holding_answer": "dateHoldingAnswer",
    "answer_is_holding": "answerIsHolding",
    "answer_is_correction": "answerIsCorrection",
    "is_withdrawn": "isWithdrawn",
    "answer_text": "answerText",
    "date_answer_corrected": "dateAnswerCorrected",
}

_MISSING = object()


def _field(row: object, name: str) -> object:
    names = (name, _CAMEL[name]) if name in _CAMEL else (name,)
    for key in names:
        if isinstance(row, Mapping):
            if key in row:
                return row[key]
        else:
            value = getattr(row, key, _MISSING)
            if value is not _MISSING:
                return value
    return None


def _as_date(value: object, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise ValueError(f"{name}: not an ISO date: {value!r}") from None
    raise ValueError(f"{name}: expected a date, got {type(value).__name__}")


def _as_bool(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _derive_status(row: object, date_answered: date | None) -> Status:
    if _as_bool(_field(row, "is_withdrawn")):
        return "withdrawn"
    if date_answered is None:
        return "unanswered"
    if _as_bool(_field(row, "answer_is_holding")):
        return "holding"
    if _as_bool(_field(row, "answer_is_correction")) or _field(row, "date_answer_corrected"):
        return "corrected"
    return "answered"


DEFAULT_HOUSE = "Commons"  # a question whose house is not known

# The store's columns from_stored reads, in its argument order (answer_text is optional).
STORED_COLUMNS = (
    "house",
    "date_tabled",
    "date_for_answer",
    "is_named_day",
    "status",
    "date_answered",
    "date_holding_answer",
    "answer_is_holding",
)


def from_stored(
    house: str | None,
    date_tabled: str,
    date_for_answer: str | None,
    is_named_day: int,
    status: Status,
    date_answered: str | None,
    date_holding_answer: str | None,
    answer_is_holding: int | None,
    answer_text: str | None = None,
) -> QuestionFacts:
    """``QuestionFacts`` from the store's typed columns (STORED_COLUMNS: ISO dates, 0/1 flags,
    a known status, all checked on the way in): ``to_facts`` without its lookups and checks,
    for reading a million rows."""
    return QuestionFacts(
        house=house or DEFAULT_HOUSE,
        date_tabled=_stored_day(date_tabled),
        date_for_answer=_stored_day(date_for_answer),
        is_named_day=bool(is_named_day),
        status=status,
        date_answered=_stored_day(date_answered),
        date_holding_answer=_stored_day(date_holding_answer),
        answer_is_holding=None if answer_is_holding is None else bool(answer_is_holding),
        answer_text=answer_text,
    )


@functools.lru_cache(maxsize=1 << 16)
def _stored_day(text: str | None) -> Any:  # date | None; Any for date_tabled, never None
    """A stored ISO date, cached: days recur."""
    return date.fromisoformat(text[:10]) if text else None


def to_facts(row: object) -> QuestionFacts:
    """Read a question-like mapping or object into ``QuestionFacts`` (see module docstring).

    A missing ``house`` counts as Commons. Raises ValueError for a missing ``date_tabled``,
    a date that is not ISO, or an unknown ``status``.
    """
    if isinstance(row, QuestionFacts):
        return row
    tabled = _as_date(_field(row, "date_tabled"), "date_tabled")
    if tabled is None:
        raise ValueError("date_tabled is required")
    answered = _as_date(_field(row, "date_answered"), "date_answered")
    raw_status = _field(row, "status")
    if raw_status is None:
        status = _derive_status(row, answered)
    elif isinstance(raw_status, str) and raw_status in STATUSES:
        status = raw_status
    else:
        raise ValueError(f"status: expected one of {', '.join(STATUSES)}, got {raw_status!r}")
    text = _field(row, "answer_text")
    return QuestionFacts(
        house=str(_field(row, "house") or DEFAULT_HOUSE),
        date_tabled=tabled,
        date_for_answer=_as_date(_field(row, "date_for_answer"), "date_for_answer"),
        is_named_day=bool(_as_bool(_field(row, "is_named_day"))),
        status=status,
        date_answered=answered,
        date_holding_answer=_as_date(_field(row, "date_holding_answer"), "date_holding_answer"),
        answer_is_holding=_as_bool(_field(row, "answer_is_holding")),
        answer_text=text if isinstance(text, str) else None,
    )


# --------------------------------------------------------------------------- classification


@dataclass(frozen=True, slots=True)
class Timeliness:
    """How one question stands against its deadline."""

    status: Status
    deadline: date
    substantive_date: date | None
    """Day of the substantive answer (answered/corrected, not lapsed), else None."""
    holding_date: date | None
    """Day a holding answer was given, kept after the substantive answer arrives."""
    on_time_substantive: bool | None
    """Substantive answer by the deadline. None while unanswered/holding and not yet due (or
    when ``classify`` had no ``today``), and for withdrawn questions."""
    holding_by_deadline: bool
    days_to_answer: int | None
    working_days_to_answer: int | None
    lapsed: bool = False

    @property
    def awaiting_substantive(self) -> bool:
        return self.status in ("unanswered", "holding")

    def overdue(self, today: date) -> bool:
        """Unanswered, or with only a holding answer, and past the deadline on ``today``."""
        return self.awaiting_substantive and today > self.deadline

    def days_overdue(self, today: date) -> int:
        """Calendar days past the deadline for an overdue question, else 0."""
        return (today - self.deadline).days if self.overdue(today) else 0


def classify(q: object, today: date | None = None) -> Timeliness:
    """Deadline and timeliness of one question-like row; pass ``today`` to judge open ones."""
    f = to_facts(q)
    due = deadline(f.house, f.date_tabled, f.date_for_answer, f.is_named_day)
    lapsed = f.status in ("answered", "corrected") and is_lapsed_answer(f.answer_text)
    substantive = f.date_answered if f.status in ("answered", "corrected") and not lapsed else None
    holding = f.date_holding_answer
    if holding is None and f.status == "holding":
        holding = f.date_answered

    on_time: bool | None
    if substantive is not None:
        on_time = substantive <= due
    elif lapsed or f.status in ("unanswered", "holding") and today is not None and today > due:
        on_time = False
    else:
        on_time = None

    return Timeliness(
        status=f.status,
        deadline=due,
        substantive_date=substantive,
        holding_date=holding,
        on_time_substantive=on_time,
        holding_by_deadline=holding is not None and holding <= due,
        days_to_answer=(substantive - f.date_tabled).days if substantive else None,
        working_days_to_answer=(
            working_days_between(f.date_tabled, substantive) if substantive else None
        ),
        lapsed=lapsed,
    )


# --------------------------------------------------------------------------- aggregation


@dataclass(frozen=True, slots=True)
class GroupStats:
    """Counts and rates for a group of questions (a department, a member, a month...).

    ``answered`` counts substantive answers (``corrected`` is a subset of it); ``holding`` and
    ``unanswered`` are the current states; ``tabled`` is every row, withdrawn and lapsed included.
    """

    tabled: int = 0
    answered: int = 0
    unanswered: int = 0
    holding: int = 0
    corrected: int = 0
    withdrawn: int = 0
    lapsed: int = 0
    overdue: int = 0
    on_time: int = 0
    """Substantive answers given by the deadline."""
    had_holding: int = 0
    """Answered or still-holding questions that received a holding answer."""
    median_days: float | None = None
    """Median calendar days from tabling to the substantive answer."""
    median_working_days: float | None = None

    @property
    def on_time_rate(self) -> float | None:
        """Substantive answers by the deadline / substantive answers."""
        return self.on_time / self.answered if self.answered else None

    @property
    def holding_rate(self) -> float | None:
        """Questions given a holding answer / questions given any answer (substantive or
        holding)."""
        responded = self.answered + self.holding
        return self.had_holding / responded if responded else None


def median(values: Iterable[float]) -> float | None:
    """Median as a float, or None for no values."""
    data = list(values)
    return float(statistics.median(data)) if data else None


class _Acc:
    __slots__ = ("counts", "days", "working_days")

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(
            (
                "tabled", "answered", "unanswered", "holding", "corrected",
                "withdrawn", "lapsed", "overdue", "on_time", "had_holding",
            ),
            0,
        )  # fmt: skip
        self.days: list[int] = []
        self.working_days: list[int] = []

    def add(self, t: Timeliness, today: date) -> None:
        c = self.counts
        c["tabled"] += 1
        if t.lapsed:
            c["lapsed"] += 1
        elif t.status in ("answered", "corrected"):
            c["answered"] += 1
            c["corrected"] += t.status == "corrected"
            c["on_time"] += bool(t.on_time_substantive)
            c["had_holding"] += t.holding_date is not None
            if t.days_to_answer is not None and t.working_days_to_answer is not None:
                self.days.append(t.days_to_answer)
                self.working_days.append(t.working_days_to_answer)
        elif t.status == "holding":
            c["holding"] += 1
            c["had_holding"] += 1
        else:
            c[t.status] += 1
        c["overdue"] += t.overdue(today)

    def result(self) -> GroupStats:
        return GroupStats(
            **self.counts,
            median_days=median(self.days),
            median_working_days=median(self.working_days),
        )


def summarise(rows: Iterable[object], today: date) -> GroupStats:
    """Counts, medians and rates for one group of question-like rows."""
    acc = _Acc()
    for row in rows:
        acc.add(classify(row, today), today)
    return acc.result()


def summarise_by(rows: Iterable[tuple[K, object]], today: date) -> dict[K, GroupStats]:
    """``summarise`` per key of (key, question-like row) pairs, groups in order of first
    appearance."""
    accs: dict[K, _Acc] = {}
    for k, row in rows:
        acc = accs.get(k)
        if acc is None:
            acc = accs[k] = _Acc()
        acc.add(classify(row, today), today)
    return {k: acc.result() for k, acc in accs.items()}
