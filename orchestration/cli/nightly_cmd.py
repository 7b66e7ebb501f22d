"""`lipas nightly` and `lipas demo`: run the Dagster nightly job (the one orchestration path)."""

from __future__ import annotations

import datetime as dt
import os

import typer

from ingestion.settings import Settings, load_settings
from orchestration.cli.common import console


def register(app: typer.Typer) -> None:
    """Add the nightly and demo commands."""

    @app.command()
    def nightly(
        period: str | None = typer.Option(
            None, help="Report period YYYY-MM (default: last month)."
        ),
        send: bool = typer.Option(True, "--send/--no-send", help="Send the alert mails."),
    ) -> None:
        """Run the nightly Dagster job: ingest -> check -> build -> alert."""
        settings = load_settings()
        settings.ensure_dirs()
        _run_nightly(settings, period, send)

    @app.command("run")
    def run_named_job(
        job: str = typer.Argument(help="nightly, ingest_on_arrival or deadline_completeness."),
    ) -> None:
        """Run one Dagster job of the project by name (recorded in the Dagster instance)."""
        from orchestration.instance import run_job

        settings = load_settings()
        settings.ensure_dirs()
        outcome = run_job(settings, job)
        console.print(f"RESULT {job} run={outcome.run_id} success={outcome.success}")
        if not outcome.success:
            raise typer.Exit(1)

    @app.command()
    def demo(
        months: int = typer.Option(3, help="Months of generated data, ending last month."),
        bapas: int = typer.Option(0, help="Number of Bapas to generate (0 = every active one)."),
        scale: float = typer.Option(0.05, help="Caseload multiplier (1.0 = national size)."),
        seed: int = typer.Option(7, help="Generator seed."),
    ) -> None:
        """Generate recent national submissions, deliver them to landing/, run the nightly job."""
        from ingestion.synthetic.deliver import deliver
        from ingestion.synthetic.generate import generate

        settings = load_settings()
        settings.ensure_dirs()
        start, months = demo_window(dt.date.today(), months)
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
            f"(fault manifest: {result.manifest_path})"
        )
        # Judge only the generated months: earlier periods would all read as "missing".
        os.environ.setdefault("LIPAS_QUALITY_WINDOW_MONTHS", str(months))
        _run_nightly(settings, None, send=False)
        console.print(f"warehouse:  {settings.warehouse_path}")
        console.print(f"reports:    {settings.reports_dir}")
        console.print(f"quarantine: {settings.quarantine_dir}")
        console.print(
            f"UI:         DAGSTER_HOME={settings.dagster_home} LIPAS_HOME={settings.home} "
            ".venv/bin/dagster dev -m orchestration.definitions"
        )


def demo_window(today: dt.date, months: int) -> tuple[str, int]:
    """The `months` complete months before `today`'s month, so the demo data is current."""
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}", months


def _run_nightly(settings: Settings, period: str | None, send: bool) -> None:
    from orchestration.instance import run_job

    config = {"ops": {"quality_alert_summary": {"config": {"period": period, "send": send}}}}
    with console.status("running the nightly Dagster job..."):
        outcome = run_job(settings, "nightly", run_config=config)
    for step, secs in sorted(outcome.step_seconds.items()):
        console.print(f"  {step:<40} {secs:7.1f} s")
    for check in outcome.failed_checks:
        console.print(f"  [yellow]check failed:[/yellow] {check}")
    state = "[green]succeeded[/green]" if outcome.success else "[red]FAILED[/red]"
    console.print(f"nightly run {outcome.run_id} {state} in {outcome.seconds:.1f} s")
    if not outcome.success:
        raise typer.Exit(1)
