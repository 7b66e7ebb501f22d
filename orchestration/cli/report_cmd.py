"""`lipas report`: the quality-alert summary, Kanwil digests, Bapas fix-lists and notices."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated

import typer

from orchestration.cli.common import console, fail, parse_period_option

logger = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the `report` command to the CLI."""
    app.command("report")(report_command)


def report_command(
    period: Annotated[str, typer.Option("--period", help="Reporting month, YYYY-MM.")],
    send: Annotated[
        bool,
        typer.Option(
            "--send/--no-send",
            help="Queue and mail the messages (and record what was announced). "
            "Without it: a preview, files only.",
        ),
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language: id (default) or en.")] = "id",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Report as of this Jakarta date, YYYY-MM-DD (default today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write the summary under LIPAS_HOME/reports/<date>/ and optionally mail it.

    Exit 0: report written (undelivered mail stays queued for the next run).
    Exit 1: --send given and some mail could not be delivered. Exit 2: bad usage.
    """
    from ingestion.settings import ConfigurationError, load_settings
    from quality.alerts import run_report

    parse_period_option(period)
    if lang not in ("id", "en"):
        fail(f"--lang must be id or en, got {lang!r}")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date in the form YYYY-MM-DD")
    try:
        settings = load_settings()
        result = run_report(settings, period.strip(), as_of=day, lang=lang, send=send)
    except ConfigurationError as exc:
        fail(str(exc))
    if as_json:
        payload = {
            "period": result.period,
            "as_of": result.as_of.isoformat(),
            "report_dir": str(result.report_dir),
            "files": [str(p) for p in result.files],
            "headline": result.headline,
            "queued": result.queued,
            "sent": result.sent,
            "pending": result.pending,
            "errors": list(result.errors),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        console.print(f"[bold]summary[/bold]  {result.report_dir / 'digest.html'}", soft_wrap=True)
        console.print(f"files    {len(result.files)} under {result.report_dir}", soft_wrap=True)
        for key, value in result.headline.items():
            console.print(f"  {key}: {value}")
        if send:
            console.print(
                f"mail     queued {result.queued}, sent {result.sent}, pending {result.pending}"
            )
        for error in result.errors:
            console.print(f"[yellow]undelivered:[/yellow] {error}", soft_wrap=True)
    if send and result.errors:
        raise typer.Exit(1)
