"""`lipas nightly` and `lipas demo`: run the Dagster nightly job (the one orchestration path)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from cli.common import (
    JOB_NAMES,
    choice_option,
    console,
    date_option,
    fail,
    period_option,
    positive_int_option,
)
from core.period import Period, jakarta_today
from core.settings import Settings, load_settings

if TYPE_CHECKING:
    from orchestration.instance import JobOutcome


def register(app: typer.Typer) -> None:
    """Add the nightly and demo commands."""

    @app.command()
    def nightly(
        period: str | None = typer.Option(
            None, help="Report period YYYY-MM (default: last month)."
        ),
        send: bool = typer.Option(True, "--send/--no-send", help="Send the alert mails."),
        as_of: str | None = typer.Option(
            None,
            "--as-of",
            help="Judging day YYYY-MM-DD (default: LIPAS_AS_OF, LIPAS_HOME/instance.json, today).",
        ),
    ) -> None:
        """Run the nightly Dagster job: ingest -> check -> build -> alert -> publish."""
        period = period_option(period)
        day = date_option(as_of)
        settings = load_settings()
        settings.ensure_dirs()
        # The judging day reaches the job as the `lipas` resource's run config (run_job).
        _run_nightly(settings, period, send, as_of=day)

    @app.command("run")
    def run_named_job(
        job: str = typer.Argument(
            help="nightly, ingest_on_arrival, deadline_completeness or alert_only."
        ),
    ) -> None:
        """Run one Dagster job of the project by name (recorded in the Dagster instance)."""
        choice_option(job, "job", JOB_NAMES)
        settings = load_settings()
        settings.ensure_dirs()
        outcome = run_with_progress(settings, job)
        console.print(f"RESULT {job} run={outcome.run_id} success={outcome.success}")
        print_alert_run(outcome)
        if not outcome.success:
            raise typer.Exit(1)

    @app.command()
    def ui(
        port: int = typer.Option(3000, help="Port of the Dagster UI on this machine."),
    ) -> None:
        """Start the Dagster UI (and its daemon) on this LIPAS_HOME: runs, lineage, schedules.

        SIGTERM and Ctrl-C stop the UI and every helper process within seconds (cli.supervise).
        """
        from cli.supervise import run_supervised
        from orchestration.instance import DEFINITIONS_MODULE, PROJECT_ROOT, prepare_dagster_home

        positive_int_option(port, "--port", maximum=65535)
        settings = load_settings()
        settings.ensure_dirs()
        # The child's own environment (a dict, not os.environ): Dagster finds its instance by
        # DAGSTER_HOME and the code location finds the home by an absolute LIPAS_HOME.
        child_env = {
            **os.environ,
            "DAGSTER_HOME": str(prepare_dagster_home(settings)),
            "LIPAS_HOME": str(settings.home),
        }
        dagster = str(Path(sys.executable).with_name("dagster"))
        argv = [dagster, "dev", "-m", DEFINITIONS_MODULE, "-p", str(port)]
        raise typer.Exit(run_supervised(argv, child_env, PROJECT_ROOT))

    @app.command()
    def demo(
        months: int = typer.Option(3, help="Months of generated data, ending last month."),
        bapas: int = typer.Option(0, help="Number of Bapas to generate (0 = every active one)."),
        scale: float = typer.Option(0.05, help="Caseload multiplier (1.0 = national size)."),
        seed: int = typer.Option(7, help="Generator seed."),
    ) -> None:
        """Start LIPAS_HOME clean, generate recent submissions, run the nightly job on them.

        The demo's judging window (its months) and day are written to LIPAS_HOME/instance.json,
        which every later command, schedule and job reads, so the state it shows is the state
        the 01:00 schedule computes.
        """
        from orchestration.instance import DEMO_MARKER, NotADemoHomeError, reset_demo_home
        from quality.config import write_instance_settings
        from synthetic.deliver import deliver
        from synthetic.generate import generate

        positive_int_option(months, "--months", maximum=240)
        if bapas < 0:
            fail(f"--bapas must be 0 (every active Bapas) or a positive number, got {bapas}")
        if not 0 < scale <= 10:
            fail(f"--scale must be in (0, 10], got {scale}")
        settings = load_settings()
        try:
            reset_demo_home(settings)
        except NotADemoHomeError as exc:
            fail(str(exc))
        settings.ensure_dirs()
        today = jakarta_today()
        start, months = demo_window(today, months)
        # The judging window ends with the month of the judging day, so one more month than
        # generated covers every generated month (the current one is simply not due yet).
        write_instance_settings(
            settings.home, as_of=today, window_months=months + 1, written_by=DEMO_MARKER
        )
        generated = settings.home / "generated"
        with console.status(f"generating {months} months from {start}..."):
            result = generate(
                out=generated,
                start=start,
                months=months,
                seed=seed,
                bapas=bapas or None,
                faults="default",
                scale=scale,
                overwrite=True,
            )
        delivered = deliver(generated, settings.landing_dir)
        console.print(
            f"delivered {delivered} files from {result.bapas} Bapas into {settings.landing_dir} "
            f"(fault manifest: {result.manifest_path})",
            soft_wrap=True,
        )
        _run_nightly(settings, None, send=False)


def demo_window(today: dt.date, months: int) -> tuple[str, int]:
    """The `months` complete months before `today`'s month, so the demo data is current."""
    return str(Period.of(today).shift(-months)), months


