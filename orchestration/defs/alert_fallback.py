"""A failed nightly run still reaches the morning alert (DESIGN §6; issue 14, lineage item).

The nightly lineage is landing -> raw -> staging -> marts -> checks -> alert -> publish, so a
failed upstream step (the dbt build, a blocking mart check, ingestion) skips the alert step with
everything after it. Then the `alert_only` job runs once for that failed run: started by this
module's sensor for daemon runs (schedule, UI, sensor), and by `run_job` itself for runs the CLI
starts, so no daemon is needed. Both paths first record the failure (`announce_run_failure`,
once per run), so the digest the alert run writes lists tonight's failed run whichever of the two
run-failure sensors the daemon evaluates first. One claim per failed run id in
reports/alert_reruns.jsonl (same lock as the failure log) keeps the daemon and a CLI that both
see one failure from running the alert twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.execution.stats import StepEventStatus

from core.settings import Settings, load_settings
from orchestration.defs.alert_assets import ALERT_SUMMARY
from orchestration.defs.jobs import alert_job, nightly_job
from orchestration.defs.sensors import announce_run_failure, append_once

ALERT_STEP = ALERT_SUMMARY.to_python_identifier()
ALERT_RERUN_LOG = "alert_reruns.jsonl"
# On every alert run started for a failed nightly run: the failed run's id (the UI filters on it).
ALERT_FOR_RUN_TAG = "lipas/alert-for-run"
# What the alert job accepts of the failed run's config: its own options and these resources.
ALERT_RESOURCES = ("lipas", "mail")


def alert_step_succeeded(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Whether the run's own alert step ran to the end (then its digest is already written)."""
    stats = instance.get_run_step_stats(run_id, step_keys=[ALERT_STEP])
    return any(s.status == StepEventStatus.SUCCESS for s in stats)


def claim_alert_rerun(reports_dir: Path, failed_run_id: str) -> bool:
    """True for the first caller only, per failed run (the daemon's sensor or the CLI)."""
    entry = {
        "run_id": failed_run_id,
        "claimed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return append_once(reports_dir / ALERT_RERUN_LOG, entry)


def alert_run_config(run_config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The part of the failed run's config the alert job takes.

    The same period, send flag, language, home and judging day: the alert run reports what the
    nightly run would have.
    """
    config = dict(run_config or {})
    out: dict[str, Any] = {}
    ops = dict(config.get("ops") or {})
    if ALERT_STEP in ops:
        out["ops"] = {ALERT_STEP: ops[ALERT_STEP]}
    resources = dict(config.get("resources") or {})
    kept = {name: resources[name] for name in ALERT_RESOURCES if name in resources}
    if kept:
        out["resources"] = kept
    if config.get("loggers"):
        out["loggers"] = config["loggers"]
    return out


def settings_of_run(run_config: Mapping[str, Any] | None) -> Settings:
    """The settings the run used: its `lipas` resource's home when configured, else LIPAS_HOME."""
    resources = dict((run_config or {}).get("resources") or {})
    home = dict(dict(resources.get("lipas") or {}).get("config") or {}).get("home")
    return load_settings(home=Path(home) if home else None)


@dg.run_failure_sensor(
    name="alert_after_failed_nightly",
    monitored_jobs=[nightly_job],
    request_job=alert_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When a nightly run fails before its alert step, records the failure and starts "
    "the alert_only job once, so the morning digest (listing the failed run) is still sent.",
)
def alert_after_failed_nightly(
    context: dg.RunFailureSensorContext,
) -> dg.RunRequest | dg.SkipReason:
    """One alert run per failed nightly run whose alert step did not succeed."""
    run = context.dagster_run
    if alert_step_succeeded(context.instance, run.run_id):
        return dg.SkipReason(f"run {run.run_id} wrote its alert summary before it failed")
    settings = settings_of_run(run.run_config)
    # Before the request, so the alert run's digest lists this failure even when this sensor is
    # evaluated before `run_failure_alert` (a no-op when that one recorded it already).
    announce_run_failure(
        settings, run.run_id, run.job_name, context.failure_event.message or "run failed"
    )
    if not claim_alert_rerun(settings.reports_dir, run.run_id):
        return dg.SkipReason(f"the alert after run {run.run_id} was already started")
    return dg.RunRequest(
        run_key=f"alert-after-{run.run_id}",
        run_config=alert_run_config(run.run_config),
        tags={ALERT_FOR_RUN_TAG: run.run_id},
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The alert-after-failure sensor."""
    return dg.Definitions(sensors=[alert_after_failed_nightly])
