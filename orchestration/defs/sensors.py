"""Sensors: start ingestion when files land, and record and announce failed runs."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import dagster as dg

from ingestion.settings import load_settings
from orchestration.defs.jobs import INGEST_JOB, WRITER_TAGS

FAILURE_LOG = "run_failures.jsonl"


def landing_fingerprints(landing: Path) -> dict[str, str]:
    """Content hash of every file under landing/, keyed by its relative path."""
    if not landing.exists():
        return {}
    out: dict[str, str] = {}
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        out[str(path.relative_to(landing))] = digest.hexdigest()
    return out


def new_arrivals(current: dict[str, str], cursor: str | None) -> dict[str, str]:
    """Files whose content was not seen on the previous tick (renames of known content ignored)."""
    seen = set(json.loads(cursor)["hashes"]) if cursor else set()
    return {path: digest for path, digest in current.items() if digest not in seen}


@dg.sensor(
    name="landing_sensor",
    job_name=INGEST_JOB,
    minimum_interval_seconds=120,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts ingestion when new files appear in LIPAS_HOME/landing (keyed by content).",
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """One run per new set of file contents; the cursor keeps the hashes still in landing."""
    current = landing_fingerprints(load_settings().landing_dir)
    fresh = new_arrivals(current, context.cursor)
    cursor = json.dumps({"hashes": sorted(set(current.values()))})
    if not fresh:
        context.update_cursor(cursor)
        return dg.SkipReason("no new files in landing/")
    run_key = hashlib.sha256("".join(sorted(fresh.values())).encode()).hexdigest()
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key, tags={**WRITER_TAGS, "lipas/files": str(len(fresh))})
        ],
        cursor=cursor,
    )


def record_failure(reports_dir: Path, run_id: str, job_name: str, message: str) -> Path:
    """Append a failed run to reports/run_failures.jsonl, which the next digest reports."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / FAILURE_LOG
    entry = {
        "run_id": run_id,
        "job": job_name,
        "message": message[:2000],
        "failed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    return path


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed run and alerts the operators.",
    monitor_all_code_locations=False,
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    """Log loudly, keep a record the next digest reads, and mail the operators when configured."""
    settings = load_settings()
    message = context.failure_event.message or "run failed"
    path = record_failure(
        settings.reports_dir, context.dagster_run.run_id, context.dagster_run.job_name, message
    )
    context.log.error(
        "run %s failed: %s (recorded in %s)", context.dagster_run.run_id, message, path
    )
    from quality.alerts import notify_operators

    notify_operators(
        settings, subject=f"[LIPAS] Run gagal: {context.dagster_run.job_name}", body=message
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Sensors."""
    return dg.Definitions(sensors=[landing_sensor, run_failure_alert])
