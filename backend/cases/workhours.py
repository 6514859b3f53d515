"""Working hours of the desks: Monday to Friday 9:00–17:00 Europe/Amsterdam, without Dutch
public holidays (``holidays.NL``, which includes Good Friday and Liberation Day in the years it
is a day off).

All functions take and return timezone-aware datetimes and answer in UTC. The working window
never contains a DST change (those happen at night), so wall-clock arithmetic inside one
working day is exact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY_START = time(9, 0)
DAY_END = time(17, 0)
HOURS_PER_DAY = 8


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    import holidays  # lazy: 0.02 s of a cold start, for the first deadline computed

    return frozenset(holidays.NL(years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=AMSTERDAM)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("naive datetime given; working hours need a timezone")


def next_working_moment(moment: datetime) -> datetime:
    """``moment`` when it falls inside working hours, else the start of the next working day."""
    _require_aware(moment)
    local = moment.astimezone(AMSTERDAM)
    day = local.date()
    if is_working_day(day):
        if local.time() < DAY_START:
            return _at(day, DAY_START).astimezone(UTC)
        if local.time() < DAY_END:
            return local.astimezone(UTC)
    return _at(_next_working_day(day), DAY_START).astimezone(UTC)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` working hours after ``start`` (in UTC).

    A start outside working hours counts from the next working morning; a result that ends a
    working day exactly is 17:00 of that day, not 9:00 of the next.
    """
    _require_aware(start)
    if hours <= 0:
        return start.astimezone(UTC)
    remaining = timedelta(hours=hours)
    local = next_working_moment(start).astimezone(AMSTERDAM)
    day = local.date()
    while True:
        available = _at(day, DAY_END) - local
        if remaining <= available:
            return (local + remaining).astimezone(UTC)
        remaining -= available
        day = _next_working_day(day)
        local = _at(day, DAY_START)


def working_seconds_between(start: datetime, end: datetime) -> float:
    """Working seconds from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    _require_aware(start)
    _require_aware(end)
    if end <= start:
        return 0.0
    first = start.astimezone(AMSTERDAM).date()
    last = end.astimezone(AMSTERDAM).date()
    total = 0.0
    day = first
    while day <= last:
        if is_working_day(day):
            lo = max(start, _at(day, DAY_START))
            hi = min(end, _at(day, DAY_END))
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def working_hours_between(start: datetime, end: datetime) -> float:
    return working_seconds_between(start, end) / 3600.0
