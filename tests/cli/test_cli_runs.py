"""CLI-started runs are first-class Dagster runs, and a failed one reaches the operators.

Regression for issue 14 item 2: `lipas nightly` / `lipas demo` / `lipas run` used
`execute_in_process`, so their runs carried no code-location origin: the UI did not list them
under their job, "Re-execute" warned of another version, and the run-failure sensor skipped
them (no run_failures.jsonl, no operator mail, nothing in the next digest).
"""

from __future__ import annotations

import email
import json
import logging
import os
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nightly")]

OPERATOR = "operator.lipas@ditjenpas.go.id"


class Collector:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[tuple[str, ...], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)  # type: ignore[attr-defined]
        assert isinstance(message, EmailMessage)
        self.received.append((tuple(envelope.rcpt_tos), message))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


class _Records(logging.Handler):
    """Keeps the log records it is given."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(lipas_home: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    """A loopback SMTP server, and the mail settings that point the pipeline at it."""
    port = _free_port()
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    recipients = lipas_home.home / "recipients.csv"
    recipients.write_text(f"role,email\noperators,{OPERATOR}\n", encoding="utf-8")
    for name, value in {
        "LIPAS_SMTP_HOST": "127.0.0.1",
        "LIPAS_SMTP_PORT": str(port),
        "LIPAS_SMTP_SECURITY": "none",
        "LIPAS_MAIL_FROM": "lipas@ditjenpas.go.id",
        "LIPAS_MAIL_RECIPIENTS": str(recipients),
        "LIPAS_SMTP_RETRIES": "1",
        "LIPAS_SMTP_BACKOFF_SECONDS": "0",
        "LIPAS_SMTP_TIMEOUT_SECONDS": "5",
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield handler
    finally:
        controller.stop()


def test_failed_cli_nightly_is_a_run_of_the_code_location_and_alerts_operators(
    lipas_home: Settings, smtp: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nightly that fails from the CLI is recorded, mailed and listed under job `nightly`."""
    import dagster as dg
    from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

    from orchestration.instance import LOCATION_NAME

    monkeypatch.setenv("LIPAS_AS_OF", "2025-03-15")
    monkeypatch.setenv("DAGSTER_HOME", "")  # the command points it at LIPAS_HOME; restored after
    # A broken warehouse (a folder where the DuckDB file belongs) makes the ingest step raise.
    lipas_home.warehouse_path.mkdir(parents=True)
    result = CliRunner().invoke(build_app(), ["nightly", "--no-send", "--period", "2025-02"])
    assert result.exit_code == 1, result.output
    assert "mailed to the operators" in result.output

    failures = [
        json.loads(line)
        for line in (lipas_home.reports_dir / "run_failures.jsonl").read_text().splitlines()
    ]
    assert [f["job"] for f in failures] == ["nightly"]
    run_id = failures[0]["run_id"]
    assert run_id in result.output

    # The old snapshot stays and the status says why, as the daemon's sensor would record.
    from publishing.status import read_status

    status = read_status(lipas_home.published_dir)
    assert status is not None and status.state == "blocked" and status.run_id == run_id

    mails = [m for rcpts, m in smtp.received if OPERATOR in rcpts]
    assert len(mails) == 1
    assert "nightly" in str(mails[0]["Subject"])
    assert run_id in str(mails[0].get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]

    with dg.DagsterInstance.from_config(str(lipas_home.dagster_home)) as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name="nightly"))
        assert [r.run_id for r in runs] == [run_id]
        run = runs[0]
        assert run.status == dg.DagsterRunStatus.FAILURE
        # What the UI's Runs tab and the run-status sensors match on: the code location.
        assert run.remote_job_origin is not None
        origin = run.remote_job_origin.repository_origin
        assert origin.code_location_origin.location_name == LOCATION_NAME
        label = f"{origin.repository_name}@{LOCATION_NAME}"
        # The UI's Runs tab of job `nightly` in that location asks exactly this.
        listed = instance.get_runs(
            dg.RunsFilter(job_name="nightly", tags={REPOSITORY_LABEL_TAG: label})
        )
        assert [r.run_id for r in listed] == [run_id]
        assert run.tags["lipas/started-by"] == "cli"


