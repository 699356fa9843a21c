"""Answer deadlines and timeliness of written questions: working days, classification, group stats.

The rules are pure functions; ``stats`` and ``overdue_ids`` at the end read the store's rows
for ``stats`` and ``list --overdue``.

Conventions
-----------
* **Working day** of a House: Monday to Friday, excluding England & Wales bank holidays
  (``holidays`` library, ``GB``/``ENG``: Good Friday, Easter Monday, Christmas, Boxing Day,
  their substitute days and one-off holidays such as state funerals) and that House's recess
  days (data/recess.toml, read by ``pqtrack.analysis.recess``: the days strictly between the
  House rising and returning). Other days the House does not sit (non-sitting Fridays,
  prorogation, dissolution) are working days. Outside the recess file's ``from``-``through``
  no recesses are known: such days count as working days and ``Timeliness.past_recess_data``
  says so. Without a house (``house=None``) only weekends and bank holidays are excluded.
* ``working_days_after(d, n, house)`` is the n-th working day strictly after ``d`` (``d``
  itself does not count, whether or not it is a working day). ``working_days_between(a, b,
  house)`` counts working days in ``(a, b]``, negative when ``b < a``.
* **Deadline** (inclusive: an answer given on the deadline day is on time):
  - Commons named-day question: the named day, i.e. ``dateForAnswer``;
  - ordinary Commons question: 5 Commons working days after tabling;
  - Lords question: 10 Lords working days after tabling (the API's ``dateForAnswer`` for
    Lords questions is 10 working days counting recess days, 14 calendar days outside
    holidays: it does not move for a recess, so it is not used either).
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
  unanswered or holding). ``working_days_to_answer`` is the same in the House's working days.
* Withdrawn questions count as tabled and nothing else.

A question comes in as ``QuestionFacts``, read from the store's columns (``from_stored``):
its ``status`` is the stored one, derived once when the question was saved, never again here.
"""

from __future__ import annotations

import bisect
import functools
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import holidays

from pqtrack.analysis.recess import FILE, HOUSES, calendar, calendars
from pqtrack.question import Status, is_prorogation_answer

if TYPE_CHECKING:  # types only: a worker process importing this module stays light
    import sqlite3

    from pqtrack.filters import Filters
    from pqtrack.store import Store


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


@functools.lru_cache(maxsize=64)
def _house_key(house: str | None) -> str | None:
    """'commons' or 'lords' for a House the recess file knows, else None (no recesses)."""
    key = house.strip().lower() if house else None
    return key if key in HOUSES else None


@functools.cache
def _recess_span(house: str) -> tuple[date, date]:
    """The first and last days the recess file speaks for in a House ('commons', 'lords')."""
    known = calendar(house)
    return known.first, known.through


@functools.cache
def _recess_weekdays(house: str | None) -> tuple[date, ...]:
    """A House's recess days that would otherwise be working days, sorted (none for None)."""
    if house is None:
        return ()
    days = calendar(house).days
    return tuple(sorted(d for d in days if d.weekday() < 5 and not is_bank_holiday(d)))


def is_recess(day: date, house: str | None) -> bool:
    """True for a day the recess file lists as a recess of ``house``."""
    key = _house_key(house)
    if key is None:
        return False
    return day in calendar(key).days


def is_working_day(day: date, house: str | None = None) -> bool:
    """True for Monday-Friday days that are not England & Wales bank holidays nor, given a
    House, one of its recess days."""
    if day.weekday() >= 5 or is_bank_holiday(day):
        return False
    days = _recess_weekdays(_house_key(house))
    i = bisect.bisect_left(days, day)
    return not (i < len(days) and days[i] == day)


def working_days_after(start: date, n: int, house: str | None = None) -> date:
    """The n-th working day of ``house`` after ``start`` (``start`` itself never counts); n < 0
    goes back."""
    return _working_days_after(start, n, _house_key(house))


@functools.lru_cache(maxsize=65536)
def _working_days_after(start: date, n: int, house: str | None) -> date:
    if n == 0:
        return start
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day, house):
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


def working_days_between(start: date, end: date, house: str | None = None) -> int:
    """Working days of ``house`` in ``(start, end]``; negative when ``end`` is before
    ``start``."""
    if end < start:
        return -working_days_between(end, start, house)
    recess = _recess_weekdays(_house_key(house))
    in_recess = bisect.bisect_right(recess, end) - bisect.bisect_right(recess, start)
    weekdays = _weekdays_upto(end) - _weekdays_upto(start)
    return weekdays - _weekday_holidays_in(start, end) - in_recess


