"""Running Dagster jobs from the CLI, tests and benchmarks on the project's Dagster instance."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from ingestion.settings import Settings

INSTANCE_TEMPLATE = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home(settings: Settings) -> Path:
    """Point DAGSTER_HOME at LIPAS_HOME/dagster and give it our dagster.yaml once.

    An operator's own dagster.yaml there (e.g. the PostgreSQL variant) is never overwritten.
    """
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(INSTANCE_TEMPLATE, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@dataclass(frozen=True)
class JobOutcome:
    """What a job run did: success, its run id, and wall time per step."""

    success: bool
    run_id: str
    seconds: float
    step_seconds: Mapping[str, float] = field(default_factory=dict)
    failed_checks: tuple[str, ...] = ()


def run_job(
    settings: Settings, job_name: str, run_config: Mapping[str, Any] | None = None
) -> JobOutcome:
    """Execute a job of the project's Definitions, recorded in the instance (visible in the UI)."""
    prepare_dagster_home(settings)
    os.environ["LIPAS_HOME"] = str(settings.home)
    from orchestration.definitions import defs

    definitions = defs()
    job = definitions.resolve_job_def(job_name)
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, run_config=dict(run_config or {}), raise_on_error=False
        )
        steps = _step_seconds(instance, result.run_id)
    failed_checks = tuple(
        f"{e.asset_check_evaluation_data.asset_key.to_user_string()}:"
        f"{e.asset_check_evaluation_data.check_name}"
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    )
    return JobOutcome(
        success=result.success,
        run_id=result.run_id,
        seconds=time.perf_counter() - started,
        step_seconds=steps,
        failed_checks=failed_checks,
    )


def _step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    stats = instance.get_run_step_stats(run_id)
    return {
        s.step_key: (s.end_time - s.start_time)
        for s in stats
        if s.start_time is not None and s.end_time is not None
    }
