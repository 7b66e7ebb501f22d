"""`lipas nightly` and `lipas demo`: run the Dagster nightly job (the one orchestration path)."""

from __future__ import annotations

from pathlib import Path

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

    @app.command()
    def demo(
        months: int = typer.Option(3, help="Months of generated data."),
        bapas: int = typer.Option(12, help="Number of Bapas to generate (0 = all)."),
        start: str = typer.Option("2025-01", help="First generated month."),
        seed: int = typer.Option(7, help="Generator seed."),
    ) -> None:
        """Generate a small national data set into landing/ and run the nightly job on it."""
        from ingestion.synthetic.generate import generate

        settings = load_settings()
        settings.ensure_dirs()
        console.print(
            f"generating {months} months for {bapas or 'all'} Bapas into {settings.landing_dir}"
        )
        generate(
            out=settings.landing_dir,
            start=start,
            months=months,
            seed=seed,
            bapas=bapas or None,
            faults="default",
            scale=0.1,
        )
        year, month = (int(x) for x in start.split("-"))
        last = (year * 12 + month - 1) + months - 1
        _run_nightly(settings, f"{last // 12:04d}-{last % 12 + 1:02d}", send=False)
        console.print(f"warehouse: {settings.warehouse_path}")
        console.print(f"reports:   {settings.reports_dir}")
        console.print(f"quarantine:{settings.quarantine_dir}")
        console.print(
            f"UI:        DAGSTER_HOME={settings.dagster_home} LIPAS_HOME={settings.home} "
            f"{Path('.venv/bin/dagster')} dev -m orchestration.definitions"
        )


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
