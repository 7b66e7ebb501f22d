"""Running Dagster jobs from the CLI, tests and benchmarks on the project's Dagster instance."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._check import not_none as check_not_none
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.execution.api import execute_run
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from core.settings import Settings
from orchestration.failed_run import alert_due_after, failure_message, record_publish_blocked
from orchestration.run_log import QUIET_CONSOLE, RunLog, StepEvent, captured_output, run_log_path

# Tag on runs started by `lipas nightly` / `lipas demo` / `lipas run` (the UI can filter on it).
STARTED_BY_TAG = "lipas/started-by"

INSTANCE_TEMPLATE = Path(__file__).with_name("dagster.yaml")
# First line of a dagster.yaml lipas wrote: while it is there, lipas keeps the file current.
WRITTEN_BY_LIPAS = (
    "# Written by lipas from orchestration/dagster.yaml and rewritten while this line is here; "
    "delete this line to keep your own edits.\n"
)
# sha256 of dagster.yaml templates lipas copied verbatim before it marked the files it wrote;
# such a file is lipas's own and is replaced by the current one.
EARLIER_TEMPLATES = frozenset({"68b5516fb7bdf0d01a42c34339f86037c2c662c492d1073df962057433d20bc8"})


def instance_config(dagster_home: Path) -> str:
    """Our dagster.yaml for one Dagster instance folder (its storage paths are absolute)."""
    template = INSTANCE_TEMPLATE.read_text(encoding="utf-8")
    return WRITTEN_BY_LIPAS + template.replace("@DAGSTER_HOME@", str(dagster_home.resolve()))


def prepare_dagster_home(settings: Settings) -> Path:
    """Make LIPAS_HOME/dagster, the Dagster instance folder, and keep our dagster.yaml there.

    The file is written when absent, and rewritten when lipas wrote it (its first line says so,
    or it is an earlier template copied verbatim) and it differs: a new template, or a home moved
    to another path. An operator's own dagster.yaml there (e.g. the PostgreSQL variant) is never
    overwritten. The folder is returned, not exported: `run_job` opens the instance from it and
    `lipas ui` hands it to its child process as DAGSTER_HOME.
    """
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = instance_config(home)
    if config.exists():
        current = config.read_text(encoding="utf-8")
        ours = current.startswith(WRITTEN_BY_LIPAS) or (
            hashlib.sha256(current.encode("utf-8")).hexdigest() in EARLIER_TEMPLATES
        )
        if not ours or current == wanted:
            return home
    # Per process: two runs starting together both write the same text, each renaming its own.
    temporary = config.with_name(f".dagster.yaml.{os.getpid()}.tmp")
    temporary.write_text(wanted, encoding="utf-8")
    temporary.replace(config)
    return home


# What `lipas demo` removes before it starts: every folder of data LIPAS_HOME holds. Dagster's
# run, schedule and sensor storage go too (the operator's dagster.yaml stays).
DEMO_DATA_DIRS = (
    "landing",
    "archive",
    "quarantine",
    "raw",
    "warehouse",
    "reports",
    "generated",
    "logs",
)
DEMO_MARKER = "lipas demo"


class NotADemoHomeError(RuntimeError):
    """LIPAS_HOME holds data the demo did not make; the demo refuses to delete it."""


def reset_demo_home(settings: Settings) -> list[Path]:
    """Wipe LIPAS_HOME's data so rerunning `make demo` starts clean (issue 14 item 3).

    Only a home that is empty or was made by the demo (its instance.json says so) is wiped:
    a production home is never deleted by a demo run (DESIGN: nothing is ever deleted).
    """
    from quality.config import instance_settings_path, read_instance_settings

    home = settings.home
    # Homes of demos older than instance.json are recognised by the generator's manifest.
    made_by_demo = (
        read_instance_settings(home).get("written_by") == DEMO_MARKER
        or (home / "generated" / "_manifest.json").is_file()
    ) and settings.environment != "prod"
    present = [home / name for name in DEMO_DATA_DIRS if (home / name).exists()]
    holds_data = any(_has_files(path) for path in present)
    if holds_data and not made_by_demo:
        raise NotADemoHomeError(
            f"LIPAS_HOME {home} holds data not made by `lipas demo`; run the demo with an "
            "empty LIPAS_HOME (e.g. LIPAS_HOME=/tmp/lipas-demo)"
        )
    removed = []
    for path in present:
        shutil.rmtree(path)
        removed.append(path)
    dagster_home = settings.dagster_home
    if dagster_home.is_dir():
        for child in dagster_home.iterdir():
            if child.name != "dagster.yaml":
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
                removed.append(child)
    instance_settings_path(home).unlink(missing_ok=True)
    return removed


def _has_files(path: Path) -> bool:
    return path.is_file() or any(p.is_file() for p in path.rglob("*"))


# The code location as `dagster dev -m orchestration.definitions` (`lipas ui`) registers it: a
# CLI run carries this origin, so it is listed under its job in the UI, re-executes without a
# version warning, and the run-status sensors (which match runs by location) see it.
DEFINITIONS_MODULE = "orchestration.definitions"
LOCATION_NAME = DEFINITIONS_MODULE
PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class JobOutcome:
    """What a job run did: success, its run id, wall time per step, and its log file."""

    success: bool
    run_id: str
    seconds: float
    step_seconds: Mapping[str, float] = field(default_factory=dict)
    failed_checks: tuple[str, ...] = ()
    log_path: Path | None = None
    failure_message: str = ""
    # A failed run: True when the operators were mailed, False when only recorded (no SMTP or
    # delivery failed; the .eml copy is under reports/), None when another path had announced it.
    operators_mailed: bool | None = None
    # A nightly run that failed before its alert step: the `alert_only` run started right after
    # it (None when the alert step ran, or the daemon's sensor had already started that run).
    alert_run: JobOutcome | None = None


def reconstructable_job(job_name: str) -> ReconstructableJob:
    """The job as the code server loads it: a module pointer to orchestration.definitions:defs."""
    repository = ReconstructableRepository.for_module(
        DEFINITIONS_MODULE, "defs", working_directory=str(PROJECT_ROOT)
    )
    return repository.get_reconstructable_job(job_name)


def remote_job_origin(repository_name: str, job_name: str) -> RemoteJobOrigin:
    """Where the UI and the daemon find the job: the `-m orchestration.definitions` location."""
    loadable = LoadableTargetOrigin(
        executable_path=sys.executable,
        module_name=DEFINITIONS_MODULE,
        working_directory=str(PROJECT_ROOT),
    )
    location = ManagedGrpcPythonEnvCodeLocationOrigin(loadable, location_name=LOCATION_NAME)
    return RemoteJobOrigin(RemoteRepositoryOrigin(location, repository_name), job_name)


def run_job(
    settings: Settings,
    job_name: str,
    run_config: Mapping[str, Any] | None = None,
    *,
    progress: Callable[[StepEvent], None] | None = None,
    quiet: bool = False,
    as_of: dt.date | None = None,
    tags: Mapping[str, str] | None = None,
) -> JobOutcome:
    """Run a job as a first-class run of the code location, recorded in the instance.

    The run is created with the code location's origin and the job snapshot the code server
    computes (issue 14 item 2: `execute_in_process` made ephemeral runs the UI did not list and
    the failure sensor skipped), then executed here, so no daemon is needed. Every event also
    goes to LIPAS_HOME/logs/<job>_<run>.log; `quiet` keeps Dagster's console logger silent and
    `progress` hears step starts and ends. A failed run is recorded and announced like the
    run-failure sensor does (`announce_run_failure`), so it reaches the operators without a daemon.
    The home (and `as_of`, a judging day) reach the job as the `lipas` resource's run config,
    never through os.environ, and the instance is opened from the home's Dagster folder.
    A nightly run that failed before its alert step is followed by the `alert_only` job, as the
    daemon's `alert_after_failed_nightly` sensor does, so the failed night still gets its digest.
    """
    dagster_home = prepare_dagster_home(settings)
    from orchestration.defs.alert_fallback import ALERT_FOR_RUN_TAG, alert_run_config
    from orchestration.defs.jobs import ALERT_JOB, NIGHTLY_JOB
    from orchestration.defs.sensors import announce_run_failure

    recon = reconstructable_job(job_name)
    job = recon.get_definition()
    repository = check_not_none(recon.get_repository_definition())
    config = {
        **with_lipas_config(run_config, home=settings.home, as_of=as_of),
        **(QUIET_CONSOLE if quiet else {}),
    }
    started = time.perf_counter()
    alert_due = False
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.create_run_for_job(
            job_def=job,
            run_config=config,
            tags={**job.run_tags, **(tags or {}), STARTED_BY_TAG: "cli"},
            remote_job_origin=remote_job_origin(repository.name, job_name),
            job_code_origin=recon.get_python_origin(),
            repository_load_data=repository.repository_load_data,
        )
        log_path = run_log_path(settings.home / "logs", job_name, run.run_id)
        with RunLog(log_path, progress) as listener:
            instance.add_event_listener(run.run_id, listener)
            output = captured_output(listener.handle) if quiet else contextlib.nullcontext()
            with output:
                try:
                    result = execute_run(recon, run, instance, raise_on_error=False)
                except Exception as exc:
                    # A framework error (not a step's): still announced, then shown to the caller.
                    announce_run_failure(
                        settings, run.run_id, job_name, f"{type(exc).__name__}: {exc}"
                    )
                    raise
                failure = "" if result.success else failure_message(instance, run.run_id)
                # Inside the capture: the record and mail lines go to the run's log file.
                mailed = (
                    None
                    if result.success
                    else announce_run_failure(settings, run.run_id, job_name, failure)
                )
                if not result.success and job_name == NIGHTLY_JOB:
                    record_publish_blocked(settings, run.run_id, failure)
                    alert_due = alert_due_after(settings, instance, run.run_id)
        steps = _step_seconds(instance, run.run_id)
    seconds = time.perf_counter() - started
    alert_run = None
    if alert_due:
        # After the failure is recorded (above), so the digest lists it; same options and home.
        alert_run = run_job(
            settings,
            ALERT_JOB,
            alert_run_config(config),
            progress=progress,
            quiet=quiet,
            as_of=as_of,
            tags={ALERT_FOR_RUN_TAG: run.run_id},
        )
    failed_checks = tuple(
        f"{e.asset_check_evaluation_data.asset_key.to_user_string()}:"
        f"{e.asset_check_evaluation_data.check_name}"
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    )
    return JobOutcome(
        success=result.success,
        run_id=run.run_id,
        seconds=seconds,
        step_seconds=steps,
        failed_checks=failed_checks,
        log_path=log_path,
        failure_message=failure,
        operators_mailed=mailed,
        alert_run=alert_run,
    )


def with_lipas_config(
    run_config: Mapping[str, Any] | None, *, home: Path, as_of: dt.date | None = None
) -> dict[str, Any]:
    """`run_config` with the `lipas` resource configured for `home` (and `as_of` when given)."""
    config = dict(run_config or {})
    resources = dict(config.get("resources") or {})
    lipas = dict(resources.get("lipas") or {})
    values = {**dict(lipas.get("config") or {}), "home": str(home)}
    if as_of is not None:
        values["as_of"] = as_of.isoformat()
    resources["lipas"] = {**lipas, "config": values}
    return {**config, "resources": resources}


def _step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    stats = instance.get_run_step_stats(run_id)
    return {
        s.step_key: (s.end_time - s.start_time)
        for s in stats
        if s.start_time is not None and s.end_time is not None
    }
