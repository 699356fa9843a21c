"""The Houses' recess dates that ship in data/recess.toml, read once, as days per House."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pqtrack.errors import PqtrackError

FILE = "recess.toml"
HOUSES = ("commons", "lords")


@dataclass(frozen=True, slots=True)
class Recess:
    """One recess as the published pages give it: the House rises at the end of `rises` and
    returns on `returns`; the recess is the days strictly between."""

    name: str
    rises: date
    returns: date

    def days(self) -> list[date]:
        span = (self.returns - self.rises).days
        return [self.rises + timedelta(days=i) for i in range(1, span)]


@dataclass(frozen=True, slots=True)
class Calendar:
    """One House's recesses and the first and last days the data speaks for."""

    house: str
    recesses: tuple[Recess, ...]
    first: date
    through: date
    days: frozenset[date]
    """Every day of every recess."""


def parse(text: str, source: str = FILE) -> dict[str, Calendar]:
    """Both Houses' calendars from the file's text; a file that does not have the shape the
    header describes is a PqtrackError naming the file and the entry."""
    try:
        data = tomllib.loads(text)
        return {house: _calendar(house, data[house]) for house in HOUSES}
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise PqtrackError(f"{source}: not a recess calendar: {exc}") from None


def _calendar(house: str, table: dict[str, Any]) -> Calendar:
    recesses = tuple(
        Recess(str(r["name"]), date.fromisoformat(r["rises"]), date.fromisoformat(r["returns"]))
        for r in table["recesses"]
    )
    for r in recesses:
        if r.returns <= r.rises:
            raise ValueError(f"[{house}] {r.name!r} returns before it rises")
    first, through = date.fromisoformat(table["from"]), date.fromisoformat(table["through"])
    if through < first:
        raise ValueError(f"[{house}] through {through} is before from {first}")
    days = frozenset(d for r in recesses for d in r.days())
    return Calendar(house, recesses, first, through, days)


@functools.cache
def calendars() -> dict[str, Calendar]:
    """data/recess.toml, read once per process."""
    from pqtrack.paths import shipped

    path = shipped(FILE)
    return parse(path.read_text(encoding="utf-8"), f"data/{FILE}")


def calendar(house: str) -> Calendar:
    """The calendar of `house` (Commons or Lords, any case)."""
    return calendars()[house.strip().lower()]
