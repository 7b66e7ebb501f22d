"""The production path: the real `dagster-daemon run` starts the sensor's and the schedule's runs.

Issue #18 item 2: `dagster dev` is a development tool; on the server the landing sensor and the
01:00 schedule only run because `dagster-daemon` evaluates them. This starts the daemon against
a temporary instance and workspace (the deploy/ layout, with SQLite storage), and only polls
run storage: no fixed sleep decides the outcome, and the daemon's process group is always ended.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from core.settings import PROJECT_ROOT
from orchestration.instance import instance_config

pytestmark = pytest.mark.slow

DAEMON = PROJECT_ROOT / ".venv" / "bin" / "dagster-daemon"
# Generous: a loaded 2-core CI machine starts the code server and a run in well under this.
RUN_TIMEOUT_S = 600.0
# A cron that cannot fire during the test (01 January 00:00) keeps the nightly out of phase 1.
NEVER_CRON = "0 0 1 1 *"
SETTLED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
LAUNCHED = SETTLED | {dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED}


def _workspace(path: Path) -> Path:
    """The same workspace as deploy/workspace.yaml, pointed at this checkout."""
    path.write_text(
        "load_from:\n"
        "  - python_module:\n"
        "      module_name: orchestration.definitions\n"
        f"      working_directory: {PROJECT_ROOT}\n",
        encoding="utf-8",
    )
    return path


@contextmanager
def _daemon(env: dict[str, str], workspace: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`dagster-daemon run` in its own process group, ended (with its code server) on exit."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(DAEMON), "run", "-w", str(workspace)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield proc
    finally:
        # The group holds the daemon, the code server it started and any run worker.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                continue


def _wait_for_run(
    dagster_home: Path,
    tags: dict[str, str],
    done: Callable[[dg.DagsterRun], bool],
    daemon: subprocess.Popen[bytes],
    log: Path,
) -> dg.DagsterRun:
    """Poll run storage until a run with `tags` satisfies `done` (bounded, fails with the log)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            pytest.fail(f"dagster-daemon exited:\n{log.read_text(errors='replace')[-4000:]}")
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            runs = instance.get_runs(filters=dg.RunsFilter(tags=tags))
        for run in runs:
            if done(run):
                return run
        time.sleep(2)  # polling interval only; the outcome is decided by run storage
    pytest.fail(
        f"no run {tags} in {RUN_TIMEOUT_S:.0f} s:\n{log.read_text(errors='replace')[-4000:]}"
    )


def _daemon_home(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """(LIPAS_HOME, DAGSTER_HOME, workspace.yaml, daemon log) for one daemon test.

    The SQLite storages are created before the daemon and the poller open them together: two
    processes creating them at once left two alembic heads ("more than one head present").
    """
    home = tmp_path / "home"
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True)
    (dagster_home / "dagster.yaml").write_text(instance_config(dagster_home), encoding="utf-8")
    workspace = _workspace(tmp_path / "workspace.yaml")
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.get_runs(limit=1)
        instance.all_instigator_state()
    return home, dagster_home, workspace, tmp_path / "daemon.log"


