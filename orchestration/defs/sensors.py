"""Sensors: start ingestion when files land, and record and announce failed runs."""

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from pathlib import Path

import dagster as dg

from core.settings import Settings, load_settings
from orchestration.defs.jobs import INGEST_JOB, WRITER_TAGS

FAILURE_LOG = "run_failures.jsonl"
logger = logging.getLogger(__name__)


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


def record_failure(reports_dir: Path, run_id: str, job_name: str, message: str) -> Path | None:
    """Append a failed run to reports/run_failures.jsonl, which the next digest reports.

    Once per run id: the run-failure sensors (daemon) and the CLI that ran the job may all see
    one failure at the same moment; `append_once` lets exactly one of them write, the others
    get None.
    """
    entry = {
        "run_id": run_id,
        "job": job_name,
        "message": message[:2000],
        "failed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    path = reports_dir / FAILURE_LOG
    return path if append_once(path, entry) else None


def append_once(path: Path, entry: dict[str, str]) -> bool:
    """Append `entry` to the JSONL log at `path` unless a line has its run_id; True if appended.

    The look-up and the append happen under one exclusive `flock`, so of two processes that
    claim the same run id at the same moment exactly one succeeds.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # "a+": reads from the start after seek(0), every write still lands at the end.
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            handle.seek(0)
            if entry["run_id"] in _run_ids(handle.read()):
                return False
            handle.write(json.dumps(entry) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return True


def announce_run_failure(
    settings: Settings, run_id: str, job_name: str, message: str
) -> bool | None:
    """Record a failed run for the next digest and mail the operators, once per run.

    One function for every path (issue 14 item 2): the run-failure sensor calls it for schedule,
    sensor and UI runs, and `lipas nightly` / `lipas demo` / `lipas run` call it themselves when
    their run fails, so a CLI failure is announced even when no daemon runs. When both see the
    same run (a CLI run while the daemon is up), the second call finds it recorded and does
    nothing (returns None). Otherwise returns whether the operators' mail was delivered.
    """
    from core.redact import scrub
    from quality.alerts import notify_operators

    # Failure text can quote a file name or value; a NIK/NIP never reaches the logs (issue #11).
    text = scrub(message or "run failed")
    path = record_failure(settings.reports_dir, run_id, job_name, text)
    if path is None:
        return None
    logger.error("run %s of %s failed: %s (recorded in %s)", run_id, job_name, text, path)
    return notify_operators(
        settings,
        subject=f"[LIPAS] Run gagal: {job_name}",
        body=f"Run {run_id} ({job_name}) gagal / failed.\n\n{text}",
    )


def recorded_failures(reports_dir: Path) -> set[str]:
    """Run ids already in reports/run_failures.jsonl (unreadable lines are skipped)."""
    path = reports_dir / FAILURE_LOG
    if not path.is_file():
        return set()
    return _run_ids(path.read_text(encoding="utf-8"))


def _run_ids(text: str) -> set[str]:
    ids = set()
    for line in text.splitlines():
        try:
            ids.add(str(json.loads(line)["run_id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return ids


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed run and alerts the operators.",
    monitor_all_code_locations=False,
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    """Keep a record the next digest reads and mail the operators (shared with the CLI)."""
    run = context.dagster_run
    announce_run_failure(
        load_settings(), run.run_id, run.job_name, context.failure_event.message or ""
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Sensors."""
    return dg.Definitions(sensors=[landing_sensor, run_failure_alert])
