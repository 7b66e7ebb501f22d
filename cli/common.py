"""Shared argument validators for every CLI command: one-line error, exit 2, before any work.

A typo must never run the pipeline (issue 14 item 5: `lipas nightly --period 2025-13` used to
ingest, check, build and publish before failing), so every command calls these first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from core.period import YEAR_PATTERN, Period, PeriodError

# The jobs of orchestration/defs/jobs.py (a test holds the two equal); kept here so a typo in
# `lipas run` is refused without importing Dagster.
JOB_NAMES: tuple[str, ...] = (
    "nightly",
    "ingest_on_arrival",
    "deadline_completeness",
    "alert_only",
)
LANGUAGES: tuple[str, ...] = ("id", "en")
DBT_TARGETS: tuple[str, ...] = ("duckdb", "postgres")

console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear one-line error on stderr and exit with `code` (2 = bad usage or input)."""
    console.print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def parse_period_option(value: str, flag: str = "period") -> Period:
    """'YYYY-MM' as a Period, or exit 2 with a message that shows the expected form."""
    try:
        return Period.parse(value.strip())
    except PeriodError:
        fail(f"{flag} {value!r} is not a month in the form YYYY-MM (e.g. 2025-03)")


def period_option(value: str | None, flag: str = "--period") -> str | None:
    """A validated, normalised 'YYYY-MM' (or None when the option was not given)."""
    if value is None:
        return None
    return str(parse_period_option(value, flag))


def year_option(value: str | None, flag: str = "--year") -> int | None:
    """A validated four-digit reporting year (or None when the option was not given)."""
    if value is None:
        return None
    text = value.strip()
    if not YEAR_PATTERN.fullmatch(text):
        fail(f"{flag} {value!r} is not a four-digit year (e.g. 2025)")
    return int(text)


def date_option(value: str | None, flag: str = "--as-of") -> dt.date | None:
    """A validated YYYY-MM-DD date (or None when the option was not given)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{flag} {value!r} is not a date in the form YYYY-MM-DD (e.g. 2025-03-11)")


def choice_option(value: str | None, flag: str, choices: Sequence[str]) -> str | None:
    """`value` if it is one of `choices` (or None when not given), else exit 2 naming them."""
    if value is None:
        return None
    if value not in choices:
        fail(f"{flag} must be one of {', '.join(choices)}, got {value!r}")
    return value


def positive_int_option(value: int | None, flag: str, maximum: int | None = None) -> int | None:
    """A whole number >= 1 (and <= `maximum` when given), else exit 2."""
    if value is None:
        return None
    if value < 1 or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        fail(f"{flag} must be at least 1{bound}, got {value}")
    return value


def judging_day_option(value: str | None, flag: str = "--as-of") -> dt.date:
    """The judging day: the validated flag, else LIPAS_AS_OF, the instance file, today (Jakarta).

    Every command resolves it through `quality.config.judging_day`, the function the Dagster
    jobs use, so a check, a build and a report of one day judge the same day.
    """
    from core.settings import ConfigurationError, load_settings
    from quality.config import judging_day

    day = date_option(value, flag)
    try:
        return judging_day(day, home=load_settings().home)
    except ConfigurationError as exc:
        fail(str(exc))
