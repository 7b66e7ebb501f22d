"""What a CLI-started run does after it failed, as the daemon's run-failure sensors do.

`run_job` executes runs without a daemon (issue 14 item 2), so the daemon's reactions to a
failed run are taken here too: the failure text for the record, the blocked-publish status,
and whether the `alert_only` job must still run (issue 14, lineage item).
"""

from __future__ import annotations

import dagster as dg
from dagster._core.events import DagsterEventType

from core.settings import Settings
from orchestration.run_log import error_of, error_summary


def failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    """The run's failure event text and each failed step's own error (not Dagster's wrapper)."""
    lines = []
    for record in instance.get_records_for_run(
        run_id, of_type={DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE}
    ).records:
        entry = record.event_log_entry
        error = error_of(entry)
        lines.append(f"{entry.message} {error_summary(error)}" if error else entry.message)
    return "\n".join(lines) or "run failed"


def record_publish_blocked(settings: Settings, run_id: str, failure: str) -> None:
    """What the daemon's `publish_blocked_on_failure` sensor records, for a run without daemon.

    Analysts keep the previous snapshot and the next digest says why; without this a CLI-run
    nightly that failed left `_status.json` saying the last attempt had published.
    """
    from publishing.snapshot import publish_blocked

    first = next((line for line in failure.splitlines() if line.strip()), "unknown error")
    publish_blocked(settings, f"nightly run failed ({first[:200]}); snapshot not refreshed", run_id)


def alert_due_after(settings: Settings, instance: dg.DagsterInstance, run_id: str) -> bool:
    """The failed nightly run skipped its alert step, and no one else started the alert run.

    Claims the alert run (`claim_alert_rerun`): when the daemon's `alert_after_failed_nightly`
    sensor saw this run first, it starts the alert run and this returns False.
    """
    from orchestration.defs.alert_fallback import alert_step_succeeded, claim_alert_rerun

    return not alert_step_succeeded(instance, run_id) and claim_alert_rerun(
        settings.reports_dir, run_id
    )