def test_cli_run_has_the_job_snapshot_the_code_location_serves(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Re-execute' compares snapshots: the CLI run's must be the code location's own."""
    monkeypatch.setenv("DAGSTER_HOME", "")  # run_job must not need (or set) it
    import dagster as dg
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    from orchestration.instance import (
        DEFINITIONS_MODULE,
        LOCATION_NAME,
        PROJECT_ROOT,
        reconstructable_job,
        remote_job_origin,
        run_job,
    )

    # The smallest job: nothing in landing, so ingestion finds no file and succeeds.
    outcome = run_job(lipas_home, "ingest_on_arrival", quiet=True)
    assert outcome.success
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(module_name=DEFINITIONS_MODULE, working_directory=str(PROJECT_ROOT)),
        location_name=LOCATION_NAME,
    )
    warnings = _Records()
    component_logger = logging.getLogger("dagster.components.core.component_tree")
    component_logger.addHandler(warnings)
    assert os.environ["DAGSTER_HOME"] == ""
    with dg.DagsterInstance.from_config(str(lipas_home.dagster_home)) as instance:
        run = instance.get_run_by_id(outcome.run_id)
        assert run is not None
        try:
            location = origin.create_location(instance)
        finally:
            component_logger.removeHandler(warnings)
        # Issue 14 item 10: the project's location name (derived from the clone's folder) did
        # not match the served one, and Dagster warned on every load (24 times at start).
        assert [r for r in warnings.records if "code location name" in r.getMessage()] == []
        with location:
            repository = next(iter(location.get_repositories().values()))
            served = repository.get_full_job("ingest_on_arrival")
            assert run.job_snapshot_id == served.identifying_job_snapshot_id
            expected = remote_job_origin(repository.name, "ingest_on_arrival")
            assert run.remote_job_origin == expected
    assert reconstructable_job("ingest_on_arrival").job_name == "ingest_on_arrival"
    assert outcome.log_path is not None and outcome.log_path.is_file()


def test_failure_is_announced_once_per_run(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI and the sensor may both see one run: one record, one mail."""
    import quality.alerts
    from orchestration.defs.sensors import announce_run_failure

    sent: list[str] = []

    def fake_notify(settings: Settings, *, subject: str, body: str) -> bool:
        sent.append(body)
        return True

    monkeypatch.setattr(quality.alerts, "notify_operators", fake_notify)
    nik = "3201234567890123"
    assert announce_run_failure(lipas_home, "run-1", "nightly", f"file {nik}.xlsx broke")
    assert announce_run_failure(lipas_home, "run-1", "nightly", "again") is None
    assert announce_run_failure(lipas_home, "run-2", "nightly", "")
    lines = (lipas_home.reports_dir / "run_failures.jsonl").read_text().splitlines()
    assert [json.loads(x)["run_id"] for x in lines] == ["run-1", "run-2"]
    assert len(sent) == 2
    assert nik not in Path(lipas_home.reports_dir / "run_failures.jsonl").read_text()
    assert all(nik not in body for body in sent)


def test_ui_command_serves_the_same_code_location(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lipas ui` (the one-line command the summary prints) serves -m orchestration.definitions."""
    import os

    import cli.supervise
    from cli.nightly_cmd import ui_command

    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(argv: list[str], env: dict[str, str], cwd: Path) -> int:
        calls.append((argv, env))
        return 0

    # The real supervision (signals, process group) is tested in test_ui_signals.py.
    monkeypatch.setattr(cli.supervise, "run_supervised", fake_run)
    monkeypatch.setenv("DAGSTER_HOME", "")
    monkeypatch.chdir(lipas_home.home)
    result = CliRunner().invoke(build_app(), ["ui"])
    assert result.exit_code == 0, result.output
    argv, env = calls[0]
    assert argv[1:] == ["dev", "-m", "orchestration.definitions", "-p", "3000"]
    # The dagster child gets its instance folder and home; this process's environment does not.
    assert env["DAGSTER_HOME"] == str(lipas_home.dagster_home)
    assert env["LIPAS_HOME"] == str(lipas_home.home)
    assert os.environ["DAGSTER_HOME"] == ""
    assert ui_command(lipas_home).endswith("lipas ui")
    assert "\n" not in ui_command(lipas_home)


def test_failed_cli_nightly_still_writes_the_digest_listing_it(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: the alert now follows the marts, so a failed nightly skips its alert step;
    the CLI runs the alert_only job right after, whose digest lists the failed run."""
    import dagster as dg

    from core.period import jakarta_today
    from orchestration.defs.alert_fallback import ALERT_FOR_RUN_TAG

    monkeypatch.delenv("LIPAS_AS_OF", raising=False)  # failures are listed near the judging day
    monkeypatch.setenv("DAGSTER_HOME", "")
    lipas_home.warehouse_path.mkdir(parents=True)  # the ingest step raises, as above
    result = CliRunner().invoke(build_app(), ["nightly", "--no-send"])
    assert result.exit_code == 1, result.output
    assert "alert step did not run: alert_only run" in result.output

    with dg.DagsterInstance.from_config(str(lipas_home.dagster_home)) as instance:
        nightly = instance.get_runs(dg.RunsFilter(job_name="nightly"))
        assert [r.status for r in nightly] == [dg.DagsterRunStatus.FAILURE]
        run_id = nightly[0].run_id
        alerts = instance.get_runs(dg.RunsFilter(job_name="alert_only"))
        assert [r.status for r in alerts] == [dg.DagsterRunStatus.SUCCESS]
        assert alerts[0].tags[ALERT_FOR_RUN_TAG] == run_id
        assert alerts[0].run_id in result.output

    report_dir = lipas_home.reports_dir / jakarta_today().isoformat()
    assert {"digest.html", "digest.md", "digest.json"} <= {p.name for p in report_dir.iterdir()}
    digest = json.loads((report_dir / "digest.json").read_text(encoding="utf-8"))
    assert [f["run_id"] for f in digest["run_failures"]] == [run_id]
    assert [f["job"] for f in digest["run_failures"]] == ["nightly"]
