"""core.period: the one home of reporting months, their bounds, deadlines and Jakarta time."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.period import (
    JAKARTA,
    JAKARTA_UTC_OFFSET,
    PERIOD_PATTERN,
    Period,
    PeriodError,
    compress_months,
    due_date,
    jakarta_date,
    jakarta_time,
    jakarta_today,
    month_range,
    period_bounds,
    previous_month,
    shift_month,
    utc_now,
    window_months,
)
from core.reference import ReportCalendar, load_calendar
from core.settings import TIMEZONE

periods = st.builds(Period, st.integers(1900, 2200), st.integers(1, 12))
shifts = st.integers(-600, 600)


@given(periods)
def test_label_round_trips(period: Period) -> None:
    assert Period.parse(str(period)) == period
    assert PERIOD_PATTERN.fullmatch(str(period))


@given(periods, periods)
def test_order_is_time_order_and_label_order(a: Period, b: Period) -> None:
    assert (a < b) == (a.start < b.start) == (str(a) < str(b))


@given(periods)
def test_bounds_cover_the_month_and_touch_the_next(period: Period) -> None:
    assert period.start.day == 1 and period.start.month == period.month
    assert period.end.month == period.month
    assert period.end + dt.timedelta(days=1) == period.shift(1).start
    assert period.days == (period.end - period.start).days + 1
    assert period_bounds(str(period)) == (period.start, period.end)


@given(periods, shifts, shifts)
def test_shift_adds_up_and_undoes(period: Period, a: int, b: int) -> None:
    assert period.shift(a).shift(b) == period.shift(a + b)
    assert period.shift(a).shift(-a) == period
    assert period.shift(a).index - period.index == a
    assert shift_month(str(period), a) == str(period.shift(a))


@given(periods, st.integers(0, 40))
def test_range_is_inclusive_and_consecutive(first: Period, extra: int) -> None:
    last = first.shift(extra)
    months = Period.range(first, last)
    assert len(months) == extra + 1
    assert months[0] == first and months[-1] == last
    assert all(b == a.shift(1) for a, b in itertools.pairwise(months))
    assert month_range(str(first), str(last)) == [str(m) for m in months]
    assert Period.range(last.shift(1), last) == ()


@given(periods, st.integers(1, 30))
def test_window_ends_with_the_month(period: Period, size: int) -> None:
    window = window_months(str(period), size)
    assert len(window) == size and window[-1] == str(period)
    assert window[0] == shift_month(str(period), -(size - 1))


@given(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)))
def test_of_contains_the_day(day: dt.date) -> None:
    period = Period.of(day)
    assert period.start <= day <= period.end


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2025-01", "2024-12"),
        ("2025-03", "2025-02"),
        ("2000-01", "1999-12"),
    ],
)
def test_previous_month(label: str, expected: str) -> None:
    assert previous_month(label) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2025-13", id="month 13"),
        pytest.param("2025-00", id="month 0"),
        pytest.param("2025-1", id="one digit month"),
        pytest.param("25-01", id="two digit year"),
        pytest.param("2025/01", id="slash"),
        pytest.param("Jan 2025", id="words"),
        pytest.param("2025-01-05", id="a date"),
        pytest.param(" 2025-01", id="leading space"),
        pytest.param("2025-01\n", id="trailing newline"),
        pytest.param("", id="empty"),
    ],
)
def test_parse_refuses_anything_but_yyyy_mm(text: str) -> None:
    with pytest.raises(PeriodError, match="YYYY-MM"):
        Period.parse(text)


def test_impossible_month_is_refused_at_construction() -> None:
    with pytest.raises(PeriodError):
        Period(2025, 13)


def test_period_bounds_of_an_annual_plan_and_of_rubbish() -> None:
    assert period_bounds("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    with pytest.raises(PeriodError):
        period_bounds("2024-2")


@given(periods, st.integers(0, 24), st.integers(1, 31))
def test_due_date_is_the_day_in_the_due_month_clamped(
    period: Period, months_after: int, day: int
) -> None:
    due = due_date(period.start, months_after, day)
    due_month = period.shift(months_after)
    assert Period.of(due) == due_month
    assert due.day == min(day, due_month.days)


def test_deadline_follows_the_calendar_seed() -> None:
    monthly = load_calendar()["monthly"]
    assert Period(2025, 1).deadline(monthly) == dt.date(2025, 2, 10)
    assert Period(2025, 12).deadline(monthly) == dt.date(2026, 1, 10)
    # The calendar's own method and the period's agree: one rule, two spellings.
    rule = ReportCalendar("x", "X", "month", 1, 31)
    for period in Period.range(Period(2024, 1), Period(2025, 12)):
        assert period.deadline(rule) == rule.deadline(period.start)


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ([], []),
        (["2025-01"], ["2025-01"]),
        (["2025-02", "2025-01"], ["2025-01", "2025-02"]),
        (["2024-11", "2024-12", "2025-01"], ["2024-11…2025-01"]),
        (["2024-05", "2024-06", "2024-07", "2025-01"], ["2024-05…2024-07", "2025-01"]),
    ],
)
def test_compress_months(months: list[str], expected: list[str]) -> None:
    assert compress_months(months) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(
            dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC), dt.date(2026, 1, 1), id="after WIB 0h"
        ),
        pytest.param(
            dt.datetime(2025, 12, 31, 16, 59, tzinfo=dt.UTC), dt.date(2025, 12, 31), id="before"
        ),
    ],
)
def test_jakarta_today_is_the_jakarta_calendar_day(now: dt.datetime, expected: dt.date) -> None:
    assert jakarta_today(now) == expected


def test_jakarta_today_without_a_clock_is_todays_jakarta_date() -> None:
    before = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    today = jakarta_today()
    assert before <= today <= dt.datetime.now(ZoneInfo(TIMEZONE)).date()


@given(st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2100, 12, 31)))
def test_fixed_offset_matches_the_tz_database(utc_naive: dt.datetime) -> None:
    """The +7 h shortcut (also used in SQL) is only right while Jakarta keeps UTC+7."""
    zoned = utc_naive.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(TIMEZONE))
    assert jakarta_time(utc_naive) == zoned.replace(tzinfo=None)
    assert jakarta_date(utc_naive) == zoned.date()
    assert zoned.utcoffset() == JAKARTA_UTC_OFFSET == JAKARTA.utcoffset(None)


def test_utc_now_is_a_naive_utc_timestamp() -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    now = utc_now()
    assert now.tzinfo is None
    assert before <= now <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
