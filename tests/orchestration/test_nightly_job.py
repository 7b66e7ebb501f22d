"""The nightly Dagster job end to end on small generated data: real DuckDB, real dbt, real GX."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from core.settings import Settings, load_settings
from synthetic.deliver import deliver
from synthetic.generate import generate

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nightly")]

START, MONTHS = "2025-01", 2
AS_OF = "2025-03-15"  # judge deadlines as on this day: both generated months are due


def _generate_into_landing(settings: Settings, tmp: Path, seed: int = 11) -> Path:
    out = tmp / "generated"
    generate(out=out, start=START, months=MONTHS, seed=seed, bapas=3, faults="default", scale=0.02)
    deliver(out, settings.landing_dir)
    return out / "_manifest.json"


@dataclass(frozen=True)
class CliNightly:
    """What `lipas nightly` printed and what its run recorded in the instance."""

    success: bool
    run_id: str
    step_seconds: dict[str, float]
    output: str


@pytest.fixture(scope="module")
def nightly_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, CliNightly]]:
    """One real nightly run started the way operators start it (`lipas nightly`), shared below."""
    import dagster as dg
    from typer.testing import CliRunner

    from cli.app import build_app

    tmp = tmp_path_factory.mktemp("nightly")
    old = dict(os.environ)
    os.environ.update({"LIPAS_HOME": str(tmp / "home"), "LIPAS_ENV": "dev", "LIPAS_AS_OF": AS_OF})
    try:
        settings = load_settings()
        settings.ensure_dirs()
        _generate_into_landing(settings, tmp)
        result = CliRunner().invoke(build_app(), ["nightly", "--no-send", "--period", "2025-02"])
        with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            run = instance.get_runs(dg.RunsFilter(job_name="nightly"), limit=1)[0]
            steps = {
                s.step_key: (s.end_time or 0) - (s.start_time or 0)
                for s in instance.get_run_step_stats(run.run_id)
            }
        yield settings, CliNightly(result.exit_code == 0, run.run_id, steps, result.output)
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_nightly_cli_prints_a_short_progress_view(nightly_run) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 item 8: the console got Dagster's whole log (1,064 lines, 535 DEBUG, a line of
    76,487 characters) and the UI command wrapped. Now: steps with timings and a short summary;
    Dagster's full log (and dbt's) goes to the file whose path is printed."""
    settings, outcome = nightly_run
    lines = outcome.output.splitlines()
    assert len(lines) < 40, outcome.output
    assert "DEBUG" not in outcome.output
    assert max(len(line) for line in lines) <= 200
    assert not any("START sql" in line for line in lines), "dbt's log belongs in the file"
    assert any(line.lstrip().startswith("lipas_dbt") and " s" in line for line in lines)
    log_line = next(line for line in lines if line.startswith("full log:"))
    log_path = Path(log_line.split(":", 1)[1].strip())
    assert log_path.is_file() and log_path.is_relative_to(settings.home)
    log_text = log_path.read_text()
    assert "STEP_SUCCESS" in log_text and "DEBUG" in log_text  # the full log is in the file
    ui = lines[-1]
    assert ui.endswith(" ui") and len(ui) < 100 + len(str(settings.home))


def test_nightly_job_succeeds_through_every_stage(nightly_run) -> None:  # type: ignore[no-untyped-def]
    _, outcome = nightly_run
    assert outcome.success, outcome
    steps = set(outcome.step_seconds)
    assert {
        "ingest_submissions",
        "check_submissions",
        "lipas_dbt",
        "quality_alert_summary",
    } <= steps


def test_nightly_job_fills_ledger_findings_and_marts(nightly_run) -> None:  # type: ignore[no-untyped-def]
    settings, _ = nightly_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        statuses = dict(
            con.execute("select status, count(*) from ledger.submissions group by all").fetchall()
        )
        assert statuses.get("accepted", 0) > 0
        assert statuses.get("rejected", 0) > 0  # the generator plants unreadable files
        families = {
            r[0]
            for r in con.execute("select distinct rule_family from quality.findings").fetchall()
        }
        assert {"rejected_file", "completeness"} <= families
        clients = con.execute("select count(*) from marts.fct_client_month").fetchone()
        assert clients is not None and clients[0] > 0
    finally:
        con.close()
    assert not any(settings.landing_dir.rglob("*.xlsx")), "landing should be emptied"


def test_nightly_job_writes_the_alert_summary(nightly_run) -> None:  # type: ignore[no-untyped-def]
    settings, _ = nightly_run
    summaries = list(settings.reports_dir.rglob("*.html"))
    assert summaries, "no HTML summary under reports/"