def test_daemon_runs_the_landing_sensor_and_the_nightly_schedule(tmp_path: Path) -> None:
    """Phase 1: a file in landing -> the sensor's ingest run succeeds and ledgers it.

    Phase 2: LIPAS_NIGHTLY_CRON every minute -> the daemon launches the nightly job.
    The phases are separate daemon starts so the nightly cannot ingest the file first.
    """
    from synthetic.generate import generate

    home, dagster_home, workspace, log = _daemon_home(tmp_path)
    generate(out=home / "landing", start="2025-01", months=1, seed=3, bapas=1, scale=0.02,
             faults="none")  # fmt: skip
    env = {
        **os.environ,
        "LIPAS_HOME": str(home),
        "DAGSTER_HOME": str(dagster_home),
        "LIPAS_ENV": "dev",
        "LIPAS_AS_OF": "2025-02-20",
        "LIPAS_NIGHTLY_CRON": NEVER_CRON,
    }
    env.pop("LIPAS_PSEUDONYM_KEY", None)

    with _daemon(env, workspace, log) as daemon:
        ingest = _wait_for_run(
            dagster_home, {"dagster/sensor_name": "landing_sensor"},
            lambda run: run.status in SETTLED, daemon, log,
        )  # fmt: skip
    assert ingest.job_name == "ingest_on_arrival"
    assert ingest.status == dg.DagsterRunStatus.SUCCESS, log.read_text(errors="replace")[-4000:]
    with duckdb.connect(str(home / "warehouse" / "lipas.duckdb"), read_only=True) as con:
        accepted = con.execute(
            "select count(*) from ledger.submissions where status = 'accepted'"
        ).fetchone()
    assert accepted is not None and accepted[0] >= 1

    env["LIPAS_NIGHTLY_CRON"] = "* * * * *"
    with _daemon(env, workspace, log) as daemon:
        nightly = _wait_for_run(
            dagster_home, {"dagster/schedule_name": "nightly_0100_wib"},
            lambda run: run.status in LAUNCHED, daemon, log,
        )  # fmt: skip
    assert nightly.job_name == "nightly"
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        jobs = {run.job_name for run in instance.get_runs()}
    assert {"ingest_on_arrival", "nightly"} <= jobs


def test_daemon_runs_the_alert_after_a_failed_nightly(tmp_path: Path) -> None:
    """Issue 14: the alert follows the marts, so a nightly run failing at dbt skips it; the
    daemon's `alert_after_failed_nightly` sensor then starts `alert_only` once for that run, and
    its digest lists the failed run (whichever run-failure sensor the daemon evaluated first)."""
    import socket

    from core.period import jakarta_today

    home, dagster_home, workspace, log = _daemon_home(tmp_path)
    with socket.socket() as sock:  # a port nothing listens on: dbt's PostgreSQL step fails
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    env = {
        **os.environ,
        "LIPAS_HOME": str(home),
        "DAGSTER_HOME": str(dagster_home),
        "LIPAS_ENV": "dev",
        "LIPAS_NIGHTLY_CRON": "* * * * *",
        "LIPAS_DBT_TARGET": "postgres",
        "LIPAS_PG_HOST": "127.0.0.1",
        "LIPAS_PG_PORT": str(closed_port),
    }
    env.pop("LIPAS_PSEUDONYM_KEY", None)
    env.pop("LIPAS_AS_OF", None)  # the digest lists failures near the judging day: today

    with _daemon(env, workspace, log) as daemon:
        alert = _wait_for_run(
            dagster_home, {"dagster/sensor_name": "alert_after_failed_nightly"},
            lambda run: run.status in SETTLED, daemon, log,
        )  # fmt: skip
    assert alert.job_name == "alert_only"
    assert alert.status == dg.DagsterRunStatus.SUCCESS, log.read_text(errors="replace")[-4000:]
    failed_id = alert.tags["lipas/alert-for-run"]
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        nightly = instance.get_run_by_id(failed_id)
        assert nightly is not None and nightly.job_name == "nightly"
        assert nightly.status == dg.DagsterRunStatus.FAILURE
        assert nightly.tags["dagster/schedule_name"] == "nightly_0100_wib"
        stats = {s.step_key: s.status.value for s in instance.get_run_step_stats(failed_id)}
        assert stats["lipas_dbt"] == "FAILURE"
        assert stats.get("quality_alert_summary") != "SUCCESS"
        again = instance.get_runs(dg.RunsFilter(tags={"lipas/alert-for-run": failed_id}))
        assert [r.run_id for r in again] == [alert.run_id]
    digest = home / "reports" / jakarta_today().isoformat() / "digest.json"
    listed = [f["run_id"] for f in json.loads(digest.read_text(encoding="utf-8"))["run_failures"]]
    assert failed_id in listed
