"""Month arithmetic on 'YYYY-MM' strings and the Jakarta calendar day."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from core.settings import TIMEZONE

WINDOW_MONTHS = 12
JAKARTA_OFFSET = dt.timedelta(hours=7)


def shift_month(period: str, delta: int) -> str:
    """'2025-03' shifted by `delta` months."""
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(period: str) -> str:
    """The month before `period`."""
    return shift_month(period, -1)


def window_months(period: str, size: int = WINDOW_MONTHS) -> tuple[str, ...]:
    """The `size` months ending with `period`, oldest first (heatmap and trend columns)."""
    return tuple(shift_month(period, -offset) for offset in range(size - 1, -1, -1))


def today_jakarta() -> dt.date:
    """Today's date in Asia/Jakarta: deadlines and digests are Jakarta days."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def jakarta_date(utc_naive: dt.datetime) -> dt.date:
    """Warehouse timestamps are naive UTC; Jakarta is UTC+7 without daylight saving."""
    return (utc_naive + JAKARTA_OFFSET).date()


PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def compress_months(months: list[str]) -> list[str]:
    """['2024-05', '2024-06', '2024-07', '2025-01'] -> ['2024-05…2024-07', '2025-01']."""
    out: list[str] = []
    run: list[str] = []
    for month in sorted(months):
        if run and shift_month(run[-1], 1) != month:
            out.append(run[0] if len(run) < 3 else f"{run[0]}…{run[-1]}")
            out.extend(run[1:] if len(run) == 2 else [])
            run = []
        run.append(month)
    if run:
        out.append(run[0] if len(run) < 3 else f"{run[0]}…{run[-1]}")
        out.extend(run[1:] if len(run) == 2 else [])
    return out