def test_sensor_run_and_nightly_run_share_the_warehouse_serially(tmp_path: Path) -> None:
    """Two processes start at once; the warehouse pool makes their writer steps take turns."""
    home = tmp_path / "home"
    env = {**os.environ, "LIPAS_HOME": str(home), "LIPAS_ENV": "dev", "LIPAS_AS_OF": AS_OF}
    settings = load_settings(env)
    settings.ensure_dirs()
    _generate_into_landing(settings, tmp_path, seed=5)
    lipas = str(Path(sys.executable).parent / "lipas")

    def start(command: list[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    nightly = start([lipas, "nightly", "--no-send", "--period", "2025-02"])
    # Start the sensor's job once the nightly run holds the warehouse (its ingest step began), so
    # the two runs really overlap instead of merely running one after the other by luck.
    deadline = time.monotonic() + 300
    while not settings.warehouse_path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    ingest = start([lipas, "run", "ingest_on_arrival"])
    outputs = [p.communicate(timeout=900)[0] for p in (nightly, ingest)]
    for proc, out in zip((nightly, ingest), outputs, strict=True):
        assert proc.returncode == 0, out[-3000:]
    combined = "\n".join(outputs)
    assert "RESULT ingest_on_arrival" in combined
    assert "succeeded" in combined  # lipas nightly's own success line
    assert "blocked by limit for pool duckdb_warehouse" in combined


def test_postgres_run_storage(tmp_path: Path) -> None:
    """Dagster's run/event storage on PostgreSQL (the grown-up deployment) records a run."""
    from tests.support.postgres_cluster import postgres_available, start_cluster

    if not postgres_available():
        pytest.skip("PostgreSQL 15 server binaries not installed")
    import psycopg2

    cluster = start_cluster()  # own mkdtemp: a concurrent pytest may prune basetemp
    try:
        home = tmp_path / "home"
        env = {
            **os.environ,
            "LIPAS_HOME": str(home),
            "LIPAS_DAGSTER_PG_HOST": cluster.host,
            "LIPAS_DAGSTER_PG_PORT": str(cluster.port),
            "LIPAS_DAGSTER_PG_USER": cluster.user,
            "LIPAS_DAGSTER_PG_PASSWORD": "",
            "LIPAS_DAGSTER_PG_DBNAME": cluster.dbname,
        }
        dagster_home = home / "dagster"
        dagster_home.mkdir(parents=True)
        template = Path(__file__).resolve().parents[2] / "orchestration" / "dagster.postgres.yaml"
        (dagster_home / "dagster.yaml").write_text(template.read_text())
        lipas = str(Path(sys.executable).parent / "lipas")
        done = subprocess.run(
            [lipas, "run", "ingest_on_arrival"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        line = next(x for x in (done.stdout + done.stderr).splitlines() if x.startswith("RESULT "))
        run_id = line.split("run=")[1].split()[0]
        with psycopg2.connect(cluster.dsn()) as con, con.cursor() as cur:
            cur.execute("select status from runs where run_id = %s", (run_id,))
            row = cur.fetchone()
        assert row is not None and row[0] == "SUCCESS"
    finally:
        cluster.stop()


def test_demo_dates_are_recent() -> None:
    from cli.nightly_cmd import demo_window

    start, months = demo_window(dt.date(2026, 11, 28), 3)
    assert (start, months) == ("2026-08", 3)
    assert json.dumps(start)


def test_second_night_scopes_data_tests_and_skips_unit_tests(nightly_run) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: a +1 month build re-ran all 198 data tests over the whole history and the unit
    tests every night. The first build (above) tests everything; an ordinary next night passes
    LIPAS_DBT_TEST_SINCE to dbt and leaves unit tests to CI and to nights the models change."""
    from typer.testing import CliRunner

    from cli.app import build_app
    from orchestration.dbt_invocation import dbt_target_path

    settings, first = nightly_run
    assert first.success
    result = CliRunner().invoke(build_app(), ["nightly", "--no-send", "--period", "2025-02"])
    assert result.exit_code == 0, result.output
    log_line = next(line for line in result.output.splitlines() if line.startswith("full log:"))
    log_text = Path(log_line.split(":", 1)[1].strip()).read_text()
    assert "data tests scoped to months from 2024-04-01" in log_text  # 12-month window
    results_file = dbt_target_path(settings, settings.dbt_target) / "run_results.json"
    ids = [r["unique_id"] for r in json.loads(results_file.read_text())["results"]]
    kinds = {unique_id.split(".")[0] for unique_id in ids}
    assert "test" in kinds and "model" in kinds
    assert "unit_test" not in kinds
    # Tests that repeat a check made elsewhere on the same rows wait too (NIGHTLY_EXCLUDES).
    tests = [unique_id for unique_id in ids if unique_id.startswith("test.")]
    assert not [t for t in tests if ".in_code_list_" in t or "_int_client_" in t]
    assert any("_fct_client_need_" in t for t in tests)