@functools.lru_cache(maxsize=1 << 16)  # (house, day) pairs recur across a corpus
def deadline(
    house: str, date_tabled: date, date_for_answer: date | None, is_named_day: bool
) -> date:
    """The day by which a substantive answer is due (see the module conventions)."""
    if house.strip().lower() == "lords":
        return working_days_after(date_tabled, LORDS_WORKING_DAYS, house)
    if is_named_day and date_for_answer is not None:
        return date_for_answer
    return working_days_after(date_tabled, COMMONS_ORDINARY_WORKING_DAYS, house)


def counts_recesses(house: str, is_named_day: bool, date_for_answer: date | None) -> bool:
    """Whether a question's deadline is counted in its House's working days (so depends on
    its recesses): every ordinary question, not a Commons named-day one."""
    return not (is_named_day and date_for_answer is not None) or _house_key(house) == "lords"


def recess_data_covers(house: str, first: date, last: date) -> bool:
    """Whether the recess file speaks for every day from ``first`` to ``last`` in ``house``
    (a House it does not know: True, as no recesses are counted for it)."""
    key = _house_key(house)
    if key is None:
        return True
    start, through = _recess_span(key)
    return start <= first and last <= through


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
    status: Status = Status.unanswered
    date_answered: date | None = None
    date_holding_answer: date | None = None
    answer_is_holding: bool | None = None
    answer_text: str | None = None


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
    the status derived once when the question was saved, all checked on the way in)."""
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
    past_recess_data: bool = False
    """The working days counted for this question reach outside the days the recess file
    speaks for (before its ``from`` or after its ``through``): no recess was excluded there."""

    @property
    def awaiting_substantive(self) -> bool:
        return self.status in ("unanswered", "holding")

    def overdue(self, today: date) -> bool:
        """Unanswered, or with only a holding answer, and past the deadline on ``today``."""
        return self.awaiting_substantive and today > self.deadline

    def days_overdue(self, today: date) -> int:
        """Calendar days past the deadline for an overdue question, else 0."""
        return (today - self.deadline).days if self.overdue(today) else 0


def classify(f: QuestionFacts, today: date | None = None) -> Timeliness:
    """Deadline and timeliness of one question; pass ``today`` to judge open ones."""
    due = deadline(f.house, f.date_tabled, f.date_for_answer, f.is_named_day)
    lapsed = f.status in ("answered", "corrected") and is_lapsed_answer(f.answer_text)
    substantive = f.date_answered if f.status in ("answered", "corrected") and not lapsed else None
    holding = f.date_holding_answer
    if holding is None and f.status == "holding":
        holding = f.date_answered

    # The last day a count of this House's working days reached: the deadline, when it was
    # counted in them, and the answer (working_days_to_answer).
    counted = [due] if counts_recesses(f.house, f.is_named_day, f.date_for_answer) else []
    counted += [substantive] if substantive is not None else []
    past = f.status != "withdrawn" and bool(counted)
    past = past and not recess_data_covers(f.house, f.date_tabled, max(counted or [due]))

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
            working_days_between(f.date_tabled, substantive, f.house) if substantive else None
        ),
        lapsed=lapsed,
        past_recess_data=past,
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
    past_recess_data: int = 0
    """Questions whose working days reach outside the recess file (Timeliness.past_recess_data)."""
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
                "past_recess_data",
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
        c["past_recess_data"] += t.past_recess_data

    def result(self) -> GroupStats:
        return GroupStats(
            **self.counts,
            median_days=median(self.days),
            median_working_days=median(self.working_days),
        )


def summarise(rows: Iterable[QuestionFacts], today: date) -> GroupStats:
    """Counts, medians and rates for one group of questions."""
    acc = _Acc()
    for row in rows:
        acc.add(classify(row, today), today)
    return acc.result()


def summarise_by(rows: Iterable[tuple[K, QuestionFacts]], today: date) -> dict[K, GroupStats]:
    """``summarise`` per key of (key, question) pairs, groups in order of first appearance."""
    accs: dict[K, _Acc] = {}
    for k, row in rows:
        acc = accs.get(k)
        if acc is None:
            acc = accs[k] = _Acc()
        acc.add(classify(row, today), today)
    return {k: acc.result() for k, acc in accs.items()}


# --------------------------------------------------------------------------- over the store


def today_utc() -> date:
    return datetime.now(UTC).date()


_TIMELINESS_COLUMNS = ", ".join(f"q.{name}" for name in STORED_COLUMNS)
_FACTS_SQL = (
    f"SELECT {_TIMELINESS_COLUMNS},"
    " CASE WHEN q.is_prorogation_answer THEN q.answer_text END AS answer_text,"
    " f.referrals IS NOT NULL AS refers, {key} AS grp FROM questions q"
    " LEFT JOIN answer_facts f ON f.question_id = q.id {join} WHERE {where}"
)
GROUP_KEYS = {
    "department": ("coalesce(q.answering_body_name, 'unknown')", ""),
    "month": ("substr(q.date_tabled, 1, 7)", ""),
    "member": (
        "coalesce(m.name, 'member ' || q.asking_member_id)",
        "LEFT JOIN members m ON m.id = q.asking_member_id",
    ),
    "minister": (  # the answering member, by name where the members table knows them
        "coalesce(m.name, 'member ' || q.answering_member_id, 'no answer yet')",
        "LEFT JOIN members m ON m.id = q.answering_member_id",
    ),
}


def convention() -> str:
    """What a working day is here, and how far the recess data goes, in one line."""
    through = {c.through for c in calendars().values()}
    upto = (
        f"through {through.pop()}"
        if len(through) == 1
        else ", ".join(f"{c.house.title()} through {c.through}" for c in calendars().values())
    )
    return (
        "working days exclude weekends, bank holidays and Commons/Lords recesses "
        f"(data/{FILE}, {upto})"
    )


def past_recess_note(rows: Iterable[dict[str, Any]]) -> str | None:
    """A line saying how many questions of `stats` rows had working days counted outside the
    recess data (so no recess excluded there), or None when none did."""
    count = sum(r["past_recess_data"] for r in rows)
    if not count:
        return None
    spans = sorted({(c.first, c.through) for c in calendars().values()})
    known = ", ".join(f"{first} to {through}" for first, through in spans)
    return (
        f"pqtrack: {count:,} question(s) have working days outside the recess dates known "
        f"(data/{FILE}: {known}); no recess is excluded there"
    )


def _fact_rows(
    store: Store, filters: Filters, by: str
) -> Iterator[tuple[str, bool, QuestionFacts]]:
    """(group, refers, timeliness facts) of each question that passes the filters."""
    key, join = GROUP_KEYS[by]
    where, params = filters.where()
    cursor = store.db.conn.execute(
        _FACTS_SQL.format(key=key, join=join, where=where + " AND q.date_tabled IS NOT NULL"),
        params,
    )
    for *columns, refers, group in cursor:
        yield str(group), bool(refers), from_stored(*columns)


def stats(
    store: Store,
    filters: Filters,
    *,
    by: str,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Counts and timeliness per department, month, asking member or minister (the answering
    member), with how many answers refer to another (pqtrack.facts.refresh first)."""
    today = today or today_utc()
    referrals: dict[str, int] = defaultdict(int)

    def keyed() -> Iterator[tuple[str, QuestionFacts]]:
        for grp, refers, facts in _fact_rows(store, filters, by):
            referrals[grp] += refers
            yield grp, facts

    groups = summarise_by(keyed(), today)
    out: list[dict[str, Any]] = []
    for name, g in groups.items():
        out.append(
            {
                by: name,
                "tabled": g.tabled,
                "answered": g.answered,
                "unanswered": g.unanswered,
                "holding": g.holding,
                "corrected": g.corrected,
                "withdrawn": g.withdrawn,
                "lapsed": g.lapsed,
                "overdue": g.overdue,
                "on_time": g.on_time,
                "on_time_rate": _round(g.on_time_rate),
                "holding_rate": _round(g.holding_rate),
                "median_days": g.median_days,
                "median_working_days": g.median_working_days,
                "referrals": referrals[name],
                "past_recess_data": g.past_recess_data,
            }
        )
    if by == "month":
        out.sort(key=lambda r: r["month"])
    else:
        out.sort(key=lambda r: (-r["tabled"], r[by]))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def overdue_ids(conn: sqlite3.Connection, filters: Filters, today: date | None = None) -> list[int]:
    """Unanswered (or only holding) questions past their deadline, by the rules above."""
    today = today or today_utc()
    where, params = filters.where()
    cursor = conn.execute(
        f"SELECT q.id, {_TIMELINESS_COLUMNS} FROM questions q"
        f" WHERE {where} AND q.status IN ('unanswered', 'holding') AND q.date_tabled IS NOT NULL",
        params,
    )
    return [
        qid for qid, *columns in cursor if classify(from_stored(*columns), today).overdue(today)
    ]
