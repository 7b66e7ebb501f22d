"""Simulated arrival times (file mtimes) around the configured deadlines, Asia/Jakarta."""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.period import JAKARTA
from core.reference import load_calendar


def deadline(report_type: str, period_start: dt.date) -> dt.date:
    """Last on-time day (Jakarta) from the report calendar seed."""
    return load_calendar()[report_type].deadline(period_start)


def arrival(
    rng: np.random.Generator,
    report_type: str,
    period_start: dt.date,
    earliest: dt.date,
    late: bool = False,
) -> dt.datetime:
    """An office-hours arrival clustered in the days before the deadline, or 1-20 days after.

    `earliest` is the first possible day (the day after the period ends for monthly reports).
    Returned as an aware datetime in Asia/Jakarta (UTC+7, no daylight saving).
    """
    due = deadline(report_type, period_start)
    if late:
        day = due + dt.timedelta(days=int(rng.integers(1, 21)))
    else:
        window = max(0, (due - earliest).days)
        # Most offices send in the last few days before the deadline.
        before = min(window, int(rng.exponential(2.5)))
        day = due - dt.timedelta(days=before)
    seconds = int(rng.integers(8 * 3600, 17 * 3600))
    return dt.datetime.combine(day, dt.time(), JAKARTA) + dt.timedelta(seconds=seconds)


def signed_on(rng: np.random.Generator, received: dt.datetime, earliest: dt.date) -> dt.date:
    """tanggal_laporan: the signing day, 0-2 days before arrival but not before `earliest`."""
    day = received.astimezone(JAKARTA).date() - dt.timedelta(days=int(rng.integers(0, 3)))
    return max(day, earliest)
