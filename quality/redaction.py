"""Cell values made safe to show: missing-value aware, numbers formatted before they are scrubbed.

Whatever a clerk typed can reach a finding's sample, a message or a GX result: a NIK typed into
a Rupiah or count column included. Everything the quality layer writes goes through here, so no
run of 12+ digits (core.redact's rule) leaves it, whatever the value's Python type.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from core.redact import MAX_VALUE_CHARS, scrub

_INTEGRAL_LIMIT = 1e18  # floats below this print as their integer digits (then get scrubbed)


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pd.NA (which raises on `value != value`)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def format_number(value: float | int | decimal.Decimal | np.number[Any] | np.bool_) -> str:
    """Digits as a person would read them, so a NIK stored as 3.578013003030005e15 is seen.

    Exponent notation would hide the digit run from the scrubber; an integral float below 1e18
    prints as its integer instead. Other floats keep up to 10 significant digits.
    """
    if isinstance(value, bool | np.bool_):
        return "Y" if value else "N"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return str(value)
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    if number.is_integer() and abs(number) < _INTEGRAL_LIMIT:
        return str(int(number))
    return f"{number:.10g}"


def display_value(value: object, limit: int = MAX_VALUE_CHARS) -> str | None:
    """A cell value for a finding sample: None when missing, else short, scrubbed text."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_ | int | float | np.integer | np.floating):
        text = format_number(value)
    elif isinstance(value, decimal.Decimal):
        text = format_number(value)
    elif isinstance(value, pd.Timestamp | dt.datetime):
        # pandas turns DATE columns into midnight timestamps; the sender typed a date.
        text = str(value).removesuffix(" 00:00:00")
    else:
        text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return scrub(text)


def _is_statistic(key: object) -> bool:
    return isinstance(key, str) and key.endswith(_STATISTIC_SUFFIXES)


_STATISTIC_SUFFIXES = ("_count", "_percent", "_percent_total", "_percent_nonmissing")


def scrub_value(value: Any) -> Any:
    """Deep copy of a GX result (dicts, lists, numbers, text) without long digit runs.

    Numbers whose digits would be scrubbed become the scrubbed text; everything else keeps its
    type so Data Docs still render counts and percentages as numbers.
    """
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        # GX validates its own statistics (counts, percentages) as numbers when it reloads a
        # result: they are computed by GX, never typed by a clerk, so they keep their value.
        return {
            key: item if _is_statistic(key) else scrub_value(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub_value(item) for item in value]
    if isinstance(value, bool | np.bool_) or is_missing(value):
        return value
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        # A fraction is never a typed NIK; "0.000123456789" only looks like a digit run.
        return value
    if isinstance(value, int | float | np.integer | np.floating | decimal.Decimal):
        text = format_number(value)
        return value if scrub(text) == text else scrub(text)
    if isinstance(value, pd.Timestamp | dt.date):
        return value
    text = str(value)
    return value if scrub(text) == text else scrub(text)
