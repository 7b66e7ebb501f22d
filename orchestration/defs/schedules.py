"""Schedules in Asia/Jakarta: the nightly run and the day-after-deadline completeness run."""

import dagster as dg

from core.reference import load_calendar
from core.settings import TIMEZONE
from core.settings_registry import setting
from orchestration.defs.jobs import DEADLINE_JOB, NIGHTLY_JOB

# Operators may move the nightly (docs/operations.md); the daemon test sets a near-future cron.
NIGHTLY_CRON_ENV = "LIPAS_NIGHTLY_CRON"
NIGHTLY_CRON = setting(NIGHTLY_CRON_ENV).default  # 01:00 WIB


def nightly_cron() -> str:
    """LIPAS_NIGHTLY_CRON when set, else 01:00 WIB; read when definitions load.

    An invalid expression stops the code location from loading (ScheduleDefinition checks it),
    which the operator sees at once rather than as a night without a run.
    """
    return setting(NIGHTLY_CRON_ENV).text()


def deadline_cron(deadline_day: int) -> str:
    """07:00 on the day after the monthly deadline (the 1st when the deadline is month-end)."""
    day_after = deadline_day + 1 if deadline_day < 28 else 1
    return f"0 7 {day_after} * *"


@dg.definitions
def defs() -> dg.Definitions:
    """Schedules; the deadline day is read from the report calendar seed at load time."""
    monthly = load_calendar()["monthly"]
    return dg.Definitions(
        schedules=[
            dg.ScheduleDefinition(
                name="nightly_0100_wib",
                job_name=NIGHTLY_JOB,
                cron_schedule=nightly_cron(),
                execution_timezone=TIMEZONE,
                default_status=dg.DefaultScheduleStatus.RUNNING,
                description="Every night at 01:00 WIB: ingest, check, build, alert, publish.",
            ),
            dg.ScheduleDefinition(
                name="monthly_deadline_check",
                job_name=DEADLINE_JOB,
                cron_schedule=deadline_cron(monthly.deadline_day),
                execution_timezone=TIMEZONE,
                default_status=dg.DefaultScheduleStatus.RUNNING,
                description=(
                    f"Day after the monthly deadline (day {monthly.deadline_day}): list missing "
                    "reports and send overdue notices."
                ),
            ),
        ]
    )
