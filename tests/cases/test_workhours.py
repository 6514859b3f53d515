"""Working hours: Mon–Fri 9–17 Europe/Amsterdam without Dutch public holidays."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.cases.workhours import (
    AMSTERDAM,
    add_working_hours,
    is_working_day,
    next_working_moment,
    working_hours_between,
)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def local(value: datetime) -> datetime:
    return value.astimezone(AMSTERDAM)


def test_within_one_day() -> None:
    assert local(add_working_hours(ams(2026, 11, 23, 10, 0), 4)) == ams(2026, 11, 23, 14, 0)


def test_ends_exactly_at_closing_time_on_the_same_day() -> None:
    assert local(add_working_hours(ams(2026, 11, 23, 9, 0), 8)) == ams(2026, 11, 23, 17, 0)


def test_carries_over_to_the_next_morning() -> None:
    # Monday 15:00 + 4h = 2h on Monday, 2h on Tuesday.
    assert local(add_working_hours(ams(2026, 11, 23, 15, 0), 4)) == ams(2026, 11, 24, 11, 0)


def test_friday_afternoon_continues_on_monday() -> None:
    assert local(add_working_hours(ams(2026, 11, 27, 16, 0), 2)) == ams(2026, 11, 30, 10, 0)


def test_weekend_start_counts_from_monday_morning() -> None:
    assert local(add_working_hours(ams(2026, 11, 28, 12, 0), 1)) == ams(2026, 11, 30, 10, 0)
    assert local(add_working_hours(ams(2026, 11, 29, 23, 59), 8)) == ams(2026, 11, 30, 17, 0)


def test_before_opening_and_after_closing() -> None:
    assert local(add_working_hours(ams(2026, 11, 24, 6, 30), 1)) == ams(2026, 11, 24, 10, 0)
    assert local(add_working_hours(ams(2026, 11, 24, 17, 0), 1)) == ams(2026, 11, 25, 10, 0)
    assert local(add_working_hours(ams(2026, 11, 24, 22, 0), 1)) == ams(2026, 11, 25, 10, 0)


def test_koningsdag_is_skipped() -> None:
    # 27 April 2026 is a Monday and Koningsdag.
    assert not is_working_day(ams(2026, 4, 27).date())
    assert local(add_working_hours(ams(2026, 4, 24, 16, 0), 2)) == ams(2026, 4, 28, 10, 0)


def test_koningsdag_on_a_sunday_moves_to_saturday() -> None:
    # 2025: 27 April is a Sunday, so Koningsdag is Saturday 26 April: Monday is a working day.
    assert is_working_day(ams(2025, 4, 28).date())
    assert local(add_working_hours(ams(2025, 4, 25, 16, 0), 2)) == ams(2025, 4, 28, 10, 0)


def test_easter_and_christmas() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026.
    assert local(add_working_hours(ams(2026, 4, 2, 16, 0), 2)) == ams(2026, 4, 7, 10, 0)
    # Christmas 2026: Friday 25 and Saturday 26 December; New Year on a Friday.
    assert local(add_working_hours(ams(2026, 12, 24, 16, 0), 2)) == ams(2026, 12, 28, 10, 0)
    assert local(add_working_hours(ams(2026, 12, 31, 16, 0), 2)) == ams(2027, 1, 4, 10, 0)


def test_liberation_day_only_in_lustrum_years() -> None:
    assert not is_working_day(ams(2025, 5, 5).date())
    assert is_working_day(ams(2026, 5, 5).date())


def test_ascension_and_whit_monday() -> None:
    assert not is_working_day(ams(2026, 5, 14).date())
    assert not is_working_day(ams(2026, 5, 25).date())


def test_across_the_spring_dst_change() -> None:
    # Clocks go forward in the night of 28–29 March 2026 (a weekend): Friday 16:00 CET + 2h
    # is Monday 10:00 CEST, 08:00 UTC (not 09:00 UTC).
    result = add_working_hours(ams(2026, 3, 27, 16, 0), 2)
    assert local(result) == ams(2026, 3, 30, 10, 0)
    assert result == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_across_the_autumn_dst_change() -> None:
    # Clocks go back in the night of 24–25 October 2026.
    result = add_working_hours(ams(2026, 10, 23, 16, 0), 2)
    assert local(result) == ams(2026, 10, 26, 10, 0)
    assert result == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_long_targets_span_weeks() -> None:
    # 40 working hours = one working week.
    assert local(add_working_hours(ams(2026, 11, 23, 9, 0), 40)) == ams(2026, 11, 27, 17, 0)
    assert local(add_working_hours(ams(2026, 11, 23, 9, 0), 41)) == ams(2026, 11, 30, 10, 0)


def test_fractional_hours_and_utc_input() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    assert local(add_working_hours(start, 0.5)) == ams(2026, 11, 23, 10, 30)


def test_zero_hours_is_the_start() -> None:
    start = ams(2026, 11, 28, 12, 0)
    assert add_working_hours(start, 0) == start


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_hours(datetime(2026, 11, 23, 10, 0), 1)


def test_next_working_moment() -> None:
    assert local(next_working_moment(ams(2026, 11, 23, 12, 0))) == ams(2026, 11, 23, 12, 0)
    assert local(next_working_moment(ams(2026, 11, 27, 17, 0))) == ams(2026, 11, 30, 9, 0)


def test_working_hours_between() -> None:
    assert working_hours_between(ams(2026, 11, 27, 16, 0), ams(2026, 11, 30, 10, 0)) == 2
    assert working_hours_between(ams(2026, 11, 28, 10, 0), ams(2026, 11, 29, 10, 0)) == 0
    assert working_hours_between(ams(2026, 11, 30, 10, 0), ams(2026, 11, 27, 16, 0)) == 0


starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31),
                      timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(start=starts, minutes=st.integers(min_value=1, max_value=60 * 120))
def test_adding_then_measuring_gives_the_same_hours(start: datetime, minutes: int) -> None:
    end = add_working_hours(start, minutes / 60)
    assert end > start
    assert abs(working_hours_between(start, end) - minutes / 60) < 1e-6
    # The end is always inside (or at the close of) a working day.
    end_local = local(end)
    assert is_working_day(end_local.date())
    assert time(9, 0) < end_local.time() <= time(17, 0)


@settings(max_examples=100, deadline=None)
@given(start=starts, a=st.integers(1, 3000), b=st.integers(1, 3000))
def test_adding_is_additive(start: datetime, a: int, b: int) -> None:
    once = add_working_hours(start, (a + b) / 60)
    twice = add_working_hours(add_working_hours(start, a / 60), b / 60)
    # Landing exactly on 17:00 and continuing equals continuing from 9:00 the next day.
    assert once == twice