def _run_nightly(
    settings: Settings, period: str | None, send: bool, as_of: dt.date | None = None
) -> None:
    config = {"ops": {"quality_alert_summary": {"config": {"period": period, "send": send}}}}
    outcome = run_with_progress(settings, "nightly", config, as_of=as_of)
    print_summary(settings, outcome)
    if not outcome.success:
        raise typer.Exit(1)


def run_with_progress(
    settings: Settings,
    job: str,
    config: dict[str, Any] | None = None,
    *,
    as_of: dt.date | None = None,
) -> JobOutcome:
    """Run `job` with one line per finished step; Dagster's full log goes to a file.

    Issue 14 item 8: the console used to get Dagster's whole log (a thousand lines). The
    spinner names the running step; waits for the warehouse are printed once per step.
    """
    from orchestration.instance import run_job
    from orchestration.run_log import StepEvent

    console.print(f"{job}: running (Dagster's full log goes to LIPAS_HOME/logs/)")
    with console.status(f"{job}: starting...") as status:

        def progress(event: StepEvent) -> None:
            if event.kind == "start":
                status.update(f"{job}: {event.step}...")
            elif event.kind == "wait":
                console.print(f"  {event.step:<36} waits: {_short(event.message)}", soft_wrap=True)
            else:
                colour = {"ok": "green", "FAILED": "red"}.get(event.state, "yellow")
                console.print(
                    f"  {event.step:<36} [{colour}]{event.state:<7}[/{colour}] "
                    f"{event.seconds:7.1f} s"
                )
                if event.message:
                    console.print(f"    {_short(event.message)}", soft_wrap=True)

        return run_job(settings, job, run_config=config, progress=progress, quiet=True, as_of=as_of)


def print_alert_run(outcome: JobOutcome) -> None:
    """One line when a failed nightly run skipped its alert step and the alert ran after it."""
    alert = outcome.alert_run
    if alert is None:
        return
    done = "wrote the digest (reports/<date>/), listing this failed run"
    state = done if alert.success else "[red]FAILED[/red] too (see its log)"
    console.print(
        f"  alert step did not run: alert_only run {alert.run_id} {state}", soft_wrap=True
    )


def print_summary(settings: Settings, outcome: JobOutcome) -> None:
    """Where to look next: result, failed checks, log, reports, and the UI command on one line."""
    for check in outcome.failed_checks:
        console.print(f"  [yellow]check failed:[/yellow] {escape(check)}", soft_wrap=True)
    state = "[green]succeeded[/green]" if outcome.success else "[red]FAILED[/red]"
    console.print(f"nightly run {outcome.run_id} {state} in {outcome.seconds:.1f} s")
    if not outcome.success:
        first = (outcome.failure_message.splitlines() or ["run failed"])[0]
        console.print(f"  {_short(first)}", soft_wrap=True)
        mailed: dict[bool | None, str] = {
            True: "mailed to the operators",
            False: "operators NOT mailed (see the log)",
            None: "already announced",
        }
        console.print(
            f"  recorded in reports/run_failures.jsonl for the next digest; "
            f"{mailed[outcome.operators_mailed]}",
            soft_wrap=True,
        )
        print_alert_run(outcome)
    rows = (
        ("full log", outcome.log_path),
        ("warehouse", settings.warehouse_path),
        ("reports", settings.reports_dir),
        ("quarantine", settings.quarantine_dir),
    )
    for label, path in rows:
        console.print(f"{label + ':':<12}{path}", soft_wrap=True)
    console.print("UI (runs, lineage, checks); copy this line:")
    console.print(ui_command(settings), soft_wrap=True)


def ui_command(settings: Settings) -> str:
    """The command that starts the UI on this home, short enough to paste (one line)."""
    lipas = Path(sys.executable).with_name("lipas")
    try:
        shown = str(lipas.relative_to(Path.cwd()))
    except ValueError:
        shown = str(lipas)
    return f"LIPAS_HOME={settings.home} {shown} ui"


def _short(text: str, limit: int = 150) -> str:
    """One line of at most `limit` characters, with rich markup escaped."""
    line = " ".join(text.split())
    return escape(line if len(line) <= limit else line[: limit - 3] + "...")
